"""An accident as a settlement sees it: parties with their cover and liability, and losses.

All money is integer fen. Parties are named by free labels (``A``, ``B``, ``自行车``);
a loss's victim is a party's label or any other name (a property owner such as 护栏, or a
pedestrian), who then has no liability share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class LossKind(StrEnum):
    VEHICLE = "vehicle"  # damage to a motor vehicle in the accident
    PROPERTY = "property"  # other property: a 护栏, a shop front, a bicycle, goods
    MEDICAL = "medical"  # 医疗费用
    DISABILITY_DEATH = "disability_death"  # 死亡伤残
    RESCUE = "rescue"  # 施救费 of a vehicle (from the options, not typed as a loss)


INJURY_KINDS = frozenset({LossKind.MEDICAL, LossKind.DISABILITY_DEATH})


class Occupant(StrEnum):
    DRIVER = "driver"
    PASSENGER = "passenger"


class LiabilitySourceKind(StrEnum):
    POLICE = "police"  # 交警认定书
    AGREEMENT = "agreement"  # 快处快赔协议 / 自行协商
    INSURER = "insurer"  # the insurer's own determination


@dataclass(frozen=True)
class LiabilitySource:
    kind: LiabilitySourceKind
    reference: str = ""  # the 认定书 number, the agreement's number


@dataclass(frozen=True)
class OwnDamageCover:
    """车损险: sum insured (the car's actual value), optional 绝对免赔额 as amount or rate."""

    sum_insured: int
    deductible: int = 0
    deductible_rate: int = 0  # percent of what the cover would pay

    def deductible_on(self, covered: int) -> int:
        rate_part = (covered * self.deductible_rate + 50) // 100
        return min(covered, self.deductible + rate_part)


@dataclass(frozen=True)
class SeatCover:
    """车上人员责任险: a limit per person, for the driver's seat and each passenger seat."""

    driver: int
    passenger: int

    def limit(self, occupant: Occupant) -> int:
        return self.driver if occupant is Occupant.DRIVER else self.passenger


@dataclass(frozen=True)
class MotorVehicle:
    id: str
    share: int  # liability, percent
    jiaoqiang: bool = True
    insurer: str = ""
    own_damage: OwnDamageCover | None = None
    third_party: int | None = None  # 三者险 limit
    seats: SeatCover | None = None


@dataclass(frozen=True)
class OtherParty:
    """A non-motor party with a liability share: a cyclist, a pedestrian at fault."""

    id: str
    share: int


@dataclass(frozen=True)
class Loss:
    victim: str
    kind: LossKind
    amount: int
    occupant: Occupant | None = None  # an injured person in the victim vehicle
    person: str = ""  # tells two injured occupants of one vehicle apart

    @property
    def person_label(self) -> str | None:
        """Who was hurt, for a line: the name, or the seat (driver / passenger)."""
        if self.occupant is None:
            return self.person or None
        return self.person or self.occupant.value


@dataclass(frozen=True)
class TotalLoss:
    """推定全损: actual value, salvage (残值), and whether the insurer takes the salvage."""

    actual_value: int
    salvage: int = 0
    insurer_takes_salvage: bool = False

    @property
    def payable(self) -> int:
        return self.actual_value if self.insurer_takes_salvage else self.actual_value - self.salvage


@dataclass(frozen=True)
class Options:
    mutual: bool = False  # the parties agree to 互碰自赔
    subrogation: frozenset[str] = frozenset()  # owners paid at once by their own 车损险
    rescue: Mapping[str, int] = field(default_factory=dict)  # 施救费 per vehicle
    total_loss: Mapping[str, TotalLoss] = field(default_factory=dict)


@dataclass(frozen=True)
class Accident:
    vehicles: tuple[MotorVehicle, ...]
    losses: tuple[Loss, ...]
    others: tuple[OtherParty, ...] = ()
    options: Options = field(default_factory=Options)
    source: LiabilitySource | None = None

    def vehicle(self, label: str) -> MotorVehicle | None:
        return next((v for v in self.vehicles if v.id == label), None)

    def share_of(self, label: str) -> int:
        party = self.vehicle(label) or next((o for o in self.others if o.id == label), None)
        return party.share if party is not None else 0

    @property
    def parties(self) -> tuple[MotorVehicle | OtherParty, ...]:
        return (*self.vehicles, *self.others)
