"""Shop staff answer a booking request in words, as they would to a colleague: "确认" /
"好的" / "可以" / "1" confirms, "改到明天下午3点" proposes that time, "不接" / "满了" /
"没有配件" declines with that reason. The words are locale data (``_lexicon.staff_replies``).

The answer goes to the request waiting for the shop; when several wait, the bot asks which,
by plate (``sw:<booking id>`` choices), remembering what was said. The work itself is done
by the shop dialog's own buttons and steps (``dialogs/shop.py``), so words and buttons
cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from dialogs import router_slots, shop
from dialogs.booking.views import booking_params
from dialogs.conversation import Conversation, TurnContext
from dialogs.lexicon import normalize_word
from dialogs.router_slots import StaffSaid
from dialogs.timeparse import parse_appointment_time
from domain.booking import Booking, BookingStatus
from domain.shop import Shop
from domain.slots import key_of
from messages.choices import ShopChoice, StaffWordsChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Choice, Outbound

_SPLIT = re.compile(r"[\s,，。.!！、;；]+")


def is_choice(value: str) -> bool:
    return StaffWordsChoice.matches(value)


def reply(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound] | None:
    """The answer to a shop staff member's words about a waiting request; None when the
    sender is not shop staff, nothing waits, or the words are not such an answer."""
    if inbound.kind is not InboundKind.TEXT or conv.dialog is not None:
        return None
    staff = ctx.uow.shops.staff_for_party(conv.party_id)
    the_shop = None if staff is None else ctx.uow.shops.get(staff.shop_id)
    if staff is None or the_shop is None:
        return None
    said = _read(inbound.text, the_shop, ctx)
    if said is None:
        return None
    waiting = _waiting(ctx, staff.shop_id)
    if not waiting:
        return None
    if len(waiting) == 1:
        return _act(conv, waiting[0].id or 0, said, inbound, ctx)
    with router_slots.edit(conv) as shared:
        shared.said = said
    choices = tuple(
        Choice(
            StaffWordsChoice(b.id or 0).encode(),
            "staff_words.choice.booking",
            booking_params(b, the_shop),
        )
        for b in waiting[:9]
    )
    return [Outbound("staff_words.which", {"action": said.action}, choices)]


def choose(conv: Conversation, value: str, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    """The request picked by plate: do what was said."""
    with router_slots.edit(conv) as shared:
        said, shared.said = shared.said, None
    picked = StaffWordsChoice.decode(value)
    if said is None or picked is None:
        return [Outbound("input.stale_choice")]
    return _act(conv, picked.booking_id, said, inbound, ctx)


def _read(text: str, the_shop: Shop | None, ctx: TurnContext) -> StaffSaid | None:
    words = ctx.lexicon.table("staff_replies")
    said = normalize_word(text)
    tz = the_shop.tz if the_shop is not None else ctx.tz
    for prefix in sorted(
        (str(w).casefold() for w in words.get("propose", [])), key=len, reverse=True
    ):
        if said.startswith(prefix):
            at = parse_appointment_time(said[len(prefix) :], ctx.now, tz, ctx.lexicon)
            return None if at is None else StaffSaid("prop", at=at.isoformat())
    confirm = {normalize_word(str(w)) for w in words.get("confirm", [])}
    parts = [part for part in _SPLIT.split(said) if part]
    if parts and all(part in confirm for part in parts):
        return StaffSaid("ok")
    if any(str(w).casefold() in said for w in words.get("decline", [])):
        return StaffSaid("no", reason=text.strip()[:200])
    at = parse_appointment_time(text, ctx.now, tz, ctx.lexicon)  # a time alone: that time
    return None if at is None else StaffSaid("prop", at=at.isoformat())


def _waiting(ctx: TurnContext, shop_id: int) -> list[Booking]:
    """The shop's requests waiting for its answer, newest first."""
    held = [b for b in ctx.uow.bookings.for_shop(shop_id) if b.status is BookingStatus.HELD]
    return sorted(held, key=lambda b: (b.created_at, b.id or 0), reverse=True)


def _act(
    conv: Conversation, booking_id: int, said: StaffSaid, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    action = said.action
    started = shop.choose(conv, ShopChoice(booking_id, action).encode(), ctx)
    if action == "ok" or conv.dialog != shop.NAME:
        return started  # done, or refused (another shop's booking, no longer waiting)
    if action == "no":
        reason = replace(inbound, kind=InboundKind.TEXT, text=said.reason or "")
        return shop.handle(conv, reason, ctx)
    try:
        at = datetime.fromisoformat(str(said.at))
    except ValueError:
        return started
    slot = replace(inbound, kind=InboundKind.CHOICE, text=f"s:at:{key_of(at)}")
    return shop.handle(conv, slot, ctx)
