"""The time phrase table: every phrase read as written, at a fixed moment.

Past phrases are read as an accident time is (a clock time alone not reached yet today is
yesterday's), future phrases as an appointment is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dialogs.timeparse import parse_appointment_time, read_accident_time
from tests.dialogs.driver import LEXICON
from tests.parsing.phrases import NOW, TIME_PHRASES, TZ


def test_the_table_has_at_least_forty_phrases() -> None:
    assert len(TIME_PHRASES) >= 40


def _read(phrase: str, direction: str) -> datetime | None:
    if direction == "future":
        return parse_appointment_time(phrase, NOW, TZ, LEXICON)
    read = read_accident_time(phrase, NOW, TZ, LEXICON, NOW + timedelta(minutes=5))
    return None if read is None else read.at


@pytest.mark.parametrize(("phrase", "direction", "expected"), TIME_PHRASES)
def test_a_phrase_reads_as_the_time_it_names(
    phrase: str, direction: str, expected: str | None
) -> None:
    at = _read(phrase, direction)
    shown = None if at is None else f"{at.astimezone(TZ):%Y-%m-%d %H:%M}"
    assert shown == expected
