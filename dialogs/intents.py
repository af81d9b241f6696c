"""What people come for, read from their own words ("撞车了", "查进度", "修车", "转人工"),
and the opening menu that offers it (报案 / 查进度 / 预约维修 / 人工客服).

The words are locale data (``_lexicon.intents``). A text is matched exactly, then by a
phrase it contains, then fuzzily (rapidfuzz), the last two only outside a dialog: inside
one, "被追尾了" is an answer, not a new report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rapidfuzz import fuzz, process

from dialogs.lexicon import Lexicon, normalize_word
from messages.choices import START_HUMAN, START_STATUS, StartChoice
from messages.outbound import Choice, Outbound

MENU = "intent.menu"
# Intent → the command it runs; the menu's choices, in order.
COMMANDS = {
    "report": "/report",
    "status": "/status",
    "book": "/book",
    "maintenance": "/book maint",
    "human": "/human",
    "cancel": "/cancel",
    "back": "/back",
    "mute": "/mute",
    "unmute": "/unmute",
    "bookings": "/bookings",
    "lang_en": "/lang en",
    "lang_zh": "/lang zh",
    "help": "/help",
}
MENU_INTENTS = ("report", "status", "book", "human")
# Menu buttons that run a command whenever tapped (start:report and start:book are the
# report's and the booking's own choices).
START_CHOICES = {choice.encode(): COMMANDS[choice.dialog] for choice in (START_STATUS, START_HUMAN)}

# Words for the small commands: read only when they are the whole message.
SMALL = frozenset({"cancel", "back", "mute", "unmute", "bookings", "lang_en", "lang_zh", "help"})
EXACT_ONLY = SMALL  # "取消" inside a sentence cancels nothing
IN_DIALOG = SMALL - {"bookings"} | {"human"}  # inside a dialog "追尾了" is an answer
MAX_FREE_TEXT = 24  # longer texts are not read as a request for a menu item
FUZZY_CUTOFF = 75.0


def recognise(text: str, lexicon: Lexicon, *, in_dialog: bool) -> str | None:
    """The intent a text names, or None."""
    said = normalize_word(text)
    if not said or said.startswith("/") or lexicon.means(said, "end_human"):
        return None  # "结束人工" ends a handoff (dialogs/human.py); it asks for nothing
    phrases = _phrases(lexicon)
    for intent, words in phrases.items():
        if said in words and (intent in IN_DIALOG or not in_dialog):
            return intent
    if in_dialog or len(said) > MAX_FREE_TEXT:
        return None
    contained = [
        (len(word), intent)
        for intent, words in phrases.items()
        if intent not in EXACT_ONLY
        for word in words
        if len(word) >= 2 and word in said
    ]
    if contained:
        return max(contained)[1]
    return _fuzzy(said, phrases)


def command_for(text: str, lexicon: Lexicon, *, in_dialog: bool) -> str | None:
    intent = recognise(text, lexicon, in_dialog=in_dialog)
    return None if intent is None else COMMANDS[intent]


def menu(*, unclear: bool = False) -> Outbound:
    """The opening: what people come for, as buttons (numbers on WeChat)."""
    choices = tuple(
        Choice(StartChoice(intent).encode(), f"intent.choice.{intent}") for intent in MENU_INTENTS
    )
    return Outbound(MENU, {"unclear": unclear}, choices)


def _fuzzy(said: str, phrases: dict[str, frozenset[str]]) -> str | None:
    candidates = {
        word: intent
        for intent, words in phrases.items()
        if intent not in EXACT_ONLY
        for word in words
        if len(word) >= 2
    }
    best = process.extractOne(said, list(candidates), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return None if best is None else candidates[best[0]]


_CACHE: dict[int, tuple[Mapping[str, Any], dict[str, frozenset[str]]]] = {}


def _phrases(lexicon: Lexicon) -> dict[str, frozenset[str]]:
    """The lexicon's intent phrases, normalised once per table (kept to pin its id)."""
    table = lexicon.table("intents")
    cached = _CACHE.get(id(table))
    if cached is None or cached[0] is not table:
        phrases = {
            intent: frozenset(normalize_word(str(word)) for word in table.get(intent, []))
            for intent in COMMANDS
        }
        cached = _CACHE[id(table)] = (table, phrases)
    return cached[1]
