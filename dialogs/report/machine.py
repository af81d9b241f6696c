"""The accident report dialog (报案): slot filling in any order, summary, claim number.

One Machine definition serves every conversation: a Conversation is attached for one
turn, the trigger fires, and it is detached again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from transitions import Machine

from dialogs.conversation import IDLE, Conversation
from domain.report import (
    ReportItem,
)

NAME = "report"
COLLECTING, SUMMARY, RESUME = "collecting", "summary", "resume_offer"

MACHINE = Machine(
    model=None,
    states=[IDLE, COLLECTING, SUMMARY, RESUME],
    transitions=[
        {"trigger": "start", "source": [IDLE, RESUME], "dest": COLLECTING},
        {"trigger": "review", "source": COLLECTING, "dest": SUMMARY},
        {"trigger": "edit", "source": SUMMARY, "dest": COLLECTING},
        {"trigger": "offer_resume", "source": [COLLECTING, SUMMARY], "dest": RESUME},
        {"trigger": "resume_collecting", "source": RESUME, "dest": COLLECTING},
        {"trigger": "resume_summary", "source": RESUME, "dest": SUMMARY},
        {"trigger": "finish", "source": SUMMARY, "dest": IDLE},
        {"trigger": "abandon", "source": "*", "dest": IDLE},
    ],
    initial=IDLE,
    auto_transitions=False,
)

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
MENU = "menu"
ALL_FINE = "all_fine"  # the situation card's one tap: nobody hurt, drivable, no other car
PHOTO_READY_STEPS = frozenset({"witnesses", "police", "evidence"})


@contextmanager
def attached(conv: Conversation) -> Iterator[Any]:
    """The conversation with this dialog's triggers, for the length of one turn."""
    MACHINE.add_model(conv, initial=conv.state)
    try:
        yield conv
    finally:
        MACHINE.remove_model(conv)
