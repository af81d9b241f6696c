"""The accident report dialog (报案): its machine, step handlers, views and turns.

``from dialogs import report`` gives the entry points the registry entry
(``dialogs/report/dialog.py``) and the tests use.
"""

from dialogs.report.flow import (
    ABANDON,
    KEEP_GOING,
    ask_cancel,
    begin,
    cancel,
    go_back,
    handle,
    is_waiting,
    offer_resume,
    reprompt,
)
from dialogs.report.machine import (
    ALL_FINE,
    COLLECTING,
    FIRST,
    FIRST_STEP,
    MACHINE,
    MENU,
    NAME,
    RESUME,
    STEPS,
    SUMMARY,
    UNFINISHED,
    enter,
    step_of,
    upgrade,
)
from dialogs.report.slots import ReportSlots
from dialogs.report.steps import STEP_HANDLERS
from dialogs.report.views import choice_value, summary_params

__all__ = [
    "ABANDON",
    "ALL_FINE",
    "COLLECTING",
    "FIRST",
    "FIRST_STEP",
    "KEEP_GOING",
    "MACHINE",
    "MENU",
    "NAME",
    "RESUME",
    "STEPS",
    "STEP_HANDLERS",
    "SUMMARY",
    "UNFINISHED",
    "ReportSlots",
    "ask_cancel",
    "begin",
    "cancel",
    "choice_value",
    "enter",
    "go_back",
    "handle",
    "is_waiting",
    "offer_resume",
    "reprompt",
    "step_of",
    "summary_params",
    "upgrade",
]
