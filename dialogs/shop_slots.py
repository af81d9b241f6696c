"""What the shop staff's dialog keeps between turns besides its step (the machine's state)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dialogs.conversation import Conversation
from dialogs.slots_codec import slots_from_json, slots_to_json


@dataclass
class ShopSlots:
    booking: int | None = None  # the booking the answer awaited is for
    after: str | None = None  # slots shown after this one ("later")
    last_shown: str | None = None
    estimate: str | None = None  # the completion time given, while the quote is asked
    prompt: dict[str, Any] | None = None  # the question last asked, as an outbox payload


def load(conv: Conversation) -> ShopSlots:
    return slots_from_json(ShopSlots, conv.slots)


def keep(conv: Conversation, slots: ShopSlots) -> None:
    conv.slots.update(slots_to_json(slots))
