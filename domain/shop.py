"""Repair shops (修理厂): where they are, what they do, when they are open, how many bays.

Opening hours are wall-clock times in the shop's own timezone, per weekday, with optional
breaks (``"08:30-12:00,13:30-18:00"``); closed days (holidays) are local dates. A shop's
rating blends the rating it came with from the directory and the 1–5 stars owners gave
after their repairs (see ``Shop.rating``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo

from domain.geo import GeoPoint

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOSED_WORDS = frozenset({"closed", "off", "-", ""})
# The directory's rating counts as this many owner ratings when blended with theirs.
RATING_PRIOR_WEIGHT = 5
NEUTRAL_RATING = 3.0  # a shop nobody has rated yet
RATING_DIGITS = 1  # as owners see it in chat and clients in /api/shops


def blend_rating(directory: float | None, count: int, total: int) -> float | None:
    """The directory's rating blended with ``count`` owners' stars summing to ``total``.

    ``(R × W + sum of stars) / (W + number of ratings)`` with the directory rating R
    weighing as W = 5 ratings; without a directory rating, the owners' mean; None
    when neither exists.
    """
    if directory is None:
        return total / count if count else None
    return (directory * RATING_PRIOR_WEIGHT + total) / (RATING_PRIOR_WEIGHT + count)


def shown_rating(rating: float | None) -> float | None:
    """A rating as people are shown it (one decimal)."""
    return None if rating is None else round(rating, RATING_DIGITS)


_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class InvalidHours(ValueError):
    """Opening hours that cannot be read; the message says which part."""


@dataclass(frozen=True, order=True)
class OpeningInterval:
    """Open from ``opens`` to ``closes`` (local wall time, same day, opens < closes)."""

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise InvalidHours(f"{self.opens:%H:%M}-{self.closes:%H:%M}: opens after it closes")


@dataclass(frozen=True)
class WeeklyHours:
    """Opening intervals per weekday (index 0 is Monday), sorted, not overlapping."""

    days: tuple[tuple[OpeningInterval, ...], ...] = ((),) * 7

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise InvalidHours("seven weekdays are expected")
        for intervals in self.days:
            for before, after in itertools.pairwise(intervals):
                if after.opens < before.closes:
                    raise InvalidHours("opening intervals overlap")

    def on(self, weekday: int) -> tuple[OpeningInterval, ...]:
        return self.days[weekday]


def parse_hours(spec: Mapping[str, str | Sequence[str]]) -> WeeklyHours:
    """Read hours as the directory gives them: ``{"mon-fri": "08:30-18:00", "sat": ...}``.

    Keys are a weekday (``mon`` .. ``sun``), a range (``mon-fri``, ``fri-mon`` wraps), a
    list (``mon,wed,fri``) or ``daily``. Values are ``HH:MM-HH:MM``, several separated by
    commas (a lunch break), a list of those, or ``closed``. A weekday given twice is an
    error; weekdays not given are closed.
    """
    days: list[tuple[OpeningInterval, ...] | None] = [None] * 7
    for key, value in spec.items():
        intervals = _intervals(value)
        for weekday in _weekdays(str(key)):
            if days[weekday] is not None:
                raise InvalidHours(f"{WEEKDAYS[weekday]} is given twice")
            days[weekday] = intervals
    return WeeklyHours(tuple(d or () for d in days))


def _weekdays(key: str) -> list[int]:
    text = key.strip().lower()
    if text in ("daily", "everyday", "mon-sun"):
        return list(range(7))
    result: list[int] = []
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        start = _weekday(first)
        if not dash:
            result.append(start)
            continue
        end = _weekday(last)
        span = (end - start) % 7
        result.extend((start + offset) % 7 for offset in range(span + 1))
    return result


def _weekday(name: str) -> int:
    try:
        return WEEKDAYS.index(name.strip()[:3])
    except ValueError:
        raise InvalidHours(f"unknown weekday {name!r}") from None


def _intervals(value: str | Sequence[str]) -> tuple[OpeningInterval, ...]:
    parts = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    if len(parts) == 1 and parts[0].strip().lower() in CLOSED_WORDS:
        return ()
    intervals = sorted(_interval(part) for part in parts)
    return tuple(intervals)


def _interval(text: str) -> OpeningInterval:
    match = _SPAN.match(text)
    if not match:
        raise InvalidHours(f"expected HH:MM-HH:MM, got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        opens, closes = time(h1, m1), time(h2, m2)
    except ValueError:
        raise InvalidHours(f"not a time of day: {text!r}") from None
    return OpeningInterval(opens, closes)


@dataclass(frozen=True)
class Shop:
    id: int
    code: str  # e.g. SHOP-PD-01
    name: str
    address: str
    location: GeoPoint
    makes: tuple[str, ...]  # makes it is certified for
    services: tuple[str, ...]  # collision, paint, maintenance, ...
    bays: int  # cars it can take in at the same time
    slot_minutes: int
    hours: WeeklyHours
    timezone: str = "Asia/Shanghai"
    closed_days: frozenset[date] = field(default_factory=frozenset)
    directory_rating: float | None = None  # the rating it was imported with
    ratings_count: int = 0  # owners' 1–5 ratings after repairs
    ratings_sum: int = 0
    staffed: bool = True  # someone bound to a chat answers for it (else it is not offered)

    def __post_init__(self) -> None:
        if self.bays < 1:
            raise ValueError("a shop has at least one bay")
        if not 5 <= self.slot_minutes <= 24 * 60:  # see domain.slots.LONGEST_SLOT
            raise ValueError("slot length must be between 5 minutes and a day")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def certified_for(self, make: str | None) -> bool:
        if not make:
            return False
        wanted = make.strip().casefold()
        return any(m.casefold() == wanted for m in self.makes)

    def offers(self, service: str) -> bool:
        return service in self.services

    def is_closed_on(self, day: date) -> bool:
        return day in self.closed_days or not self.hours.on(day.weekday())

    @property
    def rating(self) -> float | None:
        """The directory's rating blended with the owners' ratings (``blend_rating``)."""
        return blend_rating(self.directory_rating, self.ratings_count, self.ratings_sum)

    @property
    def shown_rating(self) -> float | None:
        return shown_rating(self.rating)


@dataclass(frozen=True)
class ShopStaff:
    """A person who answers for a shop; ``party_id`` is None until they are bound."""

    id: int
    shop_id: int
    name: str
    party_id: int | None

    @property
    def actor(self) -> str:
        return f"{STAFF_ACTOR}{self.id}"


STAFF_ACTOR = "shop_staff:"  # a staff member's actor: "shop_staff:<id>"


def staff_id_of(actor: str) -> int | None:
    """The staff member's id in an actor written by ``ShopStaff.actor``; None for another."""
    ident = actor.removeprefix(STAFF_ACTOR)
    return int(ident) if actor.startswith(STAFF_ACTOR) and ident.isdigit() else None
