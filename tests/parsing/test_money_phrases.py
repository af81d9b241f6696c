"""The amount phrase table, and amounts typed where the product asks for one."""

from __future__ import annotations

import pytest

from dialogs.moneyparse import read_money
from tests.dialogs.driver import LEXICON
from tests.parsing.phrases import MONEY_PHRASES


@pytest.mark.parametrize(("text", "fen"), MONEY_PHRASES)
def test_an_amount_reads_as_written(text: str, fen: int | None) -> None:
    money = read_money(text, LEXICON)
    assert (None if money is None else money.fen) == fen
