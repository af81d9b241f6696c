"""The shop's morning schedule: at the configured local hour, one message per staff chat
listing the day's confirmed bookings, once per day (two passes, two workers, a restart)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.booking import Booking, BookingKind, BookingStatus
from domain.slots import TimeSlot
from locales.catalog import Catalogs
from scheduler.kinds import Registry
from scheduler.runner import TimerRunner
from scheduler.shop_schedule import SHOP_SCHEDULE, ShopScheduleConfig, shop_schedule_timer_kinds
from storage.db import Database
from storage.records import OutboxRow
from tests.fakes import FixedClock
from tests.scheduler.helpers import config, outbox, timers
from tests.storage.helpers import import_example, new_owner

SHANGHAI = ZoneInfo("Asia/Shanghai")
CATALOGS = Catalogs(SHANGHAI)
ZHOU = ("telegram", "900101")  # the staff of SHOP-PD-01 in examples/directory.yaml
THURSDAY = date(2026, 11, 26)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A time on 26 or 27 November 2026 in Shanghai."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def booking(
    database: Database,
    shop: str,
    start: datetime,
    status: BookingStatus,
    *,
    kind: BookingKind = BookingKind.REPAIR,
    plate: str = "沪A12345",
    claim: str | None = None,
    pickup: str | None = None,
) -> int:
    with database.unit_of_work() as uow:
        found = uow.shops.by_code(shop)
        assert found is not None and found.id is not None
        owner = uow.parties.resolve("telegram", "owner-1")
        stored = Booking(
            kind=kind,
            shop_id=found.id,
            owner_id=owner.id,
            slot=TimeSlot(start, start + timedelta(hours=1)),
            created_at=local(25, 12),
            status=status,
            plate=plate,
            claim_number=claim,
            tow=pickup is not None,
            pickup=pickup,
        )
        uow.bookings.add(stored)
        uow.commit()
    assert stored.id is not None
    return stored.id


@pytest.fixture
def bookings(database: Database, directory_data: dict[str, Any]) -> dict[str, int]:
    import_example(database, directory_data)
    new_owner(database, "owner-1")
    confirmed = BookingStatus.CONFIRMED
    return {
        "repair": booking(database, "SHOP-PD-01", local(26, 9), confirmed, claim="BA2026112500001"),
        "service": booking(
            database,
            "SHOP-PD-01",
            local(26, 14),
            confirmed,
            kind=BookingKind.MAINTENANCE,
            plate="沪B67890",
        ),
        "held": booking(database, "SHOP-PD-01", local(26, 11), BookingStatus.HELD),
        "cancelled": booking(database, "SHOP-PD-01", local(26, 16), BookingStatus.CANCELLED),
        "tomorrow": booking(database, "SHOP-PD-01", local(27, 10), confirmed, plate="沪C11111"),
    }


def make_runner(database: Database, clock: FixedClock, **settings: Any) -> TimerRunner:
    kinds = shop_schedule_timer_kinds(ShopScheduleConfig(**settings))
    run = TimerRunner(database, Registry(kinds), clock, config(), worker="test")
    run.ensure_recurring()
    return run


def schedules(database: Database) -> list[OutboxRow]:
    return [row for row in outbox(database) if row.payload["key"] == "shop_schedule.card"]


def at(clock: FixedClock, moment: datetime, *runs: TimerRunner) -> None:
    clock.current = moment
    for run in runs:
        run.run_due()


def test_the_morning_message_lists_the_days_confirmed_bookings(
    database: Database, bookings: dict[str, int]
) -> None:
    clock = FixedClock(local(26, 7))
    run = make_runner(database, clock)
    at(clock, local(26, 7), run)
    armed = timers(database, SHOP_SCHEDULE)
    assert armed["shop_schedule:SHOP-PD-01:2026-11-26"]["due_at"] == local(26, 8)
    assert set(armed) == {
        f"shop_schedule:{shop}:{day}"
        for shop in ("SHOP-PD-01", "SHOP-XH-02")
        for day in ("2026-11-26", "2026-11-27")
    }
    at(clock, local(26, 7, 59), run)
    assert schedules(database) == []

    at(clock, local(26, 8), run)
    [row] = schedules(database)
    assert (row.channel, row.chat_id) == ZHOU
    params = row.payload["params"]
    assert (params["count"], params["today"], params["date"]) == (2, True, "2026-11-26")
    listed = [(b["time"], b["end"], b["plate"], b["kind"], b["claim"]) for b in params["bookings"]]
    assert listed == [
        ("09:00", "10:00", "沪A12345", "repair", "BA2026112500001"),
        ("14:00", "15:00", "沪B67890", "maintenance", None),
    ]
    refs = [f"#{bookings['repair']}", f"#{bookings['service']}"]
    assert [b["ref"] for b in params["bookings"]] == refs
    assert [c["value"] for c in row.payload["choices"]] == [
        f"sh:{bookings['repair']}:in",
        f"sh:{bookings['service']}:in",
    ]
    text = CATALOGS.render("zh_CN", "shop_schedule.card", params)
    for expected in ("浦东安心汽修", "今天", "09:00", "沪A1**45", refs[0], "BA2026112500001"):
        assert expected in text
    assert "保养" in text  # the maintenance booking's kind
    english = CATALOGS.render("en", "shop_schedule.card", params)
    assert "today" in english and refs[1] in english
    for choice in row.payload["choices"]:
        assert CATALOGS.render("en", choice["label_key"], choice["params"])
    other = timers(database, SHOP_SCHEDULE)["shop_schedule:SHOP-XH-02:2026-11-26"]
    assert (other["status"], other["outcome"]) == ("dropped", "no confirmed bookings on 2026-11-26")

    for hour in (9, 12, 18, 23):  # the hourly sweep goes on; the day's message is not resent
        at(clock, local(26, hour), run)
    assert len(schedules(database)) == 1

    at(clock, local(27, 8), run)  # the next morning: the next day's bookings
    later = schedules(database)[1]
    assert [b["plate"] for b in later.payload["params"]["bookings"]] == ["沪C11111"]


def test_a_car_coming_by_tow_says_so_with_its_pickup_address(
    database: Database, bookings: dict[str, int]
) -> None:
    towed = booking(
        database,
        "SHOP-PD-01",
        local(26, 16),
        BookingStatus.CONFIRMED,
        plate="沪D22222",
        pickup="浦东新区世纪大道 100 号",
    )
    clock = FixedClock(local(26, 7))
    run = make_runner(database, clock)
    at(clock, local(26, 7), run)
    at(clock, local(26, 8), run)
    [row] = schedules(database)
    params = row.payload["params"]
    listed = {b["ref"]: (b["tow"], b["pickup"]) for b in params["bookings"]}
    assert listed[f"#{towed}"] == (True, "浦东新区世纪大道 100 号")
    assert listed[f"#{bookings['service']}"] == (False, None)
    text = CATALOGS.render("zh_CN", "shop_schedule.card", params)
    line = next(line for line in text.splitlines() if f"#{towed}" in line)
    assert line.endswith("拖车到店，接车地址：浦东新区世纪大道 100 号")
    assert text.count("拖车到店") == 1
    english = CATALOGS.render("en", "shop_schedule.card", params)
    assert "tow to the shop, pickup at 浦东新区世纪大道 100 号" in english


def test_tomorrow_mode_lists_the_next_day(database: Database, bookings: dict[str, int]) -> None:
    clock = FixedClock(local(26, 7))
    run = make_runner(database, clock, days_ahead=1)
    at(clock, local(26, 7), run)
    at(clock, local(26, 8), run)
    [row] = schedules(database)
    params = row.payload["params"]
    assert (params["today"], params["date"], params["count"]) == (False, "2026-11-27", 1)
    assert "明天" in CATALOGS.render("zh_CN", "shop_schedule.card", params)


def test_once_per_day_across_two_workers_and_a_restart(
    database: Database, bookings: dict[str, int]
) -> None:
    clock = FixedClock(local(26, 7))
    first, second = make_runner(database, clock), make_runner(database, clock)
    at(clock, local(26, 7), first, second)
    at(clock, local(26, 8), first, second)
    at(clock, local(26, 8, 30), make_runner(database, clock))  # a restart
    rows = schedules(database)
    assert len(rows) == 1
    fired = timers(database, SHOP_SCHEDULE)["shop_schedule:SHOP-PD-01:2026-11-26"]
    assert (fired["status"], fired["fires"]) == ("fired", 1)


def test_sent_late_after_a_restart_within_the_grace_dropped_beyond(
    database: Database, bookings: dict[str, int]
) -> None:
    clock = FixedClock(local(26, 11, 30))
    run = make_runner(database, clock)  # first start at 11:30: today's still goes out
    run.run_due()
    run.run_due()
    assert [r.chat_id for r in schedules(database)] == [ZHOU[1]]

    clock.current = local(27, 12, 30)  # down from 11:30 yesterday until 12:30
    restarted = make_runner(database, clock)
    restarted.run_due()
    assert len(schedules(database)) == 1
    late = timers(database, SHOP_SCHEDULE)["shop_schedule:SHOP-PD-01:2026-11-27"]
    assert late["status"] == "dropped" and late["outcome"].startswith("late by")


def test_configured_time_and_day_through_the_composition_root(
    database: Database, bookings: dict[str, int], tmp_path: Path
) -> None:
    from bot.bootstrap import build
    from bot.settings import Settings
    from tests.engine_harness import database_url

    clock = FixedClock(local(26, 7))
    settings = Settings(
        database_url=database_url(database),
        media_dir=tmp_path / "media",
        shop_schedule_time="07:30",  # inside the default quiet hours: not held by them
        shop_schedule_day="tomorrow",
    )
    container = build(settings, clock=clock)
    try:
        assert container.scheduler is not None
        run = container.scheduler.runner
        run.ensure_recurring()
        at(clock, local(26, 7), run)
        at(clock, local(26, 7, 30), run)
    finally:
        container.close()
    [row] = schedules(database)
    assert row.payload["params"]["date"] == "2026-11-27"
    due = timers(database, SHOP_SCHEDULE)["shop_schedule:SHOP-PD-01:2026-11-27"]["due_at"]
    assert due == datetime.combine(THURSDAY + timedelta(days=1), time(7, 30), tzinfo=SHANGHAI)


def test_a_bad_schedule_time_is_refused() -> None:
    from pydantic import ValidationError

    from bot.settings import Settings

    with pytest.raises(ValidationError):
        Settings(shop_schedule_time="8 am")
    with pytest.raises(ValidationError):
        Settings(shop_schedule_day="yesterday")
