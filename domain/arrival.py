"""When a shop may record a car's arrival (车辆已到店): not long before its slot.

A tap on "车辆已到店" hours or days before the appointment is a mistake (the wrong card,
the wrong car); the arrival starts the repair's clock and tells the owner, so it is
refused until the slot is within the configured window (CLAIMBOT_BOOKING_ARRIVAL_WINDOW_HOURS).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.booking import Booking
from domain.errors import Refusal


class TooEarlyToArrive(Refusal):
    reason = "booking.too_early_to_arrive"


def check_arrival(booking: Booking, now: datetime, window: timedelta) -> None:
    """Refuse an arrival more than ``window`` before the booking's slot starts."""
    slot = booking.appointment
    if slot is not None and now < slot.start - window:
        raise TooEarlyToArrive(
            booking=booking.reference,
            at=slot.start.isoformat(),
            minutes=round(window.total_seconds() / 60),
        )
