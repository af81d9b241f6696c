"""The refusals of the booking lifecycle (each a ``Refusal`` with its message key).

Re-exported by ``domain.booking``, where callers have always found them.
"""

from __future__ import annotations

from domain.errors import Refusal


class BookingNotFound(Refusal):
    """No such booking, or not one the asker may act on: the answer is the same."""

    reason = "booking.not_found"


class BookingWrongStage(Refusal):
    """The booking's status does not allow the action (a stale button, mostly)."""

    reason = "booking.wrong_stage"


class SlotUnavailable(Refusal):
    """Past, inside the lead time, beyond the horizon, a closed day, or not a slot."""

    reason = "booking.slot_unavailable"


class SlotFull(Refusal):
    reason = "booking.slot_full"


class PastCutoff(Refusal):
    reason = "booking.past_cutoff"


class TooManyReschedules(Refusal):
    reason = "booking.too_many_reschedules"


class NotShopStaff(Refusal):
    reason = "booking.not_shop_staff"


class ShopUnknown(Refusal):
    reason = "booking.shop_unknown"


class AlreadyShopStaff(Refusal):
    """The sender answers for a shop already (params: name, shop)."""

    reason = "booking.already_staff"


class AlreadyBooked(Refusal):
    """An open booking exists for this claim or vehicle already (no slot hoarding)."""

    reason = "booking.already_booked"


class ClaimNotReady(Refusal):
    """A claim repair is booked once the loss is assessed (or for a claim not theirs)."""

    reason = "booking.claim_not_ready"


class RepairComplete(Refusal):
    """The claim's repair was booked and accepted already (params: number, booking)."""

    reason = "booking.repair_complete"


class BadText(Refusal):
    """A reason, problem or comment that is missing or too long (params: max)."""

    reason = "booking.bad_text"


class BadRating(Refusal):
    reason = "booking.bad_rating"


class BadAmount(Refusal):
    reason = "booking.bad_amount"


class BadEstimate(Refusal):
    reason = "booking.bad_estimate"


class BadQuote(Refusal):
    """A quote or final amount that is not above zero or is over the cap (params: max)."""

    reason = "booking.bad_quote"
