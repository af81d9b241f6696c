"""What the router and the services every dialog shares keep in a conversation's slots,
beside the running dialog's own: the choices of the last turn, the button it took, the
texts in a row that fit nothing, photos sent before a report, the owner's words held
until they agree to the privacy notice, and a shop's words waiting for "which booking?".

Stored by the one slots codec under the keys they always had. Unlike a dialog's slots a
field left at None is not stored at all (the key is removed), as these keys were only
ever written when they held something, so conversations stored before keep their shape.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dialogs.slots_codec import register, slots_from_json, slots_to_json
from messages.inbound import MediaItem, media_item_from_json, media_item_to_json

if TYPE_CHECKING:
    from dialogs.conversation import Conversation

register(MediaItem, media_item_to_json, media_item_from_json)


@dataclass
class Tapped:
    """The latest button the conversation took, and the turn's time (ISO)."""

    value: str = ""
    at: str = ""


@dataclass
class StaffSaid:
    """A shop's answer in words, kept while it picks the request it is for."""

    action: str = ""  # "ok" confirms, "prop" proposes ``at``, "no" declines for ``reason``
    at: str | None = None
    reason: str | None = None


@dataclass
class RouterSlots:
    offered: list[str] | None = None  # every choice of the last turn's answers
    numbered: list[str] | None = None  # the choices a typed number picks from
    tapped: Tapped | None = None  # a second tap on it with no turn between is silent
    unclear: int | None = None  # texts in a row that fit nothing
    pending_evidence: list[MediaItem] | None = None  # media sent before a report was started
    held_text: str | None = None  # what the owner wrote before agreeing to the notice
    said: StaffSaid | None = None  # a shop's words waiting for the booking they answer


# Kept for the last turn only: not carried through a handoff.
_TURN_ONLY = frozenset({"offered", "numbered", "unclear"})


def load(conv: Conversation) -> RouterSlots:
    return slots_from_json(RouterSlots, conv.slots)


def keep(conv: Conversation, slots: RouterSlots) -> None:
    for key, value in slots_to_json(slots).items():
        if value is None:
            conv.slots.pop(key, None)
        else:
            conv.slots[key] = value


@contextmanager
def edit(conv: Conversation) -> Iterator[RouterSlots]:
    """The shared slots, kept when the block ends (keep the block free of other turns)."""
    slots = load(conv)
    yield slots
    keep(conv, slots)


def outliving_the_turn(slots: Mapping[str, Any]) -> dict[str, Any]:
    """The stored slots without the last turn's choices and misses (kept over a handoff)."""
    return {k: v for k, v in slots.items() if k not in _TURN_ONLY}


def keep_pending_media(conv: Conversation, media: Sequence[MediaItem]) -> None:
    with edit(conv) as slots:
        slots.pending_evidence = [*(slots.pending_evidence or []), *media]


def pending_media(conv: Conversation) -> list[MediaItem]:
    return list(load(conv).pending_evidence or [])
