"""Masking personal numbers for lists, cards and documents (PIPL): the ends stay readable."""

from __future__ import annotations

_MASK = "*"


def mask_phone(phone: str) -> str:
    """138****5678: the first three and the last four digits of a mobile number."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):  # +86, the country code
        digits = digits[2:]
    if len(digits) < 8:
        return _MASK * len(digits)
    return digits[:3] + _MASK * (len(digits) - 7) + digits[-4:]


def mask_card(number: str) -> str:
    """**** **** **** 1234: only the last four digits of a bank card."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 8:
        return _MASK * len(digits)
    return f"**** **** **** {digits[-4:]}"
