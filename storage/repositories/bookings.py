"""Bookings: the booking row and its timeline; capacity counts; the bookings' timers.

Capacity is decided under a lock on the shop's row (``lock_shop``: ``SELECT .. FOR
UPDATE`` on PostgreSQL; on SQLite every write transaction already holds the database's
write lock from ``BEGIN IMMEDIATE``), so the count of bookings overlapping a slot cannot
change between counting and inserting.

A booking whose owner asked to move its confirmed slot holds two slots until the shop
answers: the one asked for (``slot_*``) and the confirmed one it keeps (``kept_slot_*``).
It is one car: a slot overlapping both counts it once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from domain.booking import HOLDING, OPEN, Booking, BookingChange, BookingKind, BookingStatus, Payer
from domain.booking_timers import TimerPlan
from domain.geo import CoordinateSystem, GeoPoint
from domain.money import Money
from domain.ports import BookingRepository, BookingTimers
from domain.slots import LONGEST_SLOT, TimeSlot
from storage._sql import AnyRow
from storage.repositories.timers import FIRED, FIRING, PENDING, TimerRepository, TimerSpec
from storage.tables.booking import booking_change_t, booking_t
from storage.tables.core import shop_t
from storage.tables.timers import timer_t

_b = booking_t.c
_COLUMNS = (
    _b.id,
    _b.kind,
    _b.status,
    _b.shop_id,
    _b.owner_party_id,
    _b.claim_number,
    _b.policy_number,
    _b.plate,
    _b.make,
    _b.origin_lat,
    _b.origin_lon,
    _b.origin_system,
    _b.slot_start,
    _b.slot_end,
    _b.hold_expires_at,
    _b.kept_slot_start,
    _b.kept_slot_end,
    _b.reschedules,
    _b.decline_reason,
    _b.estimated_done_at,
    _b.quote_fen,
    _b.final_fen,
    _b.tow,
    _b.pickup,
    _b.problem,
    _b.accepted_at,
    _b.payer,
    _b.paid_fen,
    _b.rating,
    _b.comment,
    _b.created_at,
)
_HOLDING = [s.value for s in HOLDING]
_OPEN = [s.value for s in OPEN]
_BY_ID = select(*_COLUMNS).where(_b.id == bindparam("booking_id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()
_OPEN_ROWS = select(*_COLUMNS).where(_b.status.in_(_OPEN)).order_by(_b.slot_start, _b.id)
_FOR_OWNER = _OPEN_ROWS.where(_b.owner_party_id == bindparam("party_id"))
_FOR_SHOP = _OPEN_ROWS.where(_b.shop_id == bindparam("shop_id"))
_FOR_CLAIM = _OPEN_ROWS.where(_b.claim_number == bindparam("number")).limit(1)
_ALL_FOR_CLAIM = select(*_COLUMNS).where(_b.claim_number == bindparam("number")).order_by(_b.id)
_FOR_PLATE = _OPEN_ROWS.where(
    _b.owner_party_id == bindparam("party_id"), _b.plate == bindparam("plate")
).limit(1)
_LOCK_SHOP = select(shop_t.c.id).where(shop_t.c.id == bindparam("shop_id")).with_for_update()
# Overlapping [start, end): the lower bound on slot_start keeps the index range short
# however long the booking history grows (no slot is longer than LONGEST_SLOT).
_OVERLAP = (
    _b.status.in_(_HOLDING),
    _b.slot_start < bindparam("end"),
    _b.slot_start > bindparam("earliest"),
    _b.slot_end > bindparam("start"),
)
_COUNT = (
    select(func.count()).select_from(booking_t).where(_b.shop_id == bindparam("shop_id"), *_OVERLAP)
)
_TAKEN = select(_b.id, _b.shop_id, _b.slot_start, _b.slot_end).where(
    _b.shop_id.in_(bindparam("shop_ids", expanding=True)), *_OVERLAP
)
# Kept slots, read through their own (partial) index; the booking's other slot comes along.
_KEPT_OVERLAP = (
    _b.kept_slot_start.is_not(None),
    _b.status.in_(_HOLDING),
    _b.kept_slot_start < bindparam("end"),
    _b.kept_slot_start > bindparam("earliest"),
    _b.kept_slot_end > bindparam("start"),
)
_COUNT_KEPT = (
    select(func.count())
    .select_from(booking_t)
    .where(
        _b.shop_id == bindparam("shop_id"),
        *_KEPT_OVERLAP,
        # counted above already when its other slot overlaps too
        ~((_b.slot_start < bindparam("end")) & (_b.slot_end > bindparam("start"))),
    )
)
_TAKEN_KEPT = select(
    _b.id, _b.shop_id, _b.slot_start, _b.slot_end, _b.kept_slot_start, _b.kept_slot_end
).where(_b.shop_id.in_(bindparam("shop_ids", expanding=True)), *_KEPT_OVERLAP)
_INSERT = insert(booking_t).returning(_b.id)
_INSERT_CHANGE = insert(booking_change_t)

_ch = booking_change_t.c
_TIMELINE = (
    select(_ch.at, _ch.from_status, _ch.to_status, _ch.actor, _ch.note)
    .where(_ch.booking_id == bindparam("booking_id"))
    .order_by(_ch.id)
)


def _values(booking: Booking, now: datetime) -> dict[str, Any]:
    origin = booking.origin
    return {
        "kind": booking.kind.value,
        "status": booking.status.value,
        "shop_id": booking.shop_id,
        "owner_party_id": booking.owner_id,
        "claim_number": booking.claim_number,
        "policy_number": booking.policy_number,
        "plate": booking.plate,
        "make": booking.make,
        "origin_lat": None if origin is None else origin.lat,
        "origin_lon": None if origin is None else origin.lon,
        "origin_system": None if origin is None else origin.system.value,
        "slot_start": booking.slot.start,
        "slot_end": booking.slot.end,
        "hold_expires_at": booking.hold_expires_at,
        "kept_slot_start": None if booking.kept_slot is None else booking.kept_slot.start,
        "kept_slot_end": None if booking.kept_slot is None else booking.kept_slot.end,
        "reschedules": booking.reschedules,
        "decline_reason": booking.decline_reason,
        "estimated_done_at": booking.estimated_done_at,
        "quote_fen": None if booking.quote is None else booking.quote.fen,
        "final_fen": None if booking.final_amount is None else booking.final_amount.fen,
        "tow": booking.tow,
        "pickup": booking.pickup,
        "problem": booking.problem,
        "accepted_at": booking.accepted_at,
        "payer": None if booking.payer is None else booking.payer.value,
        "paid_fen": None if booking.paid is None else booking.paid.fen,
        "rating": booking.rating,
        "comment": booking.comment,
        "updated_at": now,
    }


def _origin(row: AnyRow) -> GeoPoint | None:
    if row.origin_lat is None or row.origin_lon is None:
        return None
    return GeoPoint(row.origin_lat, row.origin_lon, CoordinateSystem(row.origin_system))


def _booking(row: AnyRow, timeline: list[BookingChange]) -> Booking:
    return Booking(
        id=row.id,
        kind=BookingKind(row.kind),
        status=BookingStatus(row.status),
        shop_id=row.shop_id,
        owner_id=row.owner_party_id,
        slot=TimeSlot(row.slot_start, row.slot_end),
        created_at=row.created_at,
        claim_number=row.claim_number,
        policy_number=row.policy_number,
        plate=row.plate,
        make=row.make,
        origin=_origin(row),
        hold_expires_at=row.hold_expires_at,
        kept_slot=None
        if row.kept_slot_start is None
        else TimeSlot(row.kept_slot_start, row.kept_slot_end),
        reschedules=row.reschedules,
        decline_reason=row.decline_reason,
        estimated_done_at=row.estimated_done_at,
        quote=None if row.quote_fen is None else Money(row.quote_fen),
        final_amount=None if row.final_fen is None else Money(row.final_fen),
        tow=bool(row.tow),
        pickup=row.pickup,
        problem=row.problem,
        accepted_at=row.accepted_at,
        payer=None if row.payer is None else Payer(row.payer),
        paid=None if row.paid_fen is None else Money(row.paid_fen),
        rating=row.rating,
        comment=row.comment,
        timeline=timeline,
    )


def _change(row: AnyRow) -> BookingChange:
    return BookingChange(
        at=row.at,
        from_status=None if row.from_status is None else BookingStatus(row.from_status),
        to_status=BookingStatus(row.to_status),
        actor=row.actor,
        note=row.note,
    )


def _one_car(slot: TimeSlot, kept: TimeSlot) -> list[TimeSlot]:
    """A booking's two slots as occupancy: overlapping ones as their union (counted once)."""
    if not slot.overlaps(kept):
        return [slot, kept]
    return [TimeSlot(min(slot.start, kept.start), max(slot.end, kept.end))]


class SqlBookingRepository(BookingRepository):
    """Timeline entries appended since a booking was loaded are inserted on ``save``."""

    __slots__ = ("_conn", "_stored")

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._stored: dict[int, int] = {}  # booking id -> timeline entries in the database

    def add(self, booking: Booking) -> None:
        now = booking.timeline[-1].at if booking.timeline else booking.created_at
        values = {**_values(booking, now), "created_at": booking.created_at}
        booking.id = int(self._conn.execute(_INSERT, values).scalar_one())
        self._stored[booking.id] = 0
        self._append_changes(booking)

    def save(self, booking: Booking) -> None:
        if booking.id is None:
            raise ValueError("save() is for stored bookings; use add()")
        now = booking.timeline[-1].at if booking.timeline else booking.created_at
        self._conn.execute(
            update(booking_t).where(_b.id == booking.id).values(_values(booking, now))
        )
        self._append_changes(booking)

    def _append_changes(self, booking: Booking) -> None:
        assert booking.id is not None
        stored = self._stored.get(booking.id, len(booking.timeline))
        new = booking.timeline[stored:]
        if new:
            self._conn.execute(
                _INSERT_CHANGE,
                [
                    {
                        "booking_id": booking.id,
                        "at": change.at,
                        "from_status": None
                        if change.from_status is None
                        else change.from_status.value,
                        "to_status": change.to_status.value,
                        "actor": change.actor,
                        "note": change.note,
                    }
                    for change in new
                ],
            )
        self._stored[booking.id] = len(booking.timeline)

    def get(self, booking_id: int) -> Booking | None:
        return self._load(self._conn.execute(_BY_ID, {"booking_id": booking_id}).first())

    def get_for_update(self, booking_id: int) -> Booking | None:
        return self._load(self._conn.execute(_BY_ID_FOR_UPDATE, {"booking_id": booking_id}).first())

    def _load(self, row: AnyRow | None) -> Booking | None:
        if row is None:
            return None
        timeline = [_change(r) for r in self._conn.execute(_TIMELINE, {"booking_id": row.id})]
        self._stored[row.id] = len(timeline)
        return _booking(row, timeline)

    def _many(self, statement: Any, params: dict[str, Any]) -> list[Booking]:
        return [b for row in self._conn.execute(statement, params) if (b := self._load(row))]

    def lock_shop(self, shop_id: int) -> None:
        self._conn.execute(_LOCK_SHOP, {"shop_id": shop_id})

    def overlapping(self, shop_id: int, slot: TimeSlot, exclude: int | None = None) -> int:
        params = {"shop_id": shop_id, "start": slot.start, "end": slot.end}
        params["earliest"] = slot.start - LONGEST_SLOT
        count = 0
        for statement in (_COUNT, _COUNT_KEPT):
            if exclude is not None:
                statement = statement.where(_b.id != exclude)
            count += int(self._conn.execute(statement, params).scalar_one())
        return count

    def taken(
        self,
        shop_ids: Sequence[int],
        start: datetime,
        end: datetime,
        exclude: int | None = None,
    ) -> dict[int, list[TimeSlot]]:
        if not shop_ids:
            return {}
        taken, kept = _TAKEN, _TAKEN_KEPT
        if exclude is not None:
            taken, kept = taken.where(_b.id != exclude), kept.where(_b.id != exclude)
        params = {"shop_ids": list(shop_ids), "start": start, "end": end}
        params["earliest"] = start - LONGEST_SLOT
        spans: dict[int, tuple[int, list[TimeSlot]]] = {}  # booking id -> shop, its slots
        for booking_id, shop_id, slot_start, slot_end in self._conn.execute(taken, params):
            spans[booking_id] = (shop_id, [TimeSlot(slot_start, slot_end)])
        for row in self._conn.execute(kept, params):
            slot = TimeSlot(row.slot_start, row.slot_end)
            kept_slot = TimeSlot(row.kept_slot_start, row.kept_slot_end)
            inside = [s for s in _one_car(slot, kept_slot) if s.start < end and s.end > start]
            spans[row.id] = (row.shop_id, inside)
        found: defaultdict[int, list[TimeSlot]] = defaultdict(list)
        for shop_id, slots in spans.values():
            found[shop_id].extend(slots)
        return dict(found)

    def for_owner(self, party_id: int) -> list[Booking]:
        return self._many(_FOR_OWNER, {"party_id": party_id})

    def for_shop(self, shop_id: int) -> list[Booking]:
        return self._many(_FOR_SHOP, {"shop_id": shop_id})

    def open_for_claim(self, claim_number: str) -> Booking | None:
        found = self._many(_FOR_CLAIM, {"number": claim_number})
        return found[0] if found else None

    def for_claim(self, claim_number: str) -> list[Booking]:
        return self._many(_ALL_FOR_CLAIM, {"number": claim_number})

    def open_for_plate(self, owner_id: int, plate: str) -> Booking | None:
        found = self._many(_FOR_PLATE, {"party_id": owner_id, "plate": plate})
        return found[0] if found else None


_t = timer_t.c
_ARMED_KEYS = select(_t.dedupe_key).where(
    _t.subject == bindparam("subject"), _t.status.in_((PENDING, FIRING))
)


class SqlBookingTimers(BookingTimers):
    """The bookings' timers as rows of the timer feature (storage/repositories/timers.py)."""

    __slots__ = ("_conn", "_timers")

    def __init__(self, conn: Connection, timers: TimerRepository) -> None:
        self._conn = conn
        self._timers = timers

    def replace(self, subject: str, plans: Sequence[TimerPlan], now: datetime) -> None:
        wanted = {plan.key for plan in plans}
        for key in self._conn.execute(_ARMED_KEYS, {"subject": subject}).scalars():
            if key not in wanted:
                self._timers.cancel(key, now)
        for plan in plans:
            current = self._timers.get(plan.key)
            if current is not None and current.status in (FIRED, FIRING):
                continue  # it went off already (or is going off): not twice
            if (
                current is not None
                and current.status == PENDING
                and current.due_at == plan.due_at
                and current.payload == plan.payload
            ):
                continue
            spec = TimerSpec(plan.kind, plan.key, plan.due_at, plan.payload, subject)
            self._timers.set(spec, now)
