"""Repair as it really happens, through the real engine and storage: a shop's "车辆已到店"
long before the slot is refused (CLAIMBOT_BOOKING_ARRIVAL_WINDOW_HOURS) and accepted once
the slot is near."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.bootstrap import Container, build
from bot.settings import Settings
from domain.adjudication import Survey, SurveyMode
from domain.booking import BookingStatus
from domain.slots import parse_slot_key
from storage.db import Database
from tests.booking_support import (
    STAFF_USER,
    WebUser,
    agree_direct_repair,
    bind_staff_to_web,
    book_maintenance,
    file_claim,
)
from tests.engine_harness import database_url, import_sample
from tests.fakes import FixedClock
from tests.test_adjudication_engine import NUMBER, Party, file_report, invite


@pytest.fixture
def one_hour_window(
    sqlite_database: Database, tmp_path: Path, clock: FixedClock
) -> Iterator[Container]:
    settings = Settings(
        database_url=database_url(sqlite_database),
        media_dir=tmp_path / "media",
        booking_arrival_window_hours=1,
    )
    built = build(settings, clock=clock)
    import_sample(built)
    yield built
    built.close()


def test_an_arrival_long_before_the_slot_is_refused(
    one_hour_window: Container, clock: FixedClock
) -> None:
    container = one_hour_window
    owner = WebUser(container, user_id="owner-0001")
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    book_maintenance(owner)
    staff.choose("sh:1:ok")
    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get(1)
    assert booking is not None and booking.appointment is not None
    start = booking.appointment.start
    assert start - clock.now() > timedelta(hours=1)  # the slot is hours away
    assert staff.choose("sh:1:in") == ["booking.refusal.too_early_to_arrive"]
    told = staff.rendered()[-1]
    assert told.startswith("预约 #1 的到店时间是") and "到店前 1小时登记" in told
    with container.database.unit_of_work() as uow:
        still = uow.bookings.get(1)
    assert still is not None and still.status is BookingStatus.CONFIRMED
    clock.advance(start - clock.now() - timedelta(minutes=30))
    assert staff.choose("sh:1:in") == ["booking.shop.done.arrived"]


def test_a_rescheduled_survey_says_it_replaces_the_earlier_one(container: Container) -> None:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    file_report(owner)
    adjuster.news()
    adjuster.choose(f"c:take:{NUMBER}")
    owner.news()
    adjuster.text(f"/survey {NUMBER} 现场 明天 10:00 黄浦区人民大道 200 号")
    assert owner.news() == ["claims.owner.survey"]
    assert "取代" not in owner.last_text()
    adjuster.text(f"/survey {NUMBER} 现场 后天 15:00 浦东新区张江路 88 号")
    assert owner.news() == ["claims.owner.survey"]
    told = owner.last_text()
    assert "浦东新区张江路 88 号" in told
    earlier = "2026年11月26日 10:00 的现场查勘（黄浦区人民大道 200 号）"
    assert f"本次安排取代之前 {earlier}，以本条为准" in told
    assert "取代之前" in adjuster.last_text()


def test_a_slot_clashing_with_the_on_site_survey_is_not_offered(container: Container) -> None:
    owner = WebUser(container, user_id="owner-0001")
    number = file_claim(owner)
    agree_direct_repair(container, number)
    owner.text("/book")
    owner.choose(f"b:claim:{number}")
    owner.choose("b:shop:SHOP-PD-01")
    offered = owner.choices("booking.ask.slot")
    first = parse_slot_key(offered[0].removeprefix("b:slot:"))
    assert first is not None
    with container.database.unit_of_work() as uow:  # an on-site survey at that very time
        claim = uow.claims.get_for_update(number)
        assert claim is not None
        claim.adjudication.survey = Survey(SurveyMode.ONSITE, first, "黄浦区人民大道 200 号")
        uow.claims.save(claim)
        uow.commit()
    owner.choose("b:shops")
    owner.choose("b:shop:SHOP-PD-01")
    now_offered = owner.choices("booking.ask.slot")
    starts = [parse_slot_key(v.removeprefix("b:slot:")) for v in now_offered if "slot:" in v]
    assert first not in starts
    assert all(s is None or abs(s - first) >= timedelta(hours=1) for s in starts)
    assert starts, "other times are still offered"
