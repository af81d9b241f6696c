"""Appointment slots: when a shop can take a car in, and which of those times are free.

A shop's day is cut into slots of ``slot_minutes`` from each opening time; a slot must
end by the closing time of its interval. Times are generated as wall-clock times in the
shop's timezone (a wall time that does not exist on a daylight-saving day is skipped) and
kept as aware UTC datetimes. A slot is free while fewer bookings overlap it than the shop
has bays. Slots start no earlier than ``now + lead_time`` and no later than the last day
of the horizon (today, in the shop's timezone, counts as the first day).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum

from domain.shop import Shop

KEY_FORMAT = "%Y%m%d%H%M"  # a slot's start in UTC, as carried in choice values
LONGEST_SLOT = timedelta(days=1)  # a slot overlapping a moment started less than this before


@dataclass(frozen=True, order=True)
class TimeSlot:
    start: datetime  # aware
    end: datetime

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("slot times must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("a slot ends after it starts")

    def overlaps(self, other: TimeSlot) -> bool:
        return self.start < other.end and other.start < self.end

    @property
    def key(self) -> str:
        return key_of(self.start)


def key_of(moment: datetime) -> str:
    """A moment as carried in choice values: UTC, to the minute (``202611260100``)."""
    return moment.astimezone(UTC).strftime(KEY_FORMAT)


def parse_slot_key(key: str) -> datetime | None:
    """The UTC start a slot key stands for; None if it is not one."""
    if len(key) != 12 or not key.isdigit():
        return None
    try:
        return datetime.strptime(key, KEY_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class SlotRules:
    lead_time: timedelta = timedelta(hours=2)  # the earliest start is now + lead_time
    horizon_days: int = 14  # today and the 13 days after it


class SlotProblem(StrEnum):
    PAST = "past"
    TOO_SOON = "too_soon"  # inside the minimum lead time
    TOO_FAR = "too_far"  # beyond the booking horizon
    CLOSED = "closed"  # a closed day
    NOT_A_SLOT = "not_a_slot"  # not one of the shop's slot times


@dataclass(frozen=True)
class FreeSlot:
    slot: TimeSlot
    free_bays: int


def _local_datetime(day: date, minutes: int, tz: tzinfo) -> datetime | None:
    """The aware datetime of a local wall time; None if it does not exist (DST gap)."""
    naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return aware


def _steady_offset(day: date, tz: tzinfo) -> timedelta | None:
    """The day's UTC offset if it is the same all day (no daylight-saving change)."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
    offset = midnight.utcoffset()
    if offset is None or (midnight + timedelta(days=1)).utcoffset() != offset:
        return None
    return offset


def day_slots(shop: Shop, day: date) -> list[TimeSlot]:
    """Every slot of a local day, free or not (none on a closed day)."""
    if shop.is_closed_on(day):
        return []
    tz = shop.tz
    step = timedelta(minutes=shop.slot_minutes)
    offset = _steady_offset(day, tz)
    midnight_utc = datetime(day.year, day.month, day.day, tzinfo=UTC) - (offset or timedelta(0))
    slots: list[TimeSlot] = []
    for interval in shop.hours.on(day.weekday()):
        opens = interval.opens.hour * 60 + interval.opens.minute
        closes = interval.closes.hour * 60 + interval.closes.minute
        for begin in range(opens, closes - shop.slot_minutes + 1, shop.slot_minutes):
            if offset is not None:  # the common case: one offset all day
                start = midnight_utc + timedelta(minutes=begin)
            elif (local := _local_datetime(day, begin, tz)) is not None:
                start = local.astimezone(UTC)
            else:
                continue  # a wall time that does not exist that day
            slots.append(TimeSlot(start, start + step))
    return slots


def local_today(shop: Shop, now: datetime) -> date:
    return now.astimezone(shop.tz).date()


def candidate_slots(shop: Shop, now: datetime, rules: SlotRules) -> Iterator[TimeSlot]:
    """The shop's slots from now + lead time to the end of the horizon, in time order."""
    earliest = now + rules.lead_time
    today = local_today(shop, now)
    for offset in range(rules.horizon_days):
        for slot in day_slots(shop, today + timedelta(days=offset)):
            if slot.start >= earliest:
                yield slot


class Occupancy:
    """How many bookings overlap a slot, for one shop (bisect over sorted starts)."""

    def __init__(self, taken: Iterable[TimeSlot]) -> None:
        ordered = sorted(taken)
        self._starts = [slot.start for slot in ordered]
        self._ends = [slot.end for slot in ordered]
        self._longest = max((s.end - s.start for s in ordered), default=timedelta(0))

    def count(self, slot: TimeSlot) -> int:
        low = bisect_left(self._starts, slot.start - self._longest)
        high = bisect_left(self._starts, slot.end)
        return sum(1 for index in range(low, high) if self._ends[index] > slot.start)


def free_slots(
    shop: Shop,
    taken: Iterable[TimeSlot],
    now: datetime,
    rules: SlotRules,
    *,
    after: datetime | None = None,
    limit: int | None = None,
    until: datetime | None = None,
) -> list[FreeSlot]:
    """Free slots in time order (starting after ``after`` if given), at most ``limit``;
    with ``until``, only slots that end by then (``taken`` need only cover that far)."""
    occupancy = Occupancy(taken)
    found: list[FreeSlot] = []
    for slot in candidate_slots(shop, now, rules):
        if after is not None and slot.start <= after:
            continue
        if until is not None and slot.end > until:
            break
        free = shop.bays - occupancy.count(slot)
        if free > 0:
            found.append(FreeSlot(slot, free))
            if limit is not None and len(found) >= limit:
                break
    return found


def earliest_free(
    shop: Shop,
    taken: Iterable[TimeSlot],
    now: datetime,
    rules: SlotRules,
    until: datetime | None = None,
) -> TimeSlot | None:
    first = free_slots(shop, taken, now, rules, limit=1, until=until)
    return first[0].slot if first else None


def slot_problem(shop: Shop, slot: TimeSlot, now: datetime, rules: SlotRules) -> SlotProblem | None:
    """Why a slot cannot be booked now (capacity aside), or None if it can."""
    if slot.start < now:
        return SlotProblem.PAST
    if slot.start < now + rules.lead_time:
        return SlotProblem.TOO_SOON
    day = slot.start.astimezone(shop.tz).date()
    if (day - local_today(shop, now)).days >= rules.horizon_days:
        return SlotProblem.TOO_FAR
    if shop.is_closed_on(day):
        return SlotProblem.CLOSED
    if slot not in day_slots(shop, day):
        return SlotProblem.NOT_A_SLOT
    return None


def slot_at(shop: Shop, start: datetime) -> TimeSlot:
    """The shop's slot starting at ``start`` (its length is the shop's slot length)."""
    begin = start.astimezone(UTC)
    return TimeSlot(begin, begin + timedelta(minutes=shop.slot_minutes))


def has_room(shop: Shop, overlapping: int) -> bool:
    """Another booking fits while fewer bookings than bays overlap the slot."""
    return overlapping < shop.bays
