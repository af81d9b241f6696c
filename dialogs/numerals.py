"""Chinese numerals in typed text as Arabic digits ("两千一百五" → "2150", "八点半" → "8点半").

Each run of numeral characters is converted on its own (cn2an's whole-text transform reads
"点" as a decimal point, which turns "十点零五" into 10.05); a run without a unit character
is read digit by digit ("零五" → "05", "二〇二六" → "2026").
"""

from __future__ import annotations

import re

import cn2an

_DIGITS = {"零": "0", "〇": "0", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4"}
_DIGITS |= {"五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_UNITS = "十百千万亿"
_RUN = re.compile(f"[{''.join(_DIGITS)}{_UNITS}]+")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９：．，", "0123456789:.,")


def arabic(text: str) -> str:
    """The text with full-width digits made ASCII and Chinese numeral runs as digits."""
    return _RUN.sub(_convert, text.translate(_FULL_WIDTH))


def _convert(match: re.Match[str]) -> str:
    run = match.group(0)
    if not any(ch in _UNITS for ch in run):
        return "".join(_DIGITS[ch] for ch in run)
    try:
        value = cn2an.cn2an(run, "smart")
    except (ValueError, KeyError):
        return run  # "万" alone ("1.2万") is read by the caller
    return str(int(value)) if float(value).is_integer() else str(value)
