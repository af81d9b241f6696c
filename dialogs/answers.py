"""Yes/no answers in words, per question ("能开", "开不了", "有人受伤", "没事"), and the same
facts stated inside a longer text (an accident description).

The words are locale data (``_lexicon.answers.<question>``); the generic ``yes``/``no``
word groups answer any yes/no question.
"""

from __future__ import annotations

from dialogs.lexicon import Lexicon, normalize_word


def yes_no(text: str, question: str, lexicon: Lexicon) -> bool | None:
    """The answer a reply gives to `question`, or None when it gives none."""
    words = lexicon.table("answers").get(question) or {}
    reply = normalize_word(text)
    for value, group in ((False, "no"), (True, "yes")):  # "不能" before "能"
        if reply in {normalize_word(str(w)) for w in words.get(group, [])}:
            return value
    if lexicon.means(text, "no"):
        return False
    if lexicon.means(text, "yes"):
        return True
    return None


def stated(text: str, question: str, lexicon: Lexicon) -> bool | None:
    """The answer a longer text states to `question` ("没人受伤，车还能开"), or None."""
    words = lexicon.table("answers").get(question) or {}
    lowered = text.casefold()
    for value, group in ((False, "says_no"), (True, "says_yes")):
        if any(str(phrase).casefold() in lowered for phrase in words.get(group, [])):
            return value
    return None
