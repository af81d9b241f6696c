"""A shop's supplement (追加定损) in words: "前保险杠 850", "喷漆 前保险杠 600", "工时 拆装 200",
one item a line (or separated by ；), as the adjuster's ``/loss`` takes them after the claim
number: an optional kind word (配件 / 工时 / 喷漆, part by default), the description,
the amount. The shop's booking dialog (``dialogs.shop``) asks for them and calls here.

Photos sent in that step (before the items or right after them) are the supplement's
evidence (``domain.claim_supplement.shop_supplement_photos``): the adjuster's card for the
items says how many came with them; photos after the card go to the adjuster on their own.
"""

from __future__ import annotations

import re
from typing import Any

from dialogs.booking.views import booking_params, staff_choices, to_owner
from dialogs.claims.owner import to_adjuster
from dialogs.claims.views import amount, evidence_checks, lexicon_pick, loss_params
from dialogs.claims.views import refusal as claim_refusal
from dialogs.conversation import TurnContext
from domain.adjudication import MAX_LOSS_DESCRIPTION, Adjudication, LossItem, LossKind
from domain.booking import Booking
from domain.claim import Claim, ClaimStatus
from domain.claim_supplement import (
    shop_supplement_photos,
    supplement_photo_count,
    supplement_sources,
)
from domain.errors import BadAmount, Refusal, TextTooLong
from domain.evidence import MediaKind, evidence_from_metadata
from domain.shop import Shop, ShopStaff
from messages.inbound import Inbound
from messages.outbound import Choice, Outbound

MAX_ITEMS = 10  # in one message; the claim's own limit applies to the total
KIND_WORDS = {f"loss_{kind.value}": kind for kind in LossKind}
_SEPARATORS = re.compile(r"[\n;；]+")
_GLUED = re.compile(r"^(?P<what>.*?\D)\s*(?P<amount>\d[\d,]*(?:\.\d{1,2})?\s*(?:元|块)?)$")


def read_items(text: str, ctx: TurnContext) -> list[LossItem]:
    """The items typed; ``BadAmount`` or ``TextTooLong`` for an item that is not one."""
    parts = [p.strip() for p in _SEPARATORS.split(text) if p.strip()]
    if not parts or len(parts) > MAX_ITEMS:
        raise BadAmount(amount=text.strip()[:20])
    return [_item(part, ctx) for part in parts]


def _item(part: str, ctx: TurnContext) -> LossItem:
    words = part.split()
    if len(words) >= 2:
        what, value = " ".join(words[:-1]), words[-1]
    elif glued := _GLUED.match(part):
        what, value = glued["what"].strip(), glued["amount"]
    else:
        raise BadAmount(amount=part[:20])
    first, _, rest = what.partition(" ")
    kind = lexicon_pick(ctx, first, KIND_WORDS) if rest else None
    description = rest.strip() if kind is not None else what
    if not description:
        raise BadAmount(amount=part[:20])
    if len(description) > MAX_LOSS_DESCRIPTION:
        raise TextTooLong(max=MAX_LOSS_DESCRIPTION)
    return LossItem(kind or LossKind.PART, description, amount(value, ctx))


def added(
    booking: Booking, shop: Shop, claim: Claim, items: list[LossItem], ctx: TurnContext
) -> list[Outbound]:
    """The shop's confirmation, the adjuster's card (to propose the next version) and the
    owner's notice."""
    shown = loss_params_of(items)
    params: dict[str, Any] = {
        **booking_params(booking, shop),
        "number": claim.number,
        "added": shown["items"],
        "added_total": shown["total"],
        "claim_total": claim.adjudication.loss_total.grouped(),
    }
    agreed = claim.adjudication.agreement  # None: items before any agreement, no photos
    version = 0 if agreed is None else agreed.version + 1
    sources = supplement_sources(claim.timeline)
    photos = tuple(media for media, source in sources.items() if source.version == version)
    card = {**params, "shop": shop.name, "photos": len(photos), "version": version}
    return [
        Outbound("booking.shop.done.supplement", params, staff_choices(booking)),
        *to_adjuster(claim, ctx, "claims.adjuster.shop_supplement", card, attachments=photos),
        to_owner(booking, shop, "booking.supplement_added", params),
    ]


def photos_prompt(booking: Booking, claim: Claim, done: Choice) -> Outbound:
    """After the items: photos may follow, as the supplement's evidence."""
    params = {"ref": booking.reference, "number": claim.number}
    return Outbound("booking.shop.ask.supplement_photos", params, (done,))


def photos_sent(
    booking_id: int, staff: ShopStaff, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    """Store the photos the shop sent as the claim's supplement evidence: the shop's
    confirmation and, once the items went to the adjuster, the adjuster's notice."""
    sent = [
        evidence_from_metadata(
            m.media_id, MediaKind(m.kind), None, m.taken_at, m.gps_lat, m.gps_lon
        )
        for m in inbound.media
    ]
    try:
        result = shop_supplement_photos(ctx.uow, booking_id, staff, sent, ctx.now)
    except Refusal as error:
        return [refused(error)]
    claim = result.claim
    params = {
        "ref": result.booking.reference,
        "number": claim.number,
        "version": result.version,
        "added": len(result.added),
        "repeated": result.sent - len(result.added),
        "rejected": list(inbound.rejected),
        "total": supplement_photo_count(claim, result.version),
    }
    outs = [Outbound("booking.shop.done.supplement_photos", params)]
    if result.added and claim.status is not ClaimStatus.AGREED:  # the items' card went out
        checks = evidence_checks(result.added, claim, ctx)
        attachments = tuple(item.media_id for item in result.added)
        outs += to_adjuster(
            claim,
            ctx,
            "claims.adjuster.shop_supplement_photos",
            {**params, "checks": checks},
            attachments=attachments,
        )
    return outs


def loss_params_of(items: list[LossItem]) -> dict[str, Any]:
    return loss_params(Adjudication(loss_items=list(items)))


def refused(error: Refusal) -> Outbound:
    """A claim's refusal in the claim's words; a booking's in the booking's."""
    if error.reason.startswith("booking."):
        return Outbound(f"booking.refusal.{error.reason.removeprefix('booking.')}", error.params)
    return claim_refusal(error)
