"""A conversation handed to a person (人工客服): asked for in words or from the menu, or
after three messages in a row the bot did not understand.

While it is open the owner's messages go to the dashboard's queue (``uow.handoffs``) and
staff answer from there through the outbox; "结束人工" (or staff closing it) hands the
conversation back to the bot, where it was: a report in progress is kept, not lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialogs import router_slots
from dialogs.conversation import IDLE, Conversation, TurnContext
from dialogs.lexicon import normalize_word
from dialogs.slots_codec import slots_from_json, slots_to_json
from messages.choices import END_HANDOFF, HandoffChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Choice, Outbound

NAME = "human"
WAITING = "waiting"
MISUNDERSTOOD_LIMIT = 3  # texts in a row that fit nothing before a person is offered
MAX_TEXT = 2000


@dataclass
class Before:
    """Where the conversation was when it was handed to a person."""

    dialog: str | None = None
    state: str = IDLE
    slots: dict[str, Any] = field(default_factory=dict)


@dataclass
class HandoffSlots:
    handoff: int | None = None  # the queue's handoff
    before: Before | None = None


def load(slots: Mapping[str, Any]) -> HandoffSlots:
    """The handoff's slots (from a conversation's, or a stored conversation's, slots)."""
    return slots_from_json(HandoffSlots, slots)


def begin(conv: Conversation, inbound: Inbound, ctx: TurnContext, reason: str) -> list[Outbound]:
    """Queue the conversation for a person; the owner is told the expected wait."""
    with router_slots.edit(conv) as shared:
        shared.unclear = None
    queue = ctx.uow.handoffs  # None without a queue of people: the hotline
    if queue is None:
        return [Outbound("intent.human", {"hotline": ctx.hotline})]
    if conv.dialog == NAME:
        return [_queued("human.still_waiting", ctx, reason)]
    handoff_id = queue.open(
        conv.party_id, inbound.channel, inbound.chat_id, conv.locale, reason, ctx.now
    )
    if inbound.kind is InboundKind.TEXT and inbound.text.strip():
        queue.add_message(
            handoff_id, ctx.now, inbound.text.strip()[:MAX_TEXT], from_owner=True, author=None
        )
    before = Before(conv.dialog, conv.state, router_slots.outliving_the_turn(conv.slots))
    conv.dialog, conv.state = NAME, WAITING
    conv.slots = slots_to_json(HandoffSlots(handoff_id, before))
    return [_queued("human.queued", ctx, reason)]


def handle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    """The owner's message while a person is asked for: kept for staff, or the end."""
    queue = ctx.uow.handoffs
    handoff_id = load(conv.slots).handoff
    if queue is None or not isinstance(handoff_id, int):
        restore(conv)
        return []
    if _wants_the_bot(inbound, ctx):
        queue.close(handoff_id, ctx.now, "owner")
        restore(conv)
        return [Outbound("human.ended", {"by_owner": True})]
    text = _as_text(inbound)
    if text:
        queue.add_message(handoff_id, ctx.now, text[:MAX_TEXT], from_owner=True, author=None)
    return []  # staff answer from the dashboard


def restore(conv: Conversation) -> None:
    """Back to where the conversation was before the handoff."""
    before = load(conv.slots).before or Before()
    conv.dialog = before.dialog
    conv.state = str(before.state or IDLE)
    conv.slots = dict(before.slots or {})


def restored_state(slots: dict[str, Any]) -> tuple[str | None, str, dict[str, Any]]:
    """What ``restore`` would set, from a stored conversation's slots (the dashboard closes
    a handoff without a Conversation object)."""
    conv = Conversation(party_id=0, locale="", dialog=NAME, state=WAITING, slots=dict(slots))
    restore(conv)
    return conv.dialog, conv.state, conv.slots


def _queued(key: str, ctx: TurnContext, reason: str) -> Outbound:
    params = {"reason": reason, "hotline": ctx.hotline, "wait_minutes": ctx.handoff_wait_minutes}
    return Outbound(key, params, (Choice(END_HANDOFF.encode(), "human.choice.end"),))


def _wants_the_bot(inbound: Inbound, ctx: TurnContext) -> bool:
    if inbound.kind is InboundKind.CHOICE:
        return HandoffChoice.decode(inbound.text) == END_HANDOFF
    if inbound.kind in (InboundKind.TEXT, InboundKind.COMMAND):
        said = normalize_word(inbound.text)
        return said == "/cancel" or ctx.lexicon.means(said, "end_human")
    return False


def _as_text(inbound: Inbound) -> str:
    if inbound.kind is InboundKind.TEXT:
        return inbound.text.strip()
    if inbound.kind is InboundKind.MEDIA and inbound.media:
        return f"[{len(inbound.media)} × {inbound.media[0].kind}]"
    if inbound.kind is InboundKind.LOCATION:
        return f"[location {inbound.payload.get('lat')}, {inbound.payload.get('lon')}]"
    return ""
