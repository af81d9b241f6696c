"""The accident report dialog (报案): slot filling in any order, summary, claim number.

One Machine definition serves every conversation: its triggers fire with the
Conversation as the model (dialogs.machines).
"""

from __future__ import annotations

from transitions import Machine

from dialogs.conversation import IDLE, Conversation
from dialogs.machines import fire
from dialogs.report import slots
from domain.report import (
    ReportItem,
)

NAME = "report"
SUMMARY, RESUME = "summary", "resume_offer"
MENU = "menu"
# Each question is a state of the machine: the step the report waits on.
STEPS = (
    "plate",
    "check",
    "time",
    "location",
    "description",
    "injuries",
    "drivable",
    "rescue",
    "has_other",
    "other_plate",
    "other_insurer",
    "more_other",
    "witnesses",
    "police",
    "evidence",
    MENU,
)
FIRST = STEPS[0]
# The state of every step in reports stored before the steps were states (the step was a
# slot then): such a conversation is brought to the step's own state when it is loaded.
COLLECTING = "collecting"

MACHINE = Machine(
    model=None,
    states=[IDLE, *STEPS, SUMMARY, RESUME],
    transitions=[
        # Any item can be asked next: the owner fills them in any order, from the edit
        # menu too, and "back" returns to the one before.
        *(
            {"trigger": f"ask_{step}", "source": [IDLE, *STEPS, SUMMARY, RESUME], "dest": step}
            for step in STEPS
        ),
        {"trigger": "review", "source": list(STEPS), "dest": SUMMARY},
        {"trigger": "offer_resume", "source": [*STEPS, SUMMARY], "dest": RESUME},
        {"trigger": "resume_summary", "source": RESUME, "dest": SUMMARY},
        {"trigger": "finish", "source": SUMMARY, "dest": IDLE},
        {"trigger": "abandon", "source": "*", "dest": IDLE},
    ],
    initial=IDLE,
    auto_transitions=False,
)
UNFINISHED = frozenset({*STEPS, SUMMARY, RESUME, COLLECTING})

FIRST_STEP: dict[ReportItem, str] = {
    ReportItem.POLICY: "plate",
    ReportItem.TIME: "time",
    ReportItem.LOCATION: "location",
    ReportItem.DESCRIPTION: "description",
    ReportItem.INJURIES: "injuries",
    ReportItem.DRIVABLE: "drivable",
    ReportItem.OTHER_VEHICLES: "has_other",
    ReportItem.WITNESSES: "witnesses",
    ReportItem.POLICE: "police",
    ReportItem.EVIDENCE: "evidence",
}
ALL_FINE = "all_fine"  # the situation card's one tap: nobody hurt, drivable, no other car
PHOTO_READY_STEPS = frozenset({"witnesses", "police", "evidence"})


def move(conv: Conversation, trigger: str) -> None:
    """Fire ``trigger`` on this dialog's machine (dialogs.machines)."""
    fire(MACHINE, conv, trigger)


def enter(conv: Conversation, step: str) -> None:
    """Ask ``step`` next: the machine moves to its state."""
    move(conv, f"ask_{step}")


def step_of(conv: Conversation) -> str | None:
    """The step the report waits on (None at the summary, the resume offer, or idle)."""
    return conv.state if conv.state in STEPS else None


def upgrade(conv: Conversation) -> None:
    """A report stored before its steps were states (state "collecting", the step in
    ``slots["step"]``) is brought to this shape; any other conversation is left as is."""
    if conv.dialog != NAME:
        return
    step = slots.take_old_step(conv) or FIRST  # no step yet: the first question
    if conv.state == COLLECTING:
        conv.state = step
    kept = slots.load(conv)
    if kept.resume_state == COLLECTING:
        kept.resume_state = step
        slots.keep(conv, kept)
