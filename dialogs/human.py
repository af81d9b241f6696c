"""A conversation handed to a person (人工客服): asked for in words or from the menu, or
after three messages in a row the bot did not understand.

While it is open the owner's messages go to the dashboard's queue (``uow.handoffs``) and
staff answer from there through the outbox; "结束人工" (or staff closing it) hands the
conversation back to the bot, where it was: a report in progress is kept, not lost.
"""

from __future__ import annotations

from typing import Any

from dialogs.conversation import Conversation, TurnContext
from dialogs.lexicon import normalize_word
from messages.choices import END_HANDOFF, HandoffChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Choice, Outbound

NAME = "human"
WAITING = "waiting"
MISUNDERSTOOD_LIMIT = 3  # texts in a row that fit nothing before a person is offered
MAX_TEXT = 2000


def begin(conv: Conversation, inbound: Inbound, ctx: TurnContext, reason: str) -> list[Outbound]:
    """Queue the conversation for a person; the owner is told the expected wait."""
    conv.slots.pop("unclear", None)
    queue = getattr(ctx.uow, "handoffs", None)  # a unit of work without the queue: hotline
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
    before = {
        "dialog": conv.dialog,
        "state": conv.state,
        "slots": {
            k: v for k, v in conv.slots.items() if k not in ("offered", "numbered", "unclear")
        },
    }
    conv.dialog, conv.state = NAME, WAITING
    conv.slots = {"handoff": handoff_id, "before": before}
    return [_queued("human.queued", ctx, reason)]


def handle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    """The owner's message while a person is asked for: kept for staff, or the end."""
    queue = getattr(ctx.uow, "handoffs", None)
    handoff_id = conv.slots.get("handoff")
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
    before: dict[str, Any] = conv.slots.get("before") or {}
    conv.dialog = before.get("dialog")
    conv.state = str(before.get("state") or "idle")
    conv.slots = dict(before.get("slots") or {})


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
