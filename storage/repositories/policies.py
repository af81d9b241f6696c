"""Policies from the reference directory, as domain ``Policy`` objects."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from domain.money import Money
from domain.policy import Coverage, Policy, SeatLimits, Vehicle, normalize_plate
from domain.ports import PolicyRepository
from storage._sql import AnyRow
from storage.tables.core import policy_t, vehicle_t

_SELECT = select(
    policy_t.c.number,
    policy_t.c.plate,
    policy_t.c.holder,
    policy_t.c.phone,
    policy_t.c.valid_from,
    policy_t.c.valid_to,
    policy_t.c.own_damage_fen,
    policy_t.c.third_party_fen,
    policy_t.c.deductible_fen,
    policy_t.c.deductible_rate,
    policy_t.c.seat_driver_fen,
    policy_t.c.seat_passenger_fen,
    policy_t.c.jiaoqiang,
    policy_t.c.insurer,
    vehicle_t.c.make,
    vehicle_t.c.model,
    vehicle_t.c.year,
    vehicle_t.c.vin,
).select_from(policy_t.join(vehicle_t, vehicle_t.c.policy_id == policy_t.c.id))

# Several policies may name one plate over the years (renewals): the latest cover wins.
_BY_PLATE = (
    _SELECT.where(policy_t.c.plate == bindparam("plate"))
    .order_by(policy_t.c.valid_to.desc(), policy_t.c.id.desc())
    .limit(1)
)
_BY_NUMBER = _SELECT.where(policy_t.c.number == bindparam("number"))


def _to_policy(row: AnyRow) -> Policy:
    return Policy(
        number=row.number,
        plate=row.plate,
        holder=row.holder,
        phone=row.phone,
        vehicle=Vehicle(make=row.make, model=row.model, year=row.year, vin=row.vin),
        coverage=Coverage(
            own_damage=_money(row.own_damage_fen),
            third_party=_money(row.third_party_fen),
            deductible=Money(row.deductible_fen),
            deductible_rate=row.deductible_rate,
            seats=_seats(row.seat_driver_fen, row.seat_passenger_fen),
            jiaoqiang=row.jiaoqiang,
            insurer=row.insurer or "",
        ),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def _money(fen: int | None) -> Money | None:
    return None if fen is None else Money(fen)


def _seats(driver: int | None, passenger: int | None) -> SeatLimits | None:
    if driver is None and passenger is None:
        return None
    return SeatLimits(driver=Money(driver or 0), passenger=Money(passenger or 0))


class SqlPolicyRepository(PolicyRepository):
    """Read only, and a Policy is immutable: a unit of work reads each policy once (a
    filing asks for it three times: the claim, the handoff card, the fast-lane offer)."""

    __slots__ = ("_by_number", "_conn")

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._by_number: dict[str, Policy | None] = {}

    def by_plate(self, plate: str) -> Policy | None:
        row = self._conn.execute(_BY_PLATE, {"plate": normalize_plate(plate)}).first()
        return None if row is None else _to_policy(row)

    def by_number(self, number: str) -> Policy | None:
        key = number.strip().upper()
        if key not in self._by_number:
            row = self._conn.execute(_BY_NUMBER, {"number": key}).first()
            self._by_number[key] = None if row is None else _to_policy(row)
        return self._by_number[key]
