"""Phone and bank-card numbers masked for documents and lists (PIPL)."""

from __future__ import annotations

import pytest

from domain.masking import mask_card, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800138001", "138****8001"),
        ("+86 139-0013-9002", "139****9002"),
        ("021-62345678", "021****5678"),
        ("12345", "*****"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_mask_card_keeps_the_last_four_digits() -> None:
    assert mask_card("6222 0212 3456 7890 123") == "**** **** **** 0123"
    assert mask_card("1234") == "****"
