"""What every statement must satisfy: money conserved, no line over its limit, nothing
paid twice. Shared by the worked cases and the generated accidents."""

from __future__ import annotations

from collections import defaultdict

from domain.settlement import Accident, Coverage, LossKind, Statement
from domain.settlement.rules import SettlementRules, SubLimit

_SUB = {
    Coverage.JIAOQIANG_PROPERTY: SubLimit.PROPERTY,
    Coverage.JIAOQIANG_MEDICAL: SubLimit.MEDICAL,
    Coverage.JIAOQIANG_DISABILITY_DEATH: SubLimit.DISABILITY_DEATH,
}


def check_statement(
    accident: Accident, statement: Statement, rules: SettlementRules | None = None
) -> None:
    rules = rules or SettlementRules()
    assert all(line.amount > 0 for line in statement.lines)
    assert all(item.amount > 0 for item in statement.own_items)
    # conserved for every (victim, kind, person): insurers plus pockets equal the loss
    losses: dict[tuple[str, LossKind, str | None], int] = defaultdict(int)
    for loss in statement.losses:
        losses[(loss.victim, loss.kind, loss.person_label)] += loss.amount
    carried: dict[tuple[str, LossKind, str | None], int] = defaultdict(int)
    for line in statement.lines:
        carried[(line.victim, line.kind, line.person)] += line.amount
    for item in statement.own_items:
        carried[(item.victim, item.kind, item.person)] += item.amount
    assert {k: v for k, v in carried.items() if v} == {k: v for k, v in losses.items() if v}
    assert statement.paid_total + sum(statement.out_of_pocket.values()) == statement.loss_total
    assert all(amount >= 0 for amount in statement.unpaid.values())
    # no line over its limit
    per_cover: dict[tuple[str, Coverage], int] = defaultdict(int)
    per_seat: dict[tuple[str, str | None], int] = defaultdict(int)
    for line in statement.lines:
        per_cover[(line.payer, line.coverage)] += line.amount
        if line.coverage is Coverage.SEATS:
            per_seat[(line.payer, line.person)] += line.amount
    for (payer, coverage), total in per_cover.items():
        vehicle = accident.vehicle(payer)
        assert vehicle is not None
        if coverage in _SUB:
            limit = rules.jiaoqiang.at_fault.property
            if not accident.options.mutual:
                limit = rules.jiaoqiang.for_share(vehicle.share).of(_SUB[coverage])
            assert vehicle.jiaoqiang and total <= limit
        elif coverage is Coverage.THIRD_PARTY:
            assert vehicle.third_party is not None and total <= vehicle.third_party
        elif coverage in (Coverage.OWN_DAMAGE, Coverage.RESCUE):
            assert vehicle.own_damage is not None and total <= vehicle.own_damage.sum_insured
    for (payer, person), total in per_seat.items():
        vehicle = accident.vehicle(payer)
        assert vehicle is not None and vehicle.seats is not None
        assert total <= max(vehicle.seats.driver, vehicle.seats.passenger), person
    # a recovery never exceeds what the creditor's insurer advanced
    for receivable in statement.receivables:
        assert 0 < receivable.amount <= per_cover[(receivable.creditor, Coverage.OWN_DAMAGE)]
