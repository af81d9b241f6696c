"""Every dialog the router runs, in the order it asks them.

A new dialog or command family is one module with a ``Dialog`` (see ``dialogs/dialog.py``
and ``docs/extending.md``) plus one line in ``DIALOGS``. The router, the Telegram command
menu, the WeChat menu and the scheduler's view of unfinished dialogs all read from here.
Where two entries claim the same command, menu key or word, the earlier one runs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dialogs.accident import ACCIDENT
from dialogs.approvals import APPROVALS
from dialogs.booking.dialog import BOOKING, SHOP
from dialogs.claim_steps import CLAIM_STEPS
from dialogs.claims.dialog import CLAIMS
from dialogs.conversation import Conversation
from dialogs.dialog import Dialog, MenuItem
from dialogs.documents import DOCUMENTS
from dialogs.humans import HUMAN
from dialogs.lexicon import Lexicon
from dialogs.quickdeal.dialog import QUICK_DEAL
from dialogs.report.dialog import REPORT
from dialogs.smallclaim.dialog import SMALL_CLAIM

DIALOGS: tuple[Dialog, ...] = (
    REPORT,
    BOOKING,
    DOCUMENTS,
    CLAIMS,
    ACCIDENT,
    SHOP,
    APPROVALS,
    CLAIM_STEPS,
    QUICK_DEAL,
    SMALL_CLAIM,
    HUMAN,
)


class Registry:
    def __init__(self, dialogs: Sequence[Dialog]) -> None:
        self.dialogs = tuple(dialogs)

    def running(self, conv: Conversation) -> Dialog | None:
        """The dialog that holds the conversation, if any."""
        return next((d for d in self.dialogs if conv.dialog and d.name == conv.dialog), None)

    def for_command(self, name: str) -> Dialog | None:
        return next((d for d in self.dialogs if name in d.commands), None)

    def for_choice(self, value: str) -> Dialog | None:
        """The dialog owning a button that names its subject (not checked against the offer)."""
        return next((d for d in self.dialogs if d.owns_choice(value)), None)

    def started_by(self, value: str) -> Dialog | None:
        return next((d for d in self.dialogs if d.start and d.start.encode() == value), None)

    def menu_command(self, key: str) -> str | None:
        """The command a channel's menu button runs (the WeChat menu key REPORT: /report)."""
        return next((item.command for item in self.channel_menu() if item.key == key), None)

    def word_command(self, text: str, lexicon: Lexicon) -> str | None:
        """The command typed words mean (报案: /report), if any."""
        words = (word for d in self.dialogs for word in d.words)
        return next((w.command for w in words if lexicon.means(text, w.group)), None)

    def channel_menu(self) -> tuple[MenuItem, ...]:
        return tuple(item for d in self.dialogs for item in d.menu)

    def command_menu(self) -> tuple[str, ...]:
        """The commands a channel lists (Telegram's menu), without the "/"."""
        return ("start", *(c for d in self.dialogs for c in d.menu_commands), *GLOBAL_MENU)

    def unfinished(self) -> Mapping[str, frozenset[str]]:
        """Each dialog that can wait for its party, and the states in which it waits."""
        return {d.name: d.unfinished for d in self.dialogs if d.unfinished}

    def with_dialog(self, dialog: Dialog) -> Registry:
        """This registry and one more dialog, asked last (tests and examples)."""
        return Registry((*self.dialogs, dialog))


GLOBAL_MENU = ("cancel", "back", "help", "lang")  # the router's own commands, listed last
REGISTRY = Registry(DIALOGS)
