"""A booking, its shop and its slots as message parameters, and what each side may do
next with a booking in its current state.

Messages about a booking are built in two places — the dialogs (a party's turn) and the
scheduler (reminders, an expired hold) — and the domain is what both may import (with
``messages``, which turns the offers into buttons). These are plain, JSON-friendly values
(the outbox stores them): times as the shop's local date, weekday and clock time, money as
yuan strings, offers as (action, argument, label key).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.booking import Booking, BookingRules, BookingStatus, documents
from domain.ranking import RankedShop
from domain.shop import Shop
from domain.slots import TimeSlot

Offer = tuple[str, str, str]  # action, argument, label key


def local_params(moment: datetime, tz: ZoneInfo) -> dict[str, Any]:
    local = moment.astimezone(tz)
    return {
        "date": local.date().isoformat(),
        "md": local.strftime("%m-%d"),
        "weekday": local.weekday(),
        "time": local.strftime("%H:%M"),
    }


def slot_params(slot: TimeSlot, tz: ZoneInfo) -> dict[str, Any]:
    return {**local_params(slot.start, tz), "end": slot.end.astimezone(tz).strftime("%H:%M")}


def shop_params(shop: Shop) -> dict[str, Any]:
    return {
        "code": shop.code,
        "name": shop.name,
        "address": shop.address,
        "rating": shop.shown_rating,
    }


def ranked_params(ranked: RankedShop) -> dict[str, Any]:
    shop = ranked.shop
    earliest = ranked.earliest
    return {
        **shop_params(shop),
        "distance": None if ranked.distance_km is None else round(ranked.distance_km, 1),
        "certified": ranked.certified,
        "service": ranked.service_match,
        "earliest": None if earliest is None else local_params(earliest, shop.tz),
    }


def booking_params(booking: Booking, shop: Shop) -> dict[str, Any]:
    tz = shop.tz
    estimate = booking.estimated_done_at
    hold = booking.hold_expires_at
    return {
        "ref": booking.reference,
        "status": booking.status.value,
        "kind": booking.kind.value,
        "claim": booking.claim_number,
        "plate": booking.plate,
        "make": booking.make,
        "shop": shop.name,
        "address": shop.address,
        "slot": slot_params(booking.slot, tz),
        "hold_until": None if hold is None else local_params(hold, tz),
        "kept": None if booking.kept_slot is None else slot_params(booking.kept_slot, tz),
        "documents": documents(booking),
        "estimate": None if estimate is None else local_params(estimate, tz),
        "reason": booking.decline_reason,
        "problem": booking.problem,
        "payer": None if booking.payer is None else booking.payer.value,
        "amount": None if booking.paid is None else booking.paid.grouped(),
        "quote": None if booking.quote is None else booking.quote.grouped(),
        "final": None if booking.final_amount is None else booking.final_amount.grouped(),
        "tow": booking.tow,
        "pickup": booking.pickup,
        "rating": booking.rating,
        "comment": booking.comment,
        "reschedules": booking.reschedules,
    }


def lead_params(before: timedelta) -> dict[str, Any]:
    """How long before: whole days, else whole hours, else minutes (``unit``, ``n``)."""
    minutes = int(before.total_seconds() // 60)
    if minutes and minutes % (24 * 60) == 0:
        return {"unit": "days", "n": minutes // (24 * 60)}
    if minutes and minutes % 60 == 0:
        return {"unit": "hours", "n": minutes // 60}
    return {"unit": "minutes", "n": minutes}


def reminder_params(booking: Booking, rules: BookingRules, now: datetime) -> dict[str, Any]:
    """The appointment reminders that will still be sent (a confirmation promises only
    these): ``reminders``, a list of lead times, longest first."""
    slot = booking.appointment
    ahead = [] if slot is None else rules.reminders_ahead(slot, now)
    return {"reminders": [lead_params(before) for before in ahead]}


_OWNER_ACTIONS: dict[BookingStatus, tuple[Offer, ...]] = {
    BookingStatus.HELD: (
        ("resched", "", "booking.choice.reschedule"),
        ("cancel", "", "booking.choice.cancel"),
    ),
    BookingStatus.PROPOSED: (
        ("take", "", "booking.choice.take_proposal"),
        ("resched", "", "booking.choice.other_time"),
        ("cancel", "", "booking.choice.cancel"),
    ),
    BookingStatus.CONFIRMED: (
        ("resched", "", "booking.choice.reschedule"),
        ("cancel", "", "booking.choice.cancel"),
    ),
    BookingStatus.DECLINED: (("others", "", "booking.choice.other_shops"),),
    BookingStatus.EXPIRED: (("others", "", "booking.choice.other_shops"),),
    BookingStatus.READY: (
        ("accept", "", "booking.choice.accept_repair"),
        ("problem", "", "booking.choice.problem"),
    ),
    BookingStatus.ACCEPTED: (("pay", "", "booking.choice.paid"),),
    BookingStatus.PAID: tuple(
        ("rate", str(n), f"booking.choice.stars_{n}") for n in range(5, 0, -1)
    ),
}
_STAFF_ACTIONS: dict[BookingStatus, tuple[Offer, ...]] = {
    BookingStatus.HELD: (
        ("ok", "", "booking.shop.choice.confirm"),
        ("prop", "", "booking.shop.choice.propose"),
        ("no", "", "booking.shop.choice.decline"),
    ),
    BookingStatus.CONFIRMED: (("in", "", "booking.shop.choice.arrived"),),
    BookingStatus.ARRIVED: (("start", "", "booking.shop.choice.start"),),
    BookingStatus.IN_REPAIR: (
        ("ready", "", "booking.shop.choice.ready"),
        ("start", "", "booking.shop.choice.new_estimate"),
    ),
    BookingStatus.PROBLEM: (
        ("start", "", "booking.shop.choice.start"),
        ("ready", "", "booking.shop.choice.ready"),
    ),
}


def owner_actions(booking: Booking) -> tuple[Offer, ...]:
    """What the owner may do next with the booking (``messages.choices`` makes buttons)."""
    return _OWNER_ACTIONS.get(booking.status, ())


def staff_actions(booking: Booking) -> tuple[Offer, ...]:
    """What the shop's staff may do next with the booking."""
    return _STAFF_ACTIONS.get(booking.status, ())
