"""Hand-written fakes of the booking ports (shops, bookings, their timers) and sample shops,
for domain and dialog tests that need no database."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime

from domain.booking import HOLDING, OPEN, Booking, TimerPlan
from domain.geo import GeoPoint
from domain.ports import BookingRepository, BookingTimers, ShopRepository
from domain.shop import Shop, ShopStaff, parse_hours
from domain.slots import TimeSlot
from tests.fakes import FakeUnitOfWork

PUDONG = Shop(
    id=1,
    code="SHOP-PD-01",
    name="浦东安心汽修",
    address="上海市浦东新区张江路 88 号",
    location=GeoPoint(31.2040, 121.5900),
    makes=("Volkswagen", "Audi", "Skoda"),
    services=("collision", "paint", "maintenance"),
    bays=3,
    slot_minutes=60,
    hours=parse_hours({"mon-fri": "08:30-18:00", "sat": "09:00-15:00"}),
    directory_rating=4.7,
)
XUHUI = Shop(
    id=2,
    code="SHOP-XH-02",
    name="徐汇诚信车服",
    address="上海市徐汇区漕溪北路 200 号",
    location=GeoPoint(31.1880, 121.4370),
    makes=("Toyota", "Honda", "Volkswagen"),
    services=("collision", "maintenance"),
    bays=2,
    slot_minutes=90,
    hours=parse_hours({"mon-sat": "09:00-19:00"}),
    directory_rating=4.4,
)
PUDONG_STAFF = ShopStaff(id=1, shop_id=1, name="周师傅", party_id=2)
XUHUI_STAFF = ShopStaff(id=2, shop_id=2, name="刘经理", party_id=3)


class FakeShopRepository(ShopRepository):
    def __init__(self, shops: Sequence[Shop], staff: Sequence[ShopStaff]) -> None:
        self.shops = {shop.id: shop for shop in shops}
        self.members = list(staff)

    def all(self) -> list[Shop]:
        return sorted(self.shops.values(), key=lambda s: s.code)

    def get(self, shop_id: int) -> Shop | None:
        return self.shops.get(shop_id)

    def by_code(self, code: str) -> Shop | None:
        return next((s for s in self.shops.values() if s.code == code), None)

    def staff(self, shop_id: int) -> list[ShopStaff]:
        return [m for m in self.members if m.shop_id == shop_id]

    def staff_for_party(self, party_id: int) -> ShopStaff | None:
        return next((m for m in self.members if m.party_id == party_id), None)

    def bind_staff(self, shop_code: str, name: str, party_id: int) -> ShopStaff:
        shop = self.by_code(shop_code)
        assert shop is not None
        member = ShopStaff(len(self.members) + 1, shop.id, name, party_id)
        self.members.append(member)
        return member


class FakeBookingRepository(BookingRepository):
    """Stores copies, as a database would: a change counts only once saved."""

    def __init__(self) -> None:
        self.rows: dict[int, Booking] = {}
        self.locked_shops: list[int] = []

    def add(self, booking: Booking) -> None:
        booking.id = len(self.rows) + 1
        self.rows[booking.id] = copy.deepcopy(booking)

    def get(self, booking_id: int) -> Booking | None:
        found = self.rows.get(booking_id)
        return copy.deepcopy(found) if found else None

    def get_for_update(self, booking_id: int) -> Booking | None:
        return self.get(booking_id)

    def save(self, booking: Booking) -> None:
        assert booking.id in self.rows
        self.rows[booking.id] = copy.deepcopy(booking)

    def lock_shop(self, shop_id: int) -> None:
        self.locked_shops.append(shop_id)

    def _holding(self, shop_id: int, exclude: int | None) -> list[Booking]:
        return [
            b
            for b in self.rows.values()
            if b.shop_id == shop_id and b.status in HOLDING and b.id != exclude
        ]

    @staticmethod
    def _slots(booking: Booking) -> list[TimeSlot]:
        """Its slot, and the confirmed slot it keeps while a move is asked (one car)."""
        kept = booking.kept_slot
        if kept is None:
            return [booking.slot]
        if not kept.overlaps(booking.slot):
            return [booking.slot, kept]
        start, end = min(kept.start, booking.slot.start), max(kept.end, booking.slot.end)
        return [TimeSlot(start, end)]

    def overlapping(self, shop_id: int, slot: TimeSlot, exclude: int | None = None) -> int:
        return sum(
            1
            for b in self._holding(shop_id, exclude)
            if any(s.overlaps(slot) for s in self._slots(b))
        )

    def taken(
        self,
        shop_ids: Sequence[int],
        start: datetime,
        end: datetime,
        exclude: int | None = None,
    ) -> dict[int, list[TimeSlot]]:
        window = TimeSlot(start, end)
        return {
            shop_id: [
                s
                for b in self._holding(shop_id, exclude)
                for s in self._slots(b)
                if s.overlaps(window)
            ]
            for shop_id in shop_ids
        }

    def _open(self) -> list[Booking]:
        found = [copy.deepcopy(b) for b in self.rows.values() if b.status in OPEN]
        return sorted(found, key=lambda b: (b.slot.start, b.id or 0))

    def for_owner(self, party_id: int) -> list[Booking]:
        return [b for b in self._open() if b.owner_id == party_id]

    def for_shop(self, shop_id: int) -> list[Booking]:
        return [b for b in self._open() if b.shop_id == shop_id]

    def open_for_claim(self, claim_number: str) -> Booking | None:
        return next((b for b in self._open() if b.claim_number == claim_number), None)

    def for_claim(self, claim_number: str) -> list[Booking]:
        found = [copy.deepcopy(b) for b in self.rows.values() if b.claim_number == claim_number]
        return sorted(found, key=lambda b: b.id or 0)

    def open_for_plate(self, owner_id: int, plate: str) -> Booking | None:
        return next((b for b in self._open() if b.owner_id == owner_id and b.plate == plate), None)


class FakeBookingTimers(BookingTimers):
    def __init__(self) -> None:
        self.armed: dict[str, list[TimerPlan]] = {}

    def replace(self, subject: str, plans: Sequence[TimerPlan], now: datetime) -> None:
        self.armed[subject] = list(plans)


def booking_uow(
    shops: Sequence[Shop] = (PUDONG, XUHUI),
    staff: Sequence[ShopStaff] = (PUDONG_STAFF, XUHUI_STAFF),
) -> FakeUnitOfWork:
    """The core's fake unit of work with the booking repositories attached."""
    uow = FakeUnitOfWork()
    uow.shops = FakeShopRepository(shops, staff)
    uow.bookings = FakeBookingRepository()
    uow.booking_timers = FakeBookingTimers()
    return uow
