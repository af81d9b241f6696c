"""Words owners type instead of tapping a button ("yes", "now", ...), in every language.

The words themselves are locale data; the engine hands a Lexicon to the dialogs.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field

_STRIP = string.whitespace + string.punctuation + "\u3002\uff01\uff1f\uff0c\u3001\uff1b\uff1a"


def normalize_word(text: str) -> str:
    return text.strip(_STRIP).casefold()


@dataclass(frozen=True)
class Lexicon:
    words: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Characters replaced before reading a date ("11月25日 14点30" -> "11-25 14:30").
    date_replacements: Mapping[str, str] = field(default_factory=dict)

    def means(self, text: str, word: str) -> bool:
        return normalize_word(text) in self.words.get(word, frozenset())

    def starts_with(self, text: str, word: str) -> str | None:
        """The rest of `text` after a leading word of the group, or None."""
        lowered = text.strip().casefold()
        for candidate in sorted(self.words.get(word, frozenset()), key=len, reverse=True):
            if candidate and lowered.startswith(candidate):
                return text.strip()[len(candidate) :].strip()
        return None
