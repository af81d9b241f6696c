"""Quiet hours: crossing midnight, within a day, time zones, DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.quiet import QuietHours, parse_clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = QuietHours(time(21, 0), time(8, 0))


def local(hour: int, minute: int = 0, day: int = 25, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=tz)


@pytest.mark.parametrize(
    ("moment", "until"),
    [
        (local(20, 59), None),
        (local(21, 0), local(8, 0, day=26)),
        (local(23, 30), local(8, 0, day=26)),
        (local(0, 0), local(8, 0)),
        (local(7, 59), local(8, 0)),
        (local(8, 0), None),
        (local(12, 0), None),
    ],
)
def test_a_night_crossing_midnight(moment: datetime, until: datetime | None) -> None:
    assert NIGHT.quiet_until(moment, SHANGHAI) == until


def test_a_quiet_span_within_one_day_and_none_at_all() -> None:
    lunch = QuietHours(time(12, 0), time(13, 30))
    assert lunch.quiet_until(local(12, 10), SHANGHAI) == local(13, 30)
    assert lunch.quiet_until(local(13, 30), SHANGHAI) is None
    assert QuietHours(time(8, 0), time(8, 0)).quiet_until(local(3, 0), SHANGHAI) is None


def test_the_recipients_own_time_zone_counts() -> None:
    moment = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 22:00 Shanghai, 14:00 London
    assert NIGHT.is_quiet(moment, SHANGHAI)
    assert not NIGHT.is_quiet(moment, ZoneInfo("Europe/London"))


def test_the_morning_after_a_daylight_saving_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    night = datetime(2026, 3, 28, 23, 0, tzinfo=berlin)  # clocks go forward at 02:00
    until = NIGHT.quiet_until(night, berlin)
    assert until == datetime(2026, 3, 29, 8, 0, tzinfo=berlin)
    assert until is not None
    assert until.astimezone(UTC) - night.astimezone(UTC) == timedelta(hours=8)  # 9 wall hours


def test_parsing() -> None:
    assert QuietHours.parse("21:00-08:00") == NIGHT
    assert QuietHours.parse(" 22:30 - 7:15 ") == QuietHours(time(22, 30), time(7, 15))
    assert QuietHours.parse("") is None and QuietHours.parse("off") is None
    assert parse_clock("10:00") == time(10, 0)
    for bad in ("21-08", "25:00-08:00", "evening"):
        with pytest.raises(ValueError):
            QuietHours.parse(bad)
    with pytest.raises(ValueError):
        parse_clock("10h")


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
    st.times(),
    st.times(),
)
def test_the_end_of_quiet_hours_is_never_quiet_and_never_far(
    moment: datetime, zone: str, start: time, end: time
) -> None:
    tz = ZoneInfo(zone)
    quiet = QuietHours(start.replace(microsecond=0), end.replace(microsecond=0))
    until = quiet.quiet_until(moment, tz)
    if until is None:
        return
    assert until > moment
    assert until - moment <= timedelta(hours=25)
    assert not quiet.is_quiet(until, tz) or quiet.start == quiet.end
