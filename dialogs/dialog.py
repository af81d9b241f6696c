"""What the router needs of a dialog: the ``Dialog`` protocol every registry entry meets.

A dialog is one family of conversation: the commands it runs, the buttons it owns, and,
when it holds the conversation (``conv.dialog == name``), how a turn inside it is handled,
cancelled, taken back and asked again. Entries are listed in ``dialogs/registry.py``; the
router, the channels' menus and the scheduler's view of unfinished dialogs read them from
there. ``DialogBase`` gives the answers of a dialog that owns nothing of a kind, so an
entry writes only what it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from dialogs.conversation import Conversation, TurnContext
from messages.choices import StartChoice
from messages.inbound import Inbound
from messages.outbound import Outbound, stale_choice_answer


@dataclass(frozen=True)
class MenuItem:
    """A button of a channel's own menu (the WeChat custom menu): its key, its label in
    the locale catalogs, and the command a tap on it runs."""

    key: str
    label_key: str
    command: str


@dataclass(frozen=True)
class Word:
    """Typed words that run a command (报案 → /report): a lexicon group and the command."""

    group: str
    command: str


class Dialog(Protocol):
    @property
    def name(self) -> str:
        """``conv.dialog`` while this dialog holds the conversation."""
        ...

    @property
    def commands(self) -> frozenset[str]:
        """The slash commands it runs (``/book``); the first entry listing one runs it."""
        ...

    @property
    def menu_commands(self) -> Sequence[str]:
        """Its commands shown in the channels' command menus (Telegram), without "/"."""
        ...

    @property
    def menu(self) -> Sequence[MenuItem]:
        """Its buttons of a channel's own menu (WeChat)."""
        ...

    @property
    def words(self) -> Sequence[Word]: ...

    @property
    def start(self) -> StartChoice | None:
        """The offered button that begins it (valid only while offered), if any."""
        ...

    @property
    def unfinished(self) -> frozenset[str]:
        """The states in which it waits for its party (the scheduler nudges them)."""
        ...

    def owns_choice(self, value: str) -> bool:
        """A button that names its subject (a claim, a booking): checked against the
        subject by ``choose``, not against the conversation's last offer."""
        ...

    def choose(self, conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]: ...

    def run(
        self, command: str, argument: str, conv: Conversation, ctx: TurnContext
    ) -> list[Outbound]: ...

    def begin(self, conv: Conversation, ctx: TurnContext) -> list[Outbound]: ...

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        """A turn while it holds the conversation."""
        ...

    def cancel(self, conv: Conversation) -> list[Outbound]: ...

    def back(self, conv: Conversation, ctx: TurnContext) -> list[Outbound]: ...

    def reprompt(self, conv: Conversation) -> list[Outbound]:
        """What it waits for, asked again."""
        ...

    def help(self, conv: Conversation, ctx: TurnContext) -> str | None:
        """The help topic while it holds the conversation; None: the sender's role's."""
        ...

    def role_help(self, conv: Conversation, ctx: TurnContext) -> str | None:
        """The help topic of the sender's staff role it knows (an adjuster, shop staff)."""
        ...

    def take_idle(
        self, conv: Conversation, inbound: Inbound, ctx: TurnContext
    ) -> list[Outbound] | None:
        """Input while no dialog holds the conversation that it takes (None: not its)."""
        ...


class DialogBase:
    """Defaults: owns no command, button, menu or word; while holding the conversation,
    "back" has nothing to go back to and every turn asks again."""

    name = ""
    commands: frozenset[str] = frozenset()
    menu_commands: Sequence[str] = ()
    menu: Sequence[MenuItem] = ()
    words: Sequence[Word] = ()
    start: StartChoice | None = None
    unfinished: frozenset[str] = frozenset()

    def owns_choice(self, value: str) -> bool:
        return False

    def choose(self, conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
        return [stale_choice_answer()]

    def run(
        self, command: str, argument: str, conv: Conversation, ctx: TurnContext
    ) -> list[Outbound]:
        return [Outbound("command.unknown", {"command": command[:32]})]

    def begin(self, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
        return []

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        return self.reprompt(conv)

    def cancel(self, conv: Conversation) -> list[Outbound]:
        conv.reset()
        return [Outbound("cancel.nothing")]

    def back(self, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
        return [Outbound("back.nothing"), *self.reprompt(conv)]

    def reprompt(self, conv: Conversation) -> list[Outbound]:
        return []

    def help(self, conv: Conversation, ctx: TurnContext) -> str | None:
        return None

    def role_help(self, conv: Conversation, ctx: TurnContext) -> str | None:
        return None

    def take_idle(
        self, conv: Conversation, inbound: Inbound, ctx: TurnContext
    ) -> list[Outbound] | None:
        return None
