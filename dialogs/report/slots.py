"""What the report dialog keeps between turns besides its step (the machine's state)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogs.conversation import Conversation
from dialogs.report.codec import draft_from_json, draft_to_json
from dialogs.slots_codec import register, slots_from_json, slots_to_json
from domain.report import ReportDraft

register(ReportDraft, draft_to_json, draft_from_json)


@dataclass
class ReportSlots:
    draft: ReportDraft = field(default_factory=ReportDraft)
    history: list[str] = field(default_factory=list)  # the steps asked before, for "back"
    started_at: str | None = None
    plate_candidate: str | None = None  # a plate typed, waiting for its policy check
    stated: list[str] = field(default_factory=list)  # facts read from the description
    cancel_asked: bool = False  # "放弃本次报案？" is on the screen
    resume_state: str | None = None  # the state to go back to from the resume offer


def load(conv: Conversation) -> ReportSlots:
    return slots_from_json(ReportSlots, conv.slots)


def keep(conv: Conversation, slots: ReportSlots) -> None:
    conv.slots.update(slots_to_json(slots))


def take_old_step(conv: Conversation) -> str | None:
    """The step of a report stored before its steps were states (in ``slots["step"]``),
    removed from the slots."""
    step = conv.slots.pop("step", None)
    return str(step) if step else None
