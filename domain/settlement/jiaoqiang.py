"""Steps 1, 3 and 4: the 交强险 of each motor vehicle pays the other victims.

Each loss is claimed against every other vehicle's 交强险, split between them in proportion
to their applicable sub-limits (有责 or 无责 by each vehicle's own share); a vehicle whose
claims exceed a sub-limit shares the limit in proportion to the claims. A vehicle without
交强险 owes the same amounts from its owner's pocket.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.settlement.accident import Accident, Loss, LossKind, MotorVehicle
from domain.settlement.errors import InvalidAccident
from domain.settlement.rules import SettlementRules, SubLimit
from domain.settlement.shares import Share, own_share, paid_share
from domain.settlement.split import apportion, cap_in_proportion
from domain.settlement.statement import Coverage, Rule

SUB_LIMIT_OF_KIND = {
    LossKind.VEHICLE: SubLimit.PROPERTY,
    LossKind.PROPERTY: SubLimit.PROPERTY,
    LossKind.RESCUE: SubLimit.PROPERTY,
    LossKind.MEDICAL: SubLimit.MEDICAL,
    LossKind.DISABILITY_DEATH: SubLimit.DISABILITY_DEATH,
}
COVERAGE_OF_SUB_LIMIT = {
    SubLimit.PROPERTY: Coverage.JIAOQIANG_PROPERTY,
    SubLimit.MEDICAL: Coverage.JIAOQIANG_MEDICAL,
    SubLimit.DISABILITY_DEATH: Coverage.JIAOQIANG_DISABILITY_DEATH,
}
ORDER = (SubLimit.PROPERTY, SubLimit.MEDICAL, SubLimit.DISABILITY_DEATH)


def jiaoqiang_shares(
    accident: Accident, losses: Sequence[Loss], remaining: list[int], rules: SettlementRules
) -> list[Share]:
    """The 交强险 shares of every loss; ``remaining`` is reduced by what they pay."""
    shares: list[Share] = []
    for sub in ORDER:
        claimed = [i for i, loss in enumerate(losses) if SUB_LIMIT_OF_KIND[loss.kind] is sub]
        nominal = _nominal_claims(accident, losses, remaining, claimed, sub, rules)
        for vehicle in accident.vehicles:
            claims = nominal[vehicle.id]
            limit = rules.jiaoqiang.for_share(vehicle.share).of(sub)
            paid = cap_in_proportion([amount for _, amount in claims], limit)
            shared = len(claims) > 1 and sum(amount for _, amount in claims) > limit
            for (i, _), amount in zip(claims, paid, strict=True):
                if amount:
                    shares.append(_share(accident, vehicle, losses[i], amount, sub, limit, shared))
                    remaining[i] -= amount
    return shares


def _nominal_claims(
    accident: Accident,
    losses: Sequence[Loss],
    remaining: Sequence[int],
    claimed: Sequence[int],
    sub: SubLimit,
    rules: SettlementRules,
) -> dict[str, list[tuple[int, int]]]:
    """Per vehicle, the (loss index, amount) claimed against its 交强险 before its limit."""
    nominal: dict[str, list[tuple[int, int]]] = {v.id: [] for v in accident.vehicles}
    for i in claimed:
        payers = [v for v in accident.vehicles if v.id != losses[i].victim]
        limits = [rules.jiaoqiang.for_share(v.share).of(sub) for v in payers]
        if not remaining[i] or not sum(limits):
            continue
        for vehicle, part in zip(payers, apportion(remaining[i], limits), strict=True):
            if part:
                nominal[vehicle.id].append((i, part))
    return nominal


def _share(
    accident: Accident,
    vehicle: MotorVehicle,
    loss: Loss,
    amount: int,
    sub: SubLimit,
    limit: int,
    shared: bool,
) -> Share:
    fault = "at_fault" if vehicle.share > 0 else "no_fault"
    params: dict[str, int | str] = {"limit_fen": limit, "fault": fault, "sub": sub.value}
    if not vehicle.jiaoqiang:
        return own_share(vehicle.id, loss, amount, Rule("jiaoqiang_uninsured", params))
    coverage = COVERAGE_OF_SUB_LIMIT[sub]
    victim_vehicle = accident.vehicle(loss.victim)
    if (
        vehicle.share == 0
        and sub is SubLimit.PROPERTY
        and victim_vehicle is not None
        and victim_vehicle.jiaoqiang
    ):
        params["handled_by"] = victim_vehicle.id
        rule = Rule("no_fault_proxy", params)
        return paid_share(vehicle.id, loss, amount, coverage, rule, handled_by=victim_vehicle.id)
    rule = Rule("jiaoqiang_shared" if shared else "jiaoqiang", params)
    return paid_share(vehicle.id, loss, amount, coverage, rule)


def mutual_shares(
    accident: Accident, losses: Sequence[Loss], rules: SettlementRules
) -> list[Share]:
    """互碰自赔: each vehicle's own insurer pays its car under 交强险, no deductible."""
    limit = rules.jiaoqiang.at_fault.property
    shares: list[Share] = []
    for vehicle in accident.vehicles:
        own = [loss for loss in losses if loss.victim == vehicle.id]
        if sum(loss.amount for loss in own) > limit:
            raise InvalidAccident("mutual_over_limit", party=vehicle.id, limit_fen=limit)
        rule = Rule("mutual", {"limit_fen": limit})
        shares.extend(
            paid_share(vehicle.id, loss, loss.amount, Coverage.JIAOQIANG_PROPERTY, rule)
            for loss in own
            if loss.amount
        )
    return shares
