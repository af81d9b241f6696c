"""What the 快处快赔 dialog keeps between turns besides its step (the machine's state)."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.conversation import Conversation
from dialogs.slots_codec import slots_from_json, slots_to_json


@dataclass
class QuickDealSlots:
    deal: str | None = None  # the claim number naming the case the other driver joined


def load(conv: Conversation) -> QuickDealSlots:
    return slots_from_json(QuickDealSlots, conv.slots)


def keep(conv: Conversation, slots: QuickDealSlots) -> None:
    conv.slots.update(slots_to_json(slots))
