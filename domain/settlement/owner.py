"""The statement of one owner's claim: their car (its policy's covers), the other vehicles
named in the report, the liability finding and the assessed loss.

The other vehicles' covers are not on record: each is taken to carry 交强险 and a 三者险 of
``ASSUMED_THIRD_PARTY``. With no identified other vehicle the owner's side carries the
whole loss. 互碰自赔 is applied whenever its conditions hold for what the claim knows (every
vehicle at fault, the car within the property limit, no injuries): the owner's agreement
to the proposal is the parties' agreement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from domain.accident_record import AccidentParty, AccidentRecord, PartyKind
from domain.adjudication import SettlementFigures
from domain.money import Money
from domain.policy import Coverage as PolicyCoverage
from domain.settlement.accident import (
    INJURY_KINDS,
    Accident,
    Loss,
    LossKind,
    MotorVehicle,
    Options,
    OtherParty,
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
            statement=self.statement,
            party=self.party,
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
    record: AccidentRecord | None = None,
) -> Accident:
    """The accident as the claim knows it; ``share`` in percent. With parties recorded by
    the adjuster (``record``) those are the accident; else the module's note applies."""
    if record is not None and record.parties:
        return recorded_accident(plate, coverage, share, loss, record, injuries)
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
    options = _owner_options(plate, record)
    mutual = (
        len(vehicles) > 1
        and all(v.share > 0 and v.jiaoqiang for v in vehicles)
        and not injuries
        and not options.subrogation
    )
    return Accident(
        vehicles=vehicles,
        losses=(Loss(plate, LossKind.VEHICLE, loss.fen), *_recorded_losses(record)),
        options=replace(options, mutual=mutual),
    )


def recorded_accident(
    plate: str,
    coverage: PolicyCoverage,
    share: int,
    loss: Money,
    record: AccidentRecord,
    injuries: bool,
) -> Accident:
    """The accident of the recorded parties: their ratios (the owner's is ``share``), or
    without recorded ratios the rest of the liability shared equally by the other
    vehicles; a vehicle's 三者险 not known is taken as ``ASSUMED_THIRD_PARTY``."""
    vehicles = [p for p in record.parties if p.kind is PartyKind.VEHICLE]
    liable = [p for p in record.parties if p.liable and p.kind is not PartyKind.VEHICLE]
    if record.ratios is not None:
        own_share = share
        shares = {p.label: record.share_of(p.label) for p in (*vehicles, *liable)}
    else:
        own_share = share if vehicles else 100
        split = apportion(100 - own_share, [1] * len(vehicles)) if vehicles else []
        shares = {p.label: s for p, s in zip(vehicles, split, strict=True)}
        shares.update({p.label: 0 for p in liable})
    losses = (Loss(plate, LossKind.VEHICLE, loss.fen), *_recorded_losses(record))
    options = _owner_options(plate, record)
    hurt = injuries or any(x.kind in INJURY_KINDS for x in losses)
    outside = any(p.kind is not PartyKind.VEHICLE for p in record.parties)
    all_vehicles = (_insured_vehicle(plate, own_share, coverage), *map(_vehicle(shares), vehicles))
    mutual = (
        not hurt
        and not outside
        and not options.subrogation
        and all(v.share > 0 and v.jiaoqiang for v in all_vehicles)
    )
    return Accident(
        vehicles=all_vehicles,
        losses=losses,
        others=tuple(OtherParty(p.label, shares[p.label]) for p in liable),
        options=replace(options, mutual=mutual),
        source=None if record.ratios is None else record.ratios.source,
    )


def _vehicle(shares: dict[str, int]) -> Callable[[AccidentParty], MotorVehicle]:
    def vehicle(party: AccidentParty) -> MotorVehicle:
        third_party = party.third_party
        if third_party is None and party.insured:
            third_party = ASSUMED_THIRD_PARTY
        return MotorVehicle(
            party.label,
            shares[party.label],
            jiaoqiang=party.insured and party.jiaoqiang,
            insurer=party.insurer,
            third_party=third_party if party.insured else None,
        )

    return vehicle


def _recorded_losses(record: AccidentRecord | None) -> tuple[Loss, ...]:
    if record is None:
        return ()
    return tuple(
        Loss(
            x.victim,
            x.kind,
            x.amount,
            occupant=None if x.role is None else x.role.occupant,
            person=x.person,
        )
        for x in record.losses
    )


def _owner_options(plate: str, record: AccidentRecord | None) -> Options:
    if record is None:
        return Options()
    chosen = record.options
    return Options(
        subrogation=frozenset({plate}) if chosen.subrogation else frozenset(),
        rescue={plate: chosen.rescue} if chosen.rescue else {},
        total_loss={plate: chosen.total_loss} if chosen.total_loss is not None else {},
    )


def owner_statement(
    plate: str,
    coverage: PolicyCoverage,
    share: int,
    loss: Money,
    others: Sequence[OtherCar],
    injuries: bool,
    rules: SettlementRules | None = None,
    record: AccidentRecord | None = None,
) -> OwnerStatement:
    """Settle the claim; 互碰自赔 falls back to the liability rules when the car's loss is
    above the property limit. ``InvalidAccident`` for what cannot be settled (a loss above
    the sum insured)."""
    accident = owner_accident(plate, coverage, share, loss, others, injuries, record)
    try:
        statement = settle(accident, rules)
    except InvalidAccident as refused:
        if not refused.reason.startswith("mutual"):
            raise
        options = replace(accident.options, mutual=False)
        accident = replace(accident, options=options)
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
