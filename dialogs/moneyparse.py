"""Reading an amount people type: "2150.5元", "2,150.50", "两千一百五", "1.2万", "150块5",
"1亿", "0.5亿", "1亿2000万", "2千万".

Currency words, multipliers and the joiner of groups ("1亿零500万") are locale data
(``_lexicon.money``); Chinese numerals are read by cn2an (``dialogs.numerals``). The
result is Money in fen, never a float. Nothing here caps an amount: each step that takes
one refuses what it cannot accept (a loss item over ``MAX_ITEM_AMOUNT``, a quote over
``BookingRules.max_amount``) with its own answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import pairwise

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
    joiners = [str(w).casefold() for w in table.get("joiners", [])]
    tenths = "|".join(re.escape(str(w)) for w in table.get("tenths", [])) or "(?!)"
    value = _grouped(cleaned, multipliers, joiners)
    if value is None:
        if match := re.fullmatch(rf"(\d+) (\d)\s*(?:{tenths})?", cleaned):  # "150块5": 150.5
            value = Decimal(match.group(1)) + Decimal(match.group(2)) / 10
        else:
            return None
    try:
        return Money.from_yuan(
            str(value.normalize()) if value == value.to_integral() else str(value)
        )
    except InvalidAmount:
        return None


def _grouped(text: str, multipliers: Mapping[str, int], joiners: Sequence[str]) -> Decimal | None:
    """A number with its units ("1.2万", "2千万": units multiply, smallest first), or several
    such groups, each below the unit of the one before ("1亿2000万", "1亿零500万"); a group
    without a unit or with a decimal stands alone ("1亿2" and "1.5亿2000万" are no amount)."""
    units = "|".join(re.escape(k) for k in sorted(multipliers, key=len, reverse=True)) or "(?!)"
    joiner = "|".join(re.escape(w) for w in sorted(joiners, key=len, reverse=True)) or "(?!)"
    group = re.compile(rf"({_NUMBER})\s*((?:(?:{units})\s*)*)")
    groups: list[tuple[Decimal, int, bool]] = []  # (number, factor, has a unit)
    at = 0
    while at < len(text):
        if groups and (gap := re.compile(rf"(?:{joiner})\s*").match(text, at)):
            at = gap.end()
        found = group.match(text, at)
        if found is None or found.end() == at:
            return None
        factors = [multipliers[u] for u in re.findall(units, found.group(2))]
        if any(a >= b for a, b in pairwise(factors)):
            return None  # "万千" is no unit
        groups.append((Decimal(found.group(1)), math.prod(factors), bool(factors)))
        at = found.end()
    if not groups:
        return None
    if len(groups) == 1:
        number, factor, _ = groups[0]
        return number * factor
    total = Decimal(0)
    ceiling: int | None = None
    for number, factor, has_unit in groups:
        part = number * factor
        if not has_unit or number != number.to_integral() or (ceiling and part >= ceiling):
            return None
        total += part
        ceiling = factor
    return total
