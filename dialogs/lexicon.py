"""Words owners type instead of tapping a button ("yes", "now", ...), in every language.

The words themselves are locale data (``_lexicon`` in ``locales/*/*.yaml``); the engine
hands a Lexicon to the dialogs. ``words`` are groups of exact answers; ``tables`` the
structured parts (``time``: how dates and clock times are written, ``answers``: yes/no per
question, ``intents``: what people come for).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_STRIP = string.whitespace + string.punctuation + "\u3002\uff01\uff1f\uff0c\u3001\uff1b\uff1a"


def normalize_word(text: str) -> str:
    return text.strip(_STRIP).casefold()


@dataclass(frozen=True)
class Lexicon:
    words: Mapping[str, frozenset[str]] = field(default_factory=dict)
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def means(self, text: str, word: str) -> bool:
        return normalize_word(text) in self.words.get(word, frozenset())

    def starts_with(self, text: str, word: str) -> str | None:
        """The rest of `text` after a leading word of the group, or None."""
        lowered = text.strip().casefold()
        for candidate in sorted(self.words.get(word, frozenset()), key=len, reverse=True):
            if candidate and lowered.startswith(candidate):
                return text.strip()[len(candidate) :].strip()
        return None

    def table(self, part: str) -> Mapping[str, Any]:
        return self.tables.get(part, {})
