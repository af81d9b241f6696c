"""A repair shop's supplement (追加定损) from its booking card: parts, labour and paint found
once the car is open, added to the claim the booking repairs.

The items are the claim's loss items like the adjuster's own supplements: the claim is
assessed again and the agreed proposal stands until the adjuster, told of the items,
proposes the next version to the owner (``Claim.add_loss_item``). A shop adds items only
to the claim of a repair booking of its own, while the car is in its hands.

Photos the shop sends with a supplement are the claim's evidence too (role
``PhotoRole.SUPPLEMENT``), taken only once the claim was agreed and before it is closed; they
change neither the stage nor the agreed figures. Who sent them, when, and for which version
of the proposal is the timeline's ``supplement_photo`` entry ("v<version> <media id> ...").
Their per-photo check is against the workshop, not the accident: taken after the accident
and by the upload, at the sender's shop (``domain.evidence.check_workshop_photo``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.adjudication import LossItem
from domain.booking import Booking, BookingKind, BookingStatus
from domain.booking_services import staff_booking
from domain.claim import Action, Claim, StatusChange
from domain.errors import Refusal, UnknownClaim
from domain.evidence import Evidence, MediaKind, PhotoRole, WorkshopFacts, already_received
from domain.geo import GeoPoint
from domain.ports import UnitOfWork
from domain.shop import ShopStaff

# The car is at the shop: arrived, in repair, or back after a problem.
SUPPLEMENT_STAGES = (BookingStatus.ARRIVED, BookingStatus.IN_REPAIR, BookingStatus.PROBLEM)


class NotAClaimRepair(Refusal):
    """A maintenance booking has no claim to add items to (params: booking)."""

    reason = "booking.not_a_claim_repair"


class NotInSupplement(Refusal):
    """Photos for a supplement need a claim agreed and not yet closed (params: number)."""

    reason = "booking.claim_not_in_supplement"


class NoPhotos(Refusal):
    """Nothing sent was a photo (params: none)."""

    reason = "booking.supplement_photos_only"


@dataclass(frozen=True)
class SupplementSource:
    """Where a supplement photo came from: who sent it, when, for which proposal version."""

    actor: str
    at: datetime
    version: int


@dataclass(frozen=True)
class PhotosAdded:
    booking: Booking
    claim: Claim
    version: int
    added: list[Evidence]  # new to the claim (a photo already in it is not added again)
    sent: int  # photos in the message


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


def supplement_version(claim: Claim) -> int:
    """The proposal version a supplement leads to: the one after the latest agreed; refused
    (NotInSupplement) when the claim was never agreed or is closed."""
    agreement = claim.adjudication.agreement
    if agreement is None or claim.closed:
        raise NotInSupplement(number=claim.number)
    return agreement.version + 1


def shop_supplement_photos(
    uow: UnitOfWork,
    booking_id: int,
    staff: ShopStaff,
    sent: Sequence[Evidence],
    now: datetime,
) -> PhotosAdded:
    """Attach the shop's photos to the claim its booking repairs, as supplement evidence;
    refused like ``shop_supplement``, and for a claim not agreed or already closed."""
    booking = staff_booking(uow, booking_id, staff)
    if booking.kind is not BookingKind.REPAIR or not booking.claim_number:
        raise NotAClaimRepair(booking=booking.reference)
    booking.require(*SUPPLEMENT_STAGES, action="supplement")
    photos = [item for item in sent if item.kind is MediaKind.PHOTO]
    if not photos:
        raise NoPhotos()
    claim = uow.claims.get_for_update(booking.claim_number)
    if claim is None:
        raise UnknownClaim(number=booking.claim_number)
    version = supplement_version(claim)
    claim.require_stage(Action.SUPPLEMENT_PHOTO)
    added: list[Evidence] = []
    for item in photos:
        if not already_received([*claim.report.evidence, *added], item.media_id):
            added.append(
                Evidence(item.media_id, item.kind, PhotoRole.SUPPLEMENT, item.taken_at, item.gps)
            )
    if added:
        claim.report.evidence.extend(added)
        ids = " ".join(str(item.media_id) for item in added)
        claim.record(Action.SUPPLEMENT_PHOTO, now, staff.actor, f"v{version} {ids}")
        uow.claims.save(claim)
    return PhotosAdded(booking, claim, version, added, len(photos))


def supplement_sources(timeline: Sequence[StatusChange]) -> dict[int, SupplementSource]:
    """Each supplement photo's source, by media id, from the claim's timeline."""
    sources: dict[int, SupplementSource] = {}
    for change in timeline:
        if change.action == Action.SUPPLEMENT_PHOTO:
            sources.update(sources_in_note(change.actor, change.at, change.note))
    return sources


def sources_in_note(actor: str, at: datetime, note: str) -> dict[int, SupplementSource]:
    """The photos one ``supplement_photo`` entry ("v<version> <media id> ...") recorded."""
    version, *ids = note.split()
    source = SupplementSource(actor, at, int(version.removeprefix("v")))
    return {int(media_id): source for media_id in ids}


def supplement_photo_count(claim: Claim, version: int) -> int:
    """How many photos the shop sent for the supplement that leads to ``version``."""
    return sum(1 for s in supplement_sources(claim.timeline).values() if s.version == version)


def workshop_facts(
    sources: Mapping[int, SupplementSource], shop_locations: Mapping[str, GeoPoint]
) -> dict[int, WorkshopFacts]:
    """What each supplement photo is checked against, by media id: when it was sent, and
    where the sender's shop is (``shop_locations`` by staff actor; absent: not judged)."""
    return {
        media_id: WorkshopFacts(source.at, shop_locations.get(source.actor))
        for media_id, source in sources.items()
    }
