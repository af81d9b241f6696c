"""Masked forms of personal identifiers, for lists, chat cards and logs.

Each mask keeps enough to recognise a value one already knows (the start and the end),
and never enough to use it: 沪A12345 -> 沪A1**45, 13800138001 -> 138****8001. Values too
short to keep anything are masked whole. ``mask_text`` finds the identifiers in free text
(a log line) and masks each one.
"""

from __future__ import annotations

import re

STAR = "*"
_PLATE_IN_TEXT = re.compile(r"[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}(?![A-Z0-9])")
# Longest first, each bounded by non-digits: an ID (17 digits and a check character), a
# bank card (16-19 digits), a mainland mobile number (11 digits starting 1[3-9]).
_NUMBERS_IN_TEXT = re.compile(r"(?<![0-9])(?:\d{17}[0-9Xx]|\d{16,19}|1[3-9]\d{9})(?![0-9Xx])")


def _keep(value: str, head: int, tail: int) -> str:
    text = value.strip()
    if len(text) <= head + tail:
        return STAR * len(text)
    return text[:head] + STAR * (len(text) - head - tail) + text[len(text) - tail :]


def mask_plate(plate: str | None) -> str:
    """沪A12345 -> 沪A1**45; a new-energy plate 沪AD12345 -> 沪AD***45."""
    return _keep(plate or "", 3, 2)


def mask_phone(phone: str | None) -> str:
    """13800138001 -> 138****8001 (separators dropped); a short number keeps its last 2."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):  # +86, the country code
        digits = digits[2:]
    if len(digits) >= 7:
        return _keep(digits, 3, 4)
    return _keep(digits, 0, 2)


def mask_policy(number: str | None) -> str:
    """PDAA20260001 -> PDAA****0001."""
    return _keep(number or "", 4, 4)


def mask_id_number(number: str | None) -> str:
    """A resident ID: 310101199001011234 -> 310***********1234."""
    return _keep(number or "", 3, 4)


def mask_bank_account(number: str | None) -> str:
    """A bank card or account: the issuer's first 6 digits and the last 4 (as PCI DSS)."""
    digits = "".join(ch for ch in number or "" if ch.isalnum())
    return _keep(digits, 6, 4)


def mask_name(name: str | None) -> str:
    """张伟 -> 张*; 欧阳娜娜 -> 欧***; Zhang Wei -> Z********."""
    text = (name or "").strip()
    return text[:1] + STAR * (len(text) - 1) if len(text) > 1 else text


def _mask_number(match: re.Match[str]) -> str:
    value = match.group(0)
    if len(value) == 11 and value[0] == "1":
        return mask_phone(value)
    if len(value) == 18 and (value[-1] in "Xx" or value[6:8] in ("19", "20")):
        return mask_id_number(value)
    return mask_bank_account(value)


def mask_text(text: str) -> str:
    """Free text with every mobile, ID and bank number and every plate in it masked."""
    masked = _NUMBERS_IN_TEXT.sub(_mask_number, text)
    return _PLATE_IN_TEXT.sub(lambda match: mask_plate(match.group(0)), masked)
