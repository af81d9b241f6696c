"""Reading a time people type: "now", "14:30", "yesterday 20:15", "tomorrow 10:00", ..."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from dialogs.lexicon import Lexicon

_FULL = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*(\d{1,2})[:.](\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})\s*(\d{1,2})[:.](\d{2})$")
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")
# Lexicon word groups naming a day relative to today (a survey is booked for tomorrow).
_DAY_WORDS = (
    ("yesterday", -1),
    ("day_before_yesterday", -2),
    ("today", 0),
    ("tomorrow", 1),
    ("day_after_tomorrow", 2),
)


def parse_accident_time(text: str, now: datetime, tz: tzinfo, lexicon: Lexicon) -> datetime | None:
    """An aware datetime, or None when the text is not a time we can read."""
    if lexicon.means(text, "now"):
        return now
    cleaned = _normalise(text, lexicon)
    today = now.astimezone(tz).date()
    for word, offset in _DAY_WORDS:
        rest = lexicon.starts_with(cleaned, word)
        if rest is not None:
            return _clock_on(rest, today + timedelta(days=offset), tz)
    if match := _FULL.match(cleaned):
        y, mo, d, h, mi = (int(g) for g in match.groups())
        return _build(y, mo, d, h, mi, tz)
    if match := _MONTH_DAY.match(cleaned):
        mo, d, h, mi = (int(g) for g in match.groups())
        return _build(today.year, mo, d, h, mi, tz)
    return _clock_on(cleaned, today, tz)


@dataclass(frozen=True)
class ReadTime:
    at: datetime
    assumed_yesterday: bool = False  # a bare clock time not yet reached today


def read_accident_time(
    text: str, now: datetime, tz: tzinfo, lexicon: Lexicon, latest: datetime
) -> ReadTime | None:
    """Like `parse_accident_time`, but a bare clock time ("14:30") later than `latest`
    is taken as yesterday at that time: an accident is reported after it happened."""
    at = parse_accident_time(text, now, tz, lexicon)
    if at is None:
        return None
    if at <= latest or not _CLOCK.match(_normalise(text, lexicon)):
        return ReadTime(at)
    day = at.date() - timedelta(days=1)
    yesterday = _build(day.year, day.month, day.day, at.hour, at.minute, tz)
    return None if yesterday is None else ReadTime(yesterday, assumed_yesterday=True)


def _normalise(text: str, lexicon: Lexicon) -> str:
    cleaned = text.strip()
    for old, new in lexicon.date_replacements.items():
        cleaned = cleaned.replace(old, new)
    return re.sub(r"\s+", " ", cleaned).strip(" -")


def _clock_on(text: str, day: date, tz: tzinfo) -> datetime | None:
    match = _CLOCK.match(text.strip())
    if not match:
        return None
    h, mi = (int(g) for g in match.groups())
    return _build(day.year, day.month, day.day, h, mi, tz)


def _build(y: int, mo: int, d: int, h: int, mi: int, tz: tzinfo) -> datetime | None:
    try:
        return datetime.combine(date(y, mo, d), time(h, mi), tzinfo=tz)
    except ValueError:
        return None
