"""Opening hours and free slots: hours, breaks, closed days, bays, lead time, horizon and
the shop's own timezone (daylight saving included)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.geo import GeoPoint
from domain.shop import InvalidHours, OpeningInterval, Shop, parse_hours
from domain.slots import (
    SlotProblem,
    SlotRules,
    TimeSlot,
    day_slots,
    free_slots,
    parse_slot_key,
    slot_at,
    slot_problem,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = date(2026, 11, 25)


def shop(**changes: object) -> Shop:
    base = Shop(
        id=1,
        code="SHOP-T",
        name="T",
        address="A",
        location=GeoPoint(31.2, 121.5),
        makes=("Volkswagen",),
        services=("collision",),
        bays=2,
        slot_minutes=60,
        hours=parse_hours({"mon-fri": "08:30-18:00", "sat": "09:00-15:00"}),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def local(day: date, clock: str, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=tz)


def starts(slots: list[TimeSlot], tz: ZoneInfo = SHANGHAI) -> list[str]:
    return [s.start.astimezone(tz).strftime("%a %H:%M") for s in slots]


# --- hours ---------------------------------------------------------------------------------


def test_hours_as_the_directory_gives_them() -> None:
    hours = parse_hours(
        {"mon-wed": "08:00-12:00, 13:00-17:00", "thu": ["09:00-11:00"], "fri-sun": "closed"}
    )
    assert hours.on(0) == (
        OpeningInterval(time(8), time(12)),
        OpeningInterval(time(13), time(17)),
    )
    assert hours.on(3) == (OpeningInterval(time(9), time(11)),)
    assert hours.on(4) == hours.on(6) == ()
    assert parse_hours({"sat-mon": "10:00-11:00"}).on(6) == (OpeningInterval(time(10), time(11)),)
    assert all(parse_hours({"daily": "10:00-11:00"}).on(d) for d in range(7))


@pytest.mark.parametrize(
    "spec",
    [
        {"mon-fri": "08:00-18:00", "fri": "09:00-12:00"},  # Friday twice
        {"funday": "08:00-18:00"},
        {"mon": "8-18"},
        {"mon": "18:00-08:00"},  # closes before it opens
        {"mon": "08:00-12:00,11:00-13:00"},  # overlapping
        {"mon": "25:00-26:00"},
    ],
)
def test_unreadable_hours_are_refused(spec: dict[str, str]) -> None:
    with pytest.raises(InvalidHours):
        parse_hours(spec)


# --- the slots of a day --------------------------------------------------------------------


def test_slots_fill_the_opening_hours_and_end_by_closing_time() -> None:
    slots = day_slots(shop(), WEDNESDAY)
    assert starts(slots)[0] == "Wed 08:30" and starts(slots)[-1] == "Wed 16:30"
    assert len(slots) == 9  # 17:30 would end after 18:00
    assert slots[0].start == datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
    assert all(s.end - s.start == timedelta(minutes=60) for s in slots)


def test_a_lunch_break_and_long_slots() -> None:
    s = shop(hours=parse_hours({"wed": "08:00-12:00,13:00-17:00"}), slot_minutes=90)
    assert starts(day_slots(s, WEDNESDAY)) == ["Wed 08:00", "Wed 09:30", "Wed 13:00", "Wed 14:30"]


def test_closed_days_and_weekdays_without_hours_have_no_slots() -> None:
    s = shop(closed_days=frozenset({WEDNESDAY}))
    assert day_slots(s, WEDNESDAY) == []
    assert day_slots(s, date(2026, 11, 29)) == []  # a Sunday
    assert len(day_slots(s, date(2026, 11, 28))) == 6  # Saturday 09:00-15:00


def test_wall_times_that_do_not_exist_are_skipped_on_daylight_saving_days() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    s = shop(hours=parse_hours({"sun": "01:00-05:00"}), timezone="Europe/Berlin")
    spring = day_slots(s, date(2026, 3, 29))  # 02:00 jumps to 03:00
    assert starts(spring, berlin) == ["Sun 01:00", "Sun 03:00", "Sun 04:00"]
    autumn = day_slots(s, date(2026, 10, 25))  # 02:00-03:00 happens twice
    assert starts(autumn, berlin) == ["Sun 01:00", "Sun 02:00", "Sun 03:00", "Sun 04:00"]


# --- free slots ----------------------------------------------------------------------------


def test_the_lead_time_and_the_past_are_respected() -> None:
    now = local(WEDNESDAY, "09:10")
    free = free_slots(shop(), [], now, SlotRules(lead_time=timedelta(hours=2)), limit=3)
    assert starts([f.slot for f in free]) == ["Wed 11:30", "Wed 12:30", "Wed 13:30"]


def test_a_slot_is_free_while_fewer_bookings_than_bays_overlap_it() -> None:
    now = local(WEDNESDAY, "06:00")
    rules = SlotRules(lead_time=timedelta(0), horizon_days=1)
    nine = slot_at(shop(), local(WEDNESDAY, "09:30"))
    long_job = TimeSlot(local(WEDNESDAY, "10:00"), local(WEDNESDAY, "12:00"))  # 10:30, 11:30
    free = {
        f.slot.start.astimezone(SHANGHAI).strftime("%H:%M"): f.free_bays
        for f in free_slots(shop(), [nine, nine, long_job], now, rules)
    }
    assert "09:30" not in free  # both bays taken
    assert free["08:30"] == 2
    assert free["10:30"] == free["11:30"] == 1  # a booking overlapping two slots
    assert free["12:30"] == 2


def test_the_horizon_counts_days_in_the_shops_timezone() -> None:
    now = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)  # Thursday 04:00 in Shanghai
    rules = SlotRules(lead_time=timedelta(0), horizon_days=1)
    shanghai = free_slots(shop(), [], now, rules)
    assert {f.slot.start.astimezone(SHANGHAI).date() for f in shanghai} == {date(2026, 11, 26)}
    berlin = shop(timezone="Europe/Berlin")  # Wednesday 21:00 there: closed for the day
    assert free_slots(berlin, [], now, rules) == []
    assert free_slots(berlin, [], now, replace(rules, horizon_days=2))[0].slot.start == (
        datetime(2026, 11, 26, 7, 30, tzinfo=UTC)  # Thursday 08:30 in Berlin
    )


@pytest.mark.parametrize(
    ("clock", "problem"),
    [
        ("08:30", SlotProblem.PAST),
        ("10:30", SlotProblem.TOO_SOON),
        ("12:45", SlotProblem.NOT_A_SLOT),
        ("12:30", None),
    ],
)
def test_what_makes_a_slot_unbookable(clock: str, problem: SlotProblem | None) -> None:
    now = local(WEDNESDAY, "09:00")
    slot = slot_at(shop(), local(WEDNESDAY, clock))
    assert slot_problem(shop(), slot, now, SlotRules()) is problem


def test_closed_days_and_far_days_are_unbookable() -> None:
    now = local(WEDNESDAY, "09:00")
    closed = shop(closed_days=frozenset({date(2026, 11, 27)}))
    friday = slot_at(closed, local(date(2026, 11, 27), "10:30"))
    assert slot_problem(closed, friday, now, SlotRules()) is SlotProblem.CLOSED
    far = slot_at(shop(), local(WEDNESDAY + timedelta(days=14), "10:30"))
    assert slot_problem(shop(), far, now, SlotRules(horizon_days=14)) is SlotProblem.TOO_FAR


def test_slot_keys_round_trip_and_junk_is_none() -> None:
    slot = slot_at(shop(), local(WEDNESDAY, "09:30"))
    assert slot.key == "202611250130"
    assert parse_slot_key(slot.key) == slot.start
    assert parse_slot_key("2026") is None
    assert parse_slot_key("202613450130") is None


@settings(max_examples=60, deadline=None)
@given(
    minutes_ahead=st.integers(min_value=0, max_value=60 * 24 * 3),
    booked=st.lists(st.tuples(st.integers(0, 40), st.integers(1, 3)), max_size=40),
    bays=st.integers(1, 3),
)
def test_free_slots_never_break_the_rules(
    minutes_ahead: int, booked: list[tuple[int, int]], bays: int
) -> None:
    """Inside opening hours, after now + lead time, within the horizon, never beyond bays."""
    s = shop(bays=bays)
    now = local(WEDNESDAY, "00:00") + timedelta(minutes=minutes_ahead)
    rules = SlotRules(lead_time=timedelta(hours=2), horizon_days=3)
    grid = [slot for d in range(6) for slot in day_slots(s, WEDNESDAY + timedelta(days=d))]
    taken = [
        TimeSlot(grid[i % len(grid)].start, grid[i % len(grid)].start + timedelta(hours=h))
        for i, h in booked
    ]
    for free in free_slots(s, taken, now, rules):
        slot = free.slot
        assert slot in day_slots(s, slot.start.astimezone(SHANGHAI).date())
        assert slot.start >= now + rules.lead_time
        assert slot_problem(s, slot, now, rules) is None
        assert sum(1 for t in taken if t.overlaps(slot)) + free.free_bays == bays
