"""The owner's booking dialog (维修预约): its machine, steps, search, buttons and views.

``from dialogs import booking`` gives the entry points the registry entry
(``dialogs/booking/dialog.py``) and other dialogs use.
"""

from dialogs.booking.actions import choose, is_owner_choice
from dialogs.booking.hooks import cancel, go_back, list_bookings
from dialogs.booking.machine import MACHINE, NAME, STATES, is_busy, move, reprompt
from dialogs.booking.start import begin, book_choice, is_start, start_choice
from dialogs.booking.steps import handle

__all__ = [
    "MACHINE",
    "NAME",
    "STATES",
    "begin",
    "book_choice",
    "cancel",
    "choose",
    "go_back",
    "handle",
    "is_busy",
    "is_owner_choice",
    "is_start",
    "list_bookings",
    "move",
    "reprompt",
    "start_choice",
]
