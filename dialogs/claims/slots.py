"""What the claims' short dialogs keep between turns: each a dataclass stored by the one
slots codec as an object under its own key of the conversation's slots (``KEY``), which
is removed when the dialog ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from dialogs.conversation import Conversation
from dialogs.slots_codec import slots_from_json, slots_to_json


@dataclass
class DocumentsSlots:
    """Uploads waiting to be filed as a checklist item."""

    KEY: ClassVar[str] = "documents"
    number: str = ""
    media: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # the checklist items offered


@dataclass
class DisputeSlots:
    """The proposal whose dispute waits for its reason."""

    KEY: ClassVar[str] = "dispute"
    number: str = ""
    version: int = 0


@dataclass
class ApprovalSlots:
    """The claim whose send-back or appeal waits for its reason."""

    KEY: ClassVar[str] = "approval"
    number: str = ""


@dataclass
class ClaimStepSlots:
    """The claim whose next step (a survey's time and place, liability, a loss item, a
    payment) waits for the adjuster's words."""

    KEY: ClassVar[str] = "claim_step"
    number: str = ""


S = TypeVar("S", DocumentsSlots, DisputeSlots, ApprovalSlots, ClaimStepSlots)


def load(conv: Conversation, kind: type[S]) -> S:
    stored: dict[str, Any] = conv.slots.get(kind.KEY) or {}
    return slots_from_json(kind, stored)


def keep(
    conv: Conversation, slots: DocumentsSlots | DisputeSlots | ApprovalSlots | ClaimStepSlots
) -> None:
    conv.slots[slots.KEY] = slots_to_json(slots)


def drop(conv: Conversation, kind: type[S]) -> None:
    conv.slots.pop(kind.KEY, None)
