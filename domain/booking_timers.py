"""The timers a booking should have in its state: the hold's expiry, the shop's nudge,
the appointment reminders and the maintenance reminder months later.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.booking import Booking, BookingRules, BookingStatus

HOLD_EXPIRY = "booking_hold_expiry"  # the shop (or the owner) did not answer in time
SHOP_NUDGE = "booking_shop_nudge"  # remind the shop halfway through the hold
APPOINTMENT_REMINDER = "booking_reminder"  # the day before, two hours before
MAINTENANCE_REMINDER = "booking_maintenance"  # months after the repair was accepted


@dataclass(frozen=True)
class TimerPlan:
    """A timer a booking should have now (its subject is ``booking.subject``)."""

    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any]


def timer_plans(booking: Booking, rules: BookingRules, now: datetime) -> list[TimerPlan]:
    """Every timer the booking should have in its current state; the others go.

    Keys carry the slot, so that a rescheduled booking's reminders are new timers and the
    old ones are cancelled.
    """
    assert booking.id is not None, "a stored booking"
    base: dict[str, Any] = {"booking_id": booking.id, "slot": booking.slot.key}
    prefix = f"{booking.subject}:{booking.slot.key}"
    plans: list[TimerPlan] = []
    if booking.status in (BookingStatus.HELD, BookingStatus.PROPOSED) and booking.hold_expires_at:
        deadline = booking.hold_expires_at
        status = booking.status.value
        plans.append(TimerPlan(HOLD_EXPIRY, f"{prefix}:{status}:expiry", deadline, base))
        asked_at = booking.timeline[-1].at if booking.timeline else now
        nudge = asked_at + (deadline - asked_at) / 2
        if booking.status is BookingStatus.HELD and nudge > now:
            payload = {**base, "expires_at": deadline.isoformat()}
            plans.append(TimerPlan(SHOP_NUDGE, f"{prefix}:nudge", nudge, payload))
    appointment = booking.appointment
    if appointment is not None:  # also the kept slot of a request to move: it still stands
        for before in rules.reminders_ahead(appointment, now):
            minutes = int(before.total_seconds() // 60)
            payload = {**base, "slot": appointment.key, "before_minutes": minutes}
            payload["expires_at"] = appointment.start.isoformat()
            key = f"{booking.subject}:{appointment.key}:remind:{minutes}"
            plans.append(TimerPlan(APPOINTMENT_REMINDER, key, appointment.start - before, payload))
    if booking.accepted_at is not None and rules.maintenance_after_months > 0:
        due = add_months(booking.accepted_at, rules.maintenance_after_months)
        key = f"{booking.subject}:maintenance"
        plans.append(TimerPlan(MAINTENANCE_REMINDER, key, due, dict(base)))
    return plans


def add_months(moment: datetime, months: int) -> datetime:
    """The same time of day ``months`` calendar months later (the 31st → the month's end)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))
