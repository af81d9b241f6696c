"""The other driver's part before the picks: plate, phone and insurer, then the owner's
facts (time, place, description, photos) and the standard list. Photos they send while in
the case are added to it (and to the agreement)."""

from __future__ import annotations

from dialogs.conversation import Conversation, TurnContext
from dialogs.quickdeal.common import (
    INSURER,
    MAX_INSURER,
    PHONE,
    PLATE,
    WAITING,
    claim_and_policy,
)
from dialogs.quickdeal.picks import situation_list
from domain.geo import place_fields
from domain.policy import looks_like_plate, normalize_plate
from domain.quick_deal import MAX_PHOTOS, DealState, QuickDeal, normalize_mobile, same_phone
from domain.report import OtherVehicle
from messages.inbound import Inbound, InboundKind
from messages.outbound import Outbound


def answer(
    conv: Conversation, deal: QuickDeal, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    """A text while the other driver is asked for a detail."""
    if inbound.kind is not InboundKind.TEXT:
        return [Outbound("quickdeal.error.text"), *ask(conv)]
    found = claim_and_policy(ctx, deal.claim_number)
    if found is None:
        return [Outbound("quickdeal.closed")]
    claim, policy = found
    text = inbound.text.strip()
    if conv.state == PLATE:
        if not looks_like_plate(text):
            return [Outbound("report.error.plate_format"), *ask(conv)]
        plate = normalize_plate(text)
        if plate == claim.report.plate:
            return [Outbound("quickdeal.error.same_plate"), *ask(conv)]
        deal.driver.plate, conv.state = plate, PHONE
    elif conv.state == PHONE:
        phone = normalize_mobile(text)
        if phone is None:
            return [Outbound("quickdeal.error.phone"), *ask(conv)]
        if policy is not None and same_phone(phone, policy.phone):
            return [Outbound("quickdeal.error.same_phone"), *ask(conv)]
        deal.driver.phone, conv.state = phone, INSURER
    elif conv.state == INSURER:
        if not 2 <= len(text) <= MAX_INSURER:
            return [Outbound("quickdeal.error.insurer", {"max": MAX_INSURER}), *ask(conv)]
        deal.driver.insurer = text
        return _ready(conv, deal, ctx)
    ctx.uow.quick_deals.save(deal)
    return ask(conv)


def _ready(conv: Conversation, deal: QuickDeal, ctx: TurnContext) -> list[Outbound]:
    """All details given: the other driver sees the facts; both get the standard list."""
    found = claim_and_policy(ctx, deal.claim_number)
    assert found is not None
    claim = found[0]
    deal.state = DealState.PICKING
    conv.state = WAITING
    ctx.uow.quick_deals.save(deal)
    claim.report.other_vehicles = [OtherVehicle(deal.driver.plate, deal.driver.insurer)]
    ctx.uow.claims.save(claim)
    report = claim.report
    facts = {
        "number": claim.number,
        "accident_at": report.accident_at.isoformat() if report.accident_at else None,
        **place_fields(report.address, report.location),
        "description": report.description,
        "photos": len(report.evidence),
    }
    media = tuple(item.media_id for item in report.evidence)
    about_other = {
        "number": claim.number,
        "plate": deal.driver.plate,
        "insurer": deal.driver.insurer,
    }
    return [
        Outbound("quickdeal.facts", facts, attachments=media),
        situation_list(deal),
        Outbound("quickdeal.owner.details", about_other, to_party=deal.owner_id),
        situation_list(deal, to_party=deal.owner_id),
    ]


def add_photos(deal: QuickDeal, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    room = MAX_PHOTOS - len(deal.photos)
    taken = [item.media_id for item in inbound.media if item.kind == "photo"][: max(room, 0)]
    deal.photos.extend(taken)
    ctx.uow.quick_deals.save(deal)
    params = {"count": len(taken), "total": len(deal.photos), "max": MAX_PHOTOS}
    return [Outbound("quickdeal.photos_added", params)]


def ask(conv: Conversation) -> list[Outbound]:
    if conv.state in (PLATE, PHONE, INSURER):
        return [Outbound(f"quickdeal.ask.{conv.state}")]
    return []
