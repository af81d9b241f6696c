"""What the 小额快赔 dialog keeps between turns besides its step (the machine's state)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogs.conversation import Conversation
from dialogs.slots_codec import slots_from_json, slots_to_json


@dataclass
class SmallClaimSlots:
    claim: str | None = None  # the claim in the lane
    picked: list[str] = field(default_factory=list)  # the damaged parts' codes
    item: str | None = None  # the document asked for (a ``Document`` value)
    card: str | None = None  # the payee's bank card, given and not yet confirmed or paid to


def load(conv: Conversation) -> SmallClaimSlots:
    return slots_from_json(SmallClaimSlots, conv.slots)


def keep(conv: Conversation, slots: SmallClaimSlots) -> None:
    conv.slots.update(slots_to_json(slots))
