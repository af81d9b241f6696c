"""Reading a time people type: "刚刚", "下午5点", "昨晚八点半", "10分钟前", "后天下午三点",
"周五上午", "2026-11-24 08:30", "yesterday 8pm", ...

The words (days, weekdays, parts of the day, units) are locale data (``_lexicon.time``);
Chinese numerals are read by cn2an (``dialogs.numerals``). A past reading (an accident)
takes a weekday as the latest one; a future reading (an appointment) as the next one and a
clock time already past today as tomorrow's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from dialogs.lexicon import Lexicon, normalize_word
from dialogs.numerals import arabic

Direction = Literal["past", "future"]
_ABS_DATE = re.compile(r"(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_COLON_CLOCK = re.compile(r"(\d{1,2})\s*[:：]\s*(\d{2})(?!\d)")
_SMALL_NUMBER = re.compile(r"\d{1,2}(?!\d)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class TimeReading:
    at: datetime
    day_given: bool  # False: a clock time alone, read as today's


@dataclass(frozen=True)
class _Words:
    days: Mapping[str, int]
    week_shifts: Mapping[str, int]
    prefixes: tuple[str, ...]
    weekdays: Mapping[str, int]  # after a prefix: "周5"
    weekday_names: Mapping[str, int]  # on their own: "friday"
    periods: Mapping[str, tuple[int, str]]
    hour_marks: tuple[str, ...]
    minute_marks: tuple[str, ...]
    half: tuple[str, ...]
    quarter: tuple[str, ...]
    units: Mapping[str, int]
    ago: tuple[str, ...]
    fillers: tuple[str, ...]


def parse_time(
    text: str, now: datetime, tz: tzinfo, lexicon: Lexicon, direction: Direction = "past"
) -> TimeReading | None:
    """The time the text names, or None when it is not (only) a time."""
    if lexicon.means(text, "now"):
        return TimeReading(now, day_given=True)
    words = _words(lexicon)
    cleaned = _clean(text, words)
    if not cleaned:
        return None
    ago = _ago(cleaned, words)
    if ago is not None:
        return TimeReading(now - ago, day_given=True)
    return _Reader(cleaned, words, now.astimezone(tz), tz, direction).read()


def parse_accident_time(text: str, now: datetime, tz: tzinfo, lexicon: Lexicon) -> datetime | None:
    """An aware datetime in the past reading, or None when the text is not a time."""
    reading = parse_time(text, now, tz, lexicon, "past")
    return None if reading is None else reading.at


def parse_appointment_time(
    text: str, now: datetime, tz: tzinfo, lexicon: Lexicon
) -> datetime | None:
    """An aware datetime in the future reading (a survey, a slot, a repair's end)."""
    reading = parse_time(text, now, tz, lexicon, "future")
    return None if reading is None else reading.at


@dataclass(frozen=True)
class ReadTime:
    at: datetime
    assumed_yesterday: bool = False  # a bare clock time not yet reached today


def read_accident_time(
    text: str, now: datetime, tz: tzinfo, lexicon: Lexicon, latest: datetime
) -> ReadTime | None:
    """Like `parse_accident_time`, but a clock time alone ("14:30", "下午5点") later than
    `latest` is taken as yesterday at that time: an accident is reported after it happened."""
    reading = parse_time(text, now, tz, lexicon, "past")
    if reading is None:
        return None
    at = reading.at
    if at <= latest or reading.day_given:
        return ReadTime(at)
    day = at.date() - timedelta(days=1)
    yesterday = _build(day, at.hour, at.minute, tz)
    return None if yesterday is None else ReadTime(yesterday, assumed_yesterday=True)


# --- reading -----------------------------------------------------------------------------


class _Reader:
    """Reads [date] [part of day] [clock] [am/pm] from left to right; all must be used."""

    def __init__(
        self, text: str, words: _Words, now: datetime, tz: tzinfo, direction: Direction
    ) -> None:
        self.text, self.pos, self.words = text, 0, words
        self.now, self.tz, self.direction = now, tz, direction
        self.bad_date = False  # a date written out that does not exist ("2026-02-30")

    def read(self) -> TimeReading | None:
        day = self._date()
        period = self._period()
        clock = self._clock()
        if clock is not None and period is None:
            period = self._period()  # "8pm", "8 in the evening"
        if self.bad_date or self.pos != len(self.text) or (clock is None and period is None):
            return None
        if clock is None:
            if day is None:
                return None  # "下午" alone names no time
            assert period is not None
            hour, minute = period[0], 0
        else:
            hour, minute = _shifted(clock, period)
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            return None
        today = self.now.date()
        at = _build(day or today, hour, minute, self.tz)
        if at is not None and day is None and self.direction == "future" and at < self.now:
            at = _build(today + timedelta(days=1), hour, minute, self.tz)
        return None if at is None else TimeReading(at, day_given=day is not None)

    def _take(self, options: Mapping[str, Any] | tuple[str, ...]) -> str | None:
        self._skip_spaces()
        for option in sorted(options, key=len, reverse=True):
            if option and self.text.startswith(option, self.pos):
                self.pos += len(option)
                return option
        return None

    def _match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        self._skip_spaces()
        match = pattern.match(self.text, self.pos)
        if match:
            self.pos = match.end()
        return match

    def _skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def _date(self) -> date | None:
        today = self.now.date()
        start = self.pos
        if (match := self._match(_ABS_DATE)) and (self._looks_like_date(match)):
            year = int(match.group(1)) if match.group(1) else today.year
            try:
                return date(year, int(match.group(2)), int(match.group(3)))
            except ValueError:
                self.bad_date = True
                return None
        self.pos = start
        if (day := self._take(self.words.days)) is not None:
            return today + timedelta(days=self.words.days[day])
        return self._weekday(today)

    def _looks_like_date(self, match: re.Match[str]) -> bool:
        """ "9.15" or "9-15" is more likely a clock time than a date when nothing follows."""
        whole = match.group(0)
        return (
            bool(match.group(1))
            or any(ch in whole for ch in "月日号")
            or (self.pos < len(self.text))
        )

    def _weekday(self, today: date) -> date | None:
        start = self.pos
        shift_word = self._take(self.words.week_shifts)
        weekday: int | None = None
        prefixed = shift_word is not None and shift_word.endswith(self.words.prefixes or ("\0",))
        if self._take(self.words.prefixes) is not None or prefixed:
            name = self._take(self.words.weekdays)
            weekday = None if name is None else self.words.weekdays[name]
        elif (name := self._take(self.words.weekday_names)) is not None:
            weekday = self.words.weekday_names[name]
        if weekday is None:
            self.pos = start
            return None
        if shift_word is not None:
            monday = today - timedelta(days=today.weekday())
            return monday + timedelta(weeks=self.words.week_shifts[shift_word], days=weekday - 1)
        delta = weekday - 1 - today.weekday()
        if self.direction == "past":
            return today + timedelta(days=delta if delta <= 0 else delta - 7)
        return today + timedelta(days=delta if delta >= 0 else delta + 7)

    def _period(self) -> tuple[int, str] | None:
        word = self._take(self.words.periods)
        return None if word is None else self.words.periods[word]

    def _clock(self) -> tuple[int, int] | None:
        if match := self._match(_COLON_CLOCK):
            return int(match.group(1)), int(match.group(2))
        start = self.pos
        match = self._match(_SMALL_NUMBER)
        if not match:
            return None
        hour = int(match.group(0))
        if self._take(self.words.hour_marks) is None:
            if self._peek_period():
                return hour, 0  # "8pm"
            self.pos = start
            return None
        return hour, self._minutes()

    def _minutes(self) -> int:
        if self._take(self.words.half) is not None:
            return 30
        match = self._match(_SMALL_NUMBER)
        if not match:
            return 0
        if self._take(self.words.quarter) is not None:
            return 15 * int(match.group(0))
        self._take(self.words.minute_marks)
        return int(match.group(0))

    def _peek_period(self) -> bool:
        start = self.pos
        found = self._take(self.words.periods) is not None
        self.pos = start
        return found


def _shifted(clock: tuple[int, int], period: tuple[int, str] | None) -> tuple[int, int]:
    hour, minute = clock
    shift = period[1] if period else ""
    if shift == "am" and hour == 12:
        hour = 0
    elif (
        (shift == "pm" and hour < 12)
        or (shift == "noon" and hour < 6)
        or (shift == "night" and 5 <= hour < 12)
    ):
        hour += 12
    return hour, minute


def _ago(text: str, words: _Words) -> timedelta | None:
    """ "10分钟前", "半小时前", "2 hours ago"."""
    for suffix in sorted(words.ago, key=len, reverse=True):
        if suffix and text.endswith(suffix):
            body = text[: -len(suffix)].strip()
            break
    else:
        return None
    for unit in sorted(words.units, key=len, reverse=True):
        if body.endswith(unit):
            amount = body[: -len(unit)].strip()
            value = _amount(amount, words)
            if value is None:
                return None
            return timedelta(seconds=value * words.units[unit])
    return None


def _amount(text: str, words: _Words) -> float | None:
    if text in words.half:
        return 0.5
    for half in words.half:  # "1个半" → 1.5
        if half and text.endswith(half):
            whole = text[: -len(half)].rstrip("个 ")
            return float(whole) + 0.5 if _NUMBER.fullmatch(whole) else None
    return float(text) if _NUMBER.fullmatch(text) else None


def _clean(text: str, words: _Words) -> str:
    cleaned = normalize_word(arabic(text))
    cleaned = cleaned.replace("：", ":")
    for filler in sorted(words.fillers, key=len, reverse=True):
        if filler.isascii():
            cleaned = re.sub(rf"\b{re.escape(filler)}\b", " ", cleaned)
        else:
            cleaned = cleaned.replace(filler, " ")
    return re.sub(r"\s+", " ", cleaned).strip(" -,，")


def _build(day: date, hour: int, minute: int, tz: tzinfo) -> datetime | None:
    try:
        return datetime.combine(day, time(hour, minute), tzinfo=tz)
    except ValueError:
        return None


_CACHE: dict[int, tuple[Mapping[str, Any], _Words]] = {}


def _words(lexicon: Lexicon) -> _Words:
    """The lexicon's time words, built once per table (the table is kept to pin its id)."""
    table = lexicon.table("time")
    cached = _CACHE.get(id(table))
    if cached is None or cached[0] is not table:
        cached = (table, _words_from(table))
        _CACHE[id(table)] = cached
    return cached[1]


def _words_from(table: Mapping[str, Any]) -> _Words:

    def strings(name: str) -> tuple[str, ...]:
        return tuple(str(w).casefold() for w in table.get(name, []))

    def numbers(name: str) -> dict[str, int]:
        return {str(k).casefold(): int(v) for k, v in (table.get(name) or {}).items()}

    periods = {
        str(word).casefold(): (int(spec["hour"]), str(spec["shift"]))
        for word, spec in (table.get("periods") or {}).items()
    }
    return _Words(
        days=numbers("days"),
        week_shifts=numbers("week_shifts"),
        prefixes=strings("weekday_prefixes"),
        weekdays=numbers("weekdays"),
        weekday_names=numbers("weekday_names"),
        periods=periods,
        hour_marks=strings("hour_marks"),
        minute_marks=strings("minute_marks"),
        half=strings("half"),
        quarter=strings("quarter"),
        units=numbers("units"),
        ago=strings("ago"),
        fillers=strings("fillers"),
    )
