"""Step 5, 代位求偿: a not-at-fault owner is paid at once by their own 车损险 (less the
deductible); what the other side owed for that car, up to the advance, becomes the
insurer's receivable, and the rest the other side still pays the owner."""

from __future__ import annotations

from collections.abc import Sequence

from domain.settlement.accident import Accident, LossKind, MotorVehicle
from domain.settlement.shares import Share
from domain.settlement.statement import Coverage, Receivable, Rule


def subrogate(accident: Accident, shares: Sequence[Share]) -> tuple[list[Share], list[Receivable]]:
    result = list(shares)
    receivables: list[Receivable] = []
    for label in sorted(accident.options.subrogation):
        vehicle = accident.vehicle(label)
        assert vehicle is not None
        result, taken = _advance(vehicle, result)
        receivables += [Receivable(label, debtor, amount) for debtor, amount in taken.items()]
    return result, receivables


def _advance(vehicle: MotorVehicle, shares: list[Share]) -> tuple[list[Share], dict[str, int]]:
    cover = vehicle.own_damage
    assert cover is not None
    car = [s for s in shares if s.victim == vehicle.id and s.kind is LossKind.VEHICLE]
    if not car:
        return shares, {}
    loss = sum(s.amount for s in car)
    covered = min(loss, cover.sum_insured)
    paid_now = covered - cover.deductible_on(covered)
    own_paid = [s for s in car if s.party == vehicle.id and s.coverage is Coverage.OWN_DAMAGE]
    advance = paid_now - sum(s.amount for s in own_paid)
    taken: dict[str, int] = {}
    reduced: dict[int, int] = {}
    for index, share in enumerate(shares):
        if advance <= 0:
            break
        if share in car and share.party != vehicle.id:
            amount = min(advance, share.amount)
            reduced[index] = share.amount - amount
            taken[share.party] = taken.get(share.party, 0) + amount
            advance -= amount
    if not taken:
        return shares, {}
    result = [
        share.with_amount(reduced.get(i, share.amount))
        for i, share in enumerate(shares)
        if share not in own_paid and reduced.get(i, share.amount) > 0
    ]
    params: dict[str, int | str] = {
        "deductible_fen": cover.deductible_on(covered),
        "sum_insured_fen": cover.sum_insured,
    }
    template = car[0]
    result.append(
        Share(
            vehicle.id,
            vehicle.id,
            LossKind.VEHICLE,
            template.person,
            sum(s.amount for s in own_paid) + sum(taken.values()),
            Coverage.OWN_DAMAGE,
            Rule("own_damage_subrogation", params),
        )
    )
    return result, taken
