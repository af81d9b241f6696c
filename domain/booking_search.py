"""Finding shops and slots for a booking: the ranked shops with their earliest free
slot, a shop's free slots, and whether a chosen slot can be booked. Re-exported by
``domain.booking_services``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from domain.booking import (
    BookingRules,
    ShopUnknown,
    SlotFull,
    SlotUnavailable,
)
from domain.ports import UnitOfWork
from domain.ranking import Need, RankedShop, ShopFilter, rank
from domain.shop import Shop
from domain.slots import FreeSlot, TimeSlot, earliest_free, free_slots, has_room, slot_at
from domain.slots import slot_problem as find_slot_problem

FIRST_WINDOW = timedelta(hours=6)  # the first stretch searched for each shop's earliest slot


def _window_end(now: datetime, rules: BookingRules) -> datetime:
    """Past the horizon's last local day in any timezone (the slots themselves check)."""
    return now + timedelta(days=rules.slots.horizon_days + 1)


def search_shops(
    uow: UnitOfWork,
    need: Need,
    now: datetime,
    rules: BookingRules,
    *,
    exclude: Collection[str] = (),
    shop_filter: ShopFilter | None = None,
) -> list[RankedShop]:
    """Staffed shops, ranked (domain.ranking), with their earliest free slot."""
    shops = [s for s in uow.shops.all() if s.staffed and s.code not in exclude]
    earliest = earliest_free_slots(uow, shops, now, rules)
    return rank([(shop, earliest[shop.id]) for shop in shops], need, now, shop_filter)


def earliest_free_slots(
    uow: UnitOfWork, shops: Collection[Shop], now: datetime, rules: BookingRules
) -> dict[int, datetime | None]:
    """Each shop's earliest free slot start (None: none in the horizon).

    Bookings are read for a window of six hours from the earliest bookable time, then
    twelve, a day, two, ... for the shops still without a free slot, so a busy horizon is
    read only as far as needed.
    """
    end = _window_end(now, rules)
    first = now + rules.slots.lead_time
    found: dict[int, datetime | None] = {}
    waiting = {shop.id: shop for shop in shops}
    span = FIRST_WINDOW
    while waiting:
        until = min(first + span, end)
        taken = uow.bookings.taken(list(waiting), first, until)
        for shop in list(waiting.values()):
            slot = earliest_free(shop, taken.get(shop.id, []), now, rules.slots, until)
            if slot is not None or until >= end:
                found[shop.id] = None if slot is None else slot.start
                del waiting[shop.id]
        span *= 2
    return found


def shop_by_code(uow: UnitOfWork, code: str) -> Shop:
    shop = uow.shops.by_code(code)
    if shop is None or not shop.staffed:
        raise ShopUnknown(shop=code[:40])
    return shop


def shop_slots(
    uow: UnitOfWork,
    shop: Shop,
    now: datetime,
    rules: BookingRules,
    *,
    after: datetime | None = None,
    limit: int | None = None,
    exclude: int | None = None,
) -> list[FreeSlot]:
    """The shop's free slots (``exclude``: a booking whose own slot counts as free)."""
    taken = uow.bookings.taken([shop.id], now, _window_end(now, rules), exclude)
    return free_slots(shop, taken.get(shop.id, []), now, rules.slots, after=after, limit=limit)


def _bookable_slot(
    uow: UnitOfWork,
    shop: Shop,
    start: datetime,
    now: datetime,
    rules: BookingRules,
    exclude: int | None = None,
) -> TimeSlot:
    """The slot at ``start`` if it can be taken now; takes the shop's lock (keep it)."""
    slot = slot_at(shop, start)
    problem = find_slot_problem(shop, slot, now, rules.slots)
    if problem is not None:
        raise SlotUnavailable(problem=problem.value)
    uow.bookings.lock_shop(shop.id)
    if not has_room(shop, uow.bookings.overlapping(shop.id, slot, exclude)):
        raise SlotFull(shop=shop.name)
    return slot
