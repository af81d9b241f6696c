"""The statement of one owner's claim: their car (its policy's covers), the other vehicles
named in the report, the liability finding and the assessed loss.

The other vehicles' covers are not on record: each is taken to carry 交强险 and a 三者险 of
``ASSUMED_THIRD_PARTY``. With no identified other vehicle the owner's side carries the
whole loss. 互碰自赔 is applied whenever its conditions hold for what the claim knows (every
vehicle at fault, the car within the property limit, no injuries): the owner's agreement
to the proposal is the parties' agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.adjudication import SettlementFigures
from domain.money import Money
from domain.policy import Coverage as PolicyCoverage
from domain.settlement.accident import (
    Accident,
    Loss,
    LossKind,
    MotorVehicle,
    Options,
    OwnDamageCover,
    SeatCover,
)
from domain.settlement.errors import InvalidAccident
from domain.settlement.rules import SettlementRules
from domain.settlement.settle import settle
from domain.settlement.split import apportion
from domain.settlement.statement import Line, Statement

ASSUMED_THIRD_PARTY = 100_000_000  # 1,000,000.00, the most common 三者险 limit


@dataclass(frozen=True)
class OtherCar:
    plate: str
    insurer: str = ""


@dataclass(frozen=True)
class OwnerStatement:
    statement: Statement
    party: str  # the owner's vehicle in the statement
    share: int  # the owner's share applied, percent

    def figures(self) -> SettlementFigures:
        """The proposal's figures: what each side pays for the owner's car."""
        loss = Money(sum(x.amount for x in self.statement.losses if x.victim == self.party))
        own_portion = loss - self.others_pay
        return SettlementFigures(
            loss_total=loss,
            share=self.share,
            own_portion=own_portion,
            covered=self.payout + self.deductible,
            other_share=self.others_pay,
            deductible=self.deductible,
            payout=self.payout,
            lines=self.lines,
            owner_pays=self.owner_pays,
            receivables=self.statement.receivables,
        )

    @property
    def lines(self) -> tuple[Line, ...]:
        """The lines paying the owner's car."""
        return self.statement.lines_for(self.party)

    @property
    def payout(self) -> Money:
        """What the owner's insurer pays out: its own covers, and what it pays on another
        insurer's behalf (无责代赔)."""
        return Money(sum(line.amount for line in self.lines if self._ours(line)))

    @property
    def others_pay(self) -> Money:
        return Money(sum(line.amount for line in self.lines if not self._ours(line)))

    @property
    def owner_pays(self) -> Money:
        return Money(self.statement.out_of_pocket.get(self.party, 0))

    @property
    def deductible(self) -> Money:
        return Money(
            sum(
                item.amount
                for item in self.statement.own_items
                if item.party == self.party and item.rule.key == "deductible"
            )
        )

    def _ours(self, line: Line) -> bool:
        return line.payer == self.party or line.handled_by == self.party


def owner_accident(
    plate: str,
    coverage: PolicyCoverage,
    share: int,
    loss: Money,
    others: Sequence[OtherCar],
    injuries: bool,
) -> Accident:
    """The accident as the claim knows it (see the module's note); ``share`` in percent."""
    named = [car for car in others if car.plate and car.plate != plate]
    labels = list(dict.fromkeys(car.plate for car in named))
    own_share = share if labels else 100
    shares = apportion(100 - own_share, [1] * len(labels)) if labels else []
    insurers = {car.plate: car.insurer for car in named}
    vehicles = (
        _insured_vehicle(plate, own_share, coverage),
        *(
            MotorVehicle(label, s, insurer=insurers[label], third_party=ASSUMED_THIRD_PARTY)
            for label, s in zip(labels, shares, strict=True)
        ),
    )
    mutual = (
        len(vehicles) > 1 and all(v.share > 0 and v.jiaoqiang for v in vehicles) and not injuries
    )
    return Accident(
        vehicles=vehicles,
        losses=(Loss(plate, LossKind.VEHICLE, loss.fen),),
        options=Options(mutual=mutual),
    )


def owner_statement(
    plate: str,
    coverage: PolicyCoverage,
    share: int,
    loss: Money,
    others: Sequence[OtherCar],
    injuries: bool,
    rules: SettlementRules | None = None,
) -> OwnerStatement:
    """Settle the claim; 互碰自赔 falls back to the liability rules when the car's loss is
    above the property limit. ``InvalidAccident`` for what cannot be settled (a loss above
    the sum insured)."""
    accident = owner_accident(plate, coverage, share, loss, others, injuries)
    try:
        statement = settle(accident, rules)
    except InvalidAccident as refused:
        if not refused.reason.startswith("mutual"):
            raise
        accident = Accident(accident.vehicles, accident.losses, options=Options())
        statement = settle(accident, rules)
    return OwnerStatement(statement, plate, accident.vehicles[0].share)


def _insured_vehicle(plate: str, share: int, coverage: PolicyCoverage) -> MotorVehicle:
    own_damage = None
    if coverage.own_damage is not None:
        own_damage = OwnDamageCover(
            sum_insured=coverage.own_damage.fen,
            deductible=coverage.deductible.fen,
            deductible_rate=coverage.deductible_rate,
        )
    seats = None
    if coverage.seats is not None:
        seats = SeatCover(coverage.seats.driver.fen, coverage.seats.passenger.fen)
    third_party = None if coverage.third_party is None else coverage.third_party.fen
    return MotorVehicle(
        id=plate,
        share=share,
        jiaoqiang=coverage.jiaoqiang,
        insurer=coverage.insurer,
        own_damage=own_damage,
        third_party=third_party,
        seats=seats,
    )
