"""Steps 2, 6 and 7: what 交强险 left of each loss, divided by the liability shares.

A vehicle's share of another victim's loss goes to its 三者险 (up to the limit, shared in
proportion when claims exceed it); its share of its own car to its 车损险 less the
deductible; of its own 施救费 to the rescue cover (up to the sum insured, no deductible);
of its occupants' injuries to its 车上人员险 (per seat). A non-motor party carries its
share itself. What no cover takes is the party's own.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.settlement.accident import INJURY_KINDS, Accident, Loss, LossKind, MotorVehicle
from domain.settlement.shares import Share, own_share, paid_share
from domain.settlement.split import apportion, cap_in_proportion
from domain.settlement.statement import Coverage, Rule

_Claims = list[tuple[Loss, int]]


def liability_shares(
    accident: Accident, losses: Sequence[Loss], remaining: Sequence[int]
) -> list[Share]:
    liable = [party for party in accident.parties if party.share > 0]
    shares: list[Share] = []
    third_party: dict[str, _Claims] = {v.id: [] for v in accident.vehicles}
    own_car: dict[str, _Claims] = {v.id: [] for v in accident.vehicles}
    rescue: dict[str, _Claims] = {v.id: [] for v in accident.vehicles}
    seats: dict[tuple[str, str | None], _Claims] = {}
    for loss, rest in zip(losses, remaining, strict=True):
        if not rest:
            continue
        for party, part in zip(liable, apportion(rest, [p.share for p in liable]), strict=True):
            if not part:
                continue
            share = {"share": party.share}
            if not isinstance(party, MotorVehicle):
                key = "own_share" if party.id == loss.victim else "owed_share"
                shares.append(own_share(party.id, loss, part, Rule(key, share)))
            elif party.id != loss.victim:
                third_party[party.id].append((loss, part))
            elif loss.kind is LossKind.VEHICLE:
                own_car[party.id].append((loss, part))
            elif loss.kind is LossKind.RESCUE:
                rescue[party.id].append((loss, part))
            elif loss.kind in INJURY_KINDS:
                seats.setdefault((party.id, loss.person_label), []).append((loss, part))
            else:
                shares.append(own_share(party.id, loss, part, Rule("own_property", share)))
    for vehicle in accident.vehicles:
        shares += _third_party(vehicle, third_party[vehicle.id])
        shares += _own_damage(vehicle, own_car[vehicle.id])
        shares += _rescue(vehicle, rescue[vehicle.id])
    for (label, _), claims in seats.items():
        carrier = accident.vehicle(label)
        assert carrier is not None
        shares += _seats(carrier, claims)
    return shares


def _capped(
    vehicle: MotorVehicle,
    claims: _Claims,
    limit: int | None,
    coverage: Coverage,
    names: tuple[str, str, str],
) -> list[Share]:
    """Claims against one limit: paid up to it (``names``: the rule, the rule when the limit
    is shared, the own item beyond it); with no such cover (``limit`` None) all own."""
    paid_key, shared_key, beyond_key = names
    params: dict[str, int | str] = {"share": vehicle.share}
    if limit is None:
        return [
            own_share(vehicle.id, loss, part, Rule(f"no_{coverage.value}", params))
            for loss, part in claims
        ]
    params["limit_fen"] = limit
    total = sum(part for _, part in claims)
    key = shared_key if len(claims) > 1 and total > limit else paid_key
    shares: list[Share] = []
    for (loss, part), paid in zip(
        claims, cap_in_proportion([p for _, p in claims], limit), strict=True
    ):
        if paid:
            shares.append(paid_share(vehicle.id, loss, paid, coverage, Rule(key, params)))
        if part > paid:
            shares.append(own_share(vehicle.id, loss, part - paid, Rule(beyond_key, params)))
    return shares


def _third_party(vehicle: MotorVehicle, claims: _Claims) -> list[Share]:
    names = ("third_party", "third_party_shared", "beyond_third_party")
    return _capped(vehicle, claims, vehicle.third_party, Coverage.THIRD_PARTY, names)


def _seats(vehicle: MotorVehicle, claims: _Claims) -> list[Share]:
    occupant = claims[0][0].occupant
    assert occupant is not None
    limit = vehicle.seats.limit(occupant) if vehicle.seats is not None else None
    return _capped(vehicle, claims, limit, Coverage.SEATS, ("seats", "seats", "beyond_seats"))


def _rescue(vehicle: MotorVehicle, claims: _Claims) -> list[Share]:
    cover = vehicle.own_damage
    limit = cover.sum_insured if cover is not None else None
    names = ("rescue", "rescue", "beyond_rescue")
    return _capped(vehicle, claims, limit, Coverage.RESCUE, names)


def _own_damage(vehicle: MotorVehicle, claims: _Claims) -> list[Share]:
    """The owner's share of their own car: 车损险 up to the sum insured, less the deductible
    (once per accident)."""
    if not claims:
        return []
    loss = claims[0][0]
    own = sum(part for _, part in claims)
    share: dict[str, int | str] = {"share": vehicle.share}
    cover = vehicle.own_damage
    if cover is None:
        return [own_share(vehicle.id, loss, own, Rule("no_own_damage", share))]
    covered = min(own, cover.sum_insured)
    deductible = cover.deductible_on(covered)
    params = {**share, "deductible_fen": deductible, "sum_insured_fen": cover.sum_insured}
    shares: list[Share] = []
    if covered > deductible:
        shares.append(
            paid_share(
                vehicle.id,
                loss,
                covered - deductible,
                Coverage.OWN_DAMAGE,
                Rule("own_damage", params),
            )
        )
    if deductible:
        shares.append(own_share(vehicle.id, loss, deductible, Rule("deductible", params)))
    if own > covered:
        shares.append(own_share(vehicle.id, loss, own - covered, Rule("above_sum_insured", params)))
    return shares
