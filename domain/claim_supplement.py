"""A repair shop's supplement (追加定损) from its booking card: parts, labour and paint found
once the car is open, added to the claim the booking repairs.

The items are the claim's loss items like the adjuster's own supplements: the claim is
assessed again and the agreed proposal stands until the adjuster, told of the items,
proposes the next version to the owner (``Claim.add_loss_item``). A shop adds items only
to the claim of a repair booking of its own, while the car is in its hands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.adjudication import LossItem
from domain.booking import Booking, BookingKind, BookingStatus
from domain.booking_services import staff_booking
from domain.claim import Claim
from domain.errors import Refusal, UnknownClaim
from domain.ports import UnitOfWork
from domain.shop import ShopStaff

# The car is at the shop: arrived, in repair, or back after a problem.
SUPPLEMENT_STAGES = (BookingStatus.ARRIVED, BookingStatus.IN_REPAIR, BookingStatus.PROBLEM)


class NotAClaimRepair(Refusal):
    """A maintenance booking has no claim to add items to (params: booking)."""

    reason = "booking.not_a_claim_repair"


def can_supplement(booking: Booking) -> bool:
    return (
        booking.kind is BookingKind.REPAIR
        and bool(booking.claim_number)
        and booking.status in SUPPLEMENT_STAGES
    )


def shop_supplement(
    uow: UnitOfWork,
    booking_id: int,
    staff: ShopStaff,
    items: Sequence[LossItem],
    now: datetime,
) -> tuple[Booking, Claim]:
    """Add the shop's items to the claim its booking repairs; refused for another shop's
    booking, a maintenance booking, a car not in the shop, or a claim past its payment."""
    booking = staff_booking(uow, booking_id, staff)
    if booking.kind is not BookingKind.REPAIR or not booking.claim_number:
        raise NotAClaimRepair(booking=booking.reference)
    booking.require(*SUPPLEMENT_STAGES, action="supplement")
    claim = uow.claims.get_for_update(booking.claim_number)
    if claim is None:
        raise UnknownClaim(number=booking.claim_number)
    for item in items:
        claim.add_loss_item(item, now, staff.actor)
    uow.claims.save(claim)
    return booking, claim
