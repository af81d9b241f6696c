"""Reading an amount people type: "2150.5元", "2,150.50", "两千一百五", "1.2万", "150块5".

Currency words and multipliers are locale data (``_lexicon.money``); Chinese numerals are
read by cn2an (``dialogs.numerals``). The result is Money in fen, never a float.
"""

from __future__ import annotations

import re
from decimal import Decimal

from dialogs.lexicon import Lexicon
from dialogs.numerals import arabic
from domain.money import InvalidAmount, Money

_NUMBER = r"\d+(?:\.\d+)?"


def read_money(text: str, lexicon: Lexicon) -> Money | None:
    """The amount, or None when the text is not (only) an amount."""
    table = lexicon.table("money")
    cleaned = arabic(text).strip().rstrip("。.").casefold().replace(",", "").replace("，", "")
    for word in sorted(
        (str(w).casefold() for w in table.get("currency", [])), key=len, reverse=True
    ):
        cleaned = cleaned.replace(word, " ")
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    multipliers = {str(k).casefold(): int(v) for k, v in (table.get("multipliers") or {}).items()}
    tenths = "|".join(re.escape(str(w)) for w in table.get("tenths", [])) or "(?!)"
    units = "|".join(re.escape(k) for k in multipliers) or "(?!)"
    if match := re.fullmatch(rf"({_NUMBER})\s*({units})?", cleaned):
        value = Decimal(match.group(1)) * multipliers.get(match.group(2) or "", 1)
    elif match := re.fullmatch(rf"(\d+) (\d)\s*(?:{tenths})?", cleaned):  # "150块5": 150.5
        value = Decimal(match.group(1)) + Decimal(match.group(2)) / 10
    else:
        return None
    try:
        return Money.from_yuan(
            str(value.normalize()) if value == value.to_integral() else str(value)
        )
    except InvalidAmount:
        return None
