"""Language that sounds like an insurer's service desk, through the real engine: car makes
in Chinese for a zh reader, durations as "5分钟" / "1小时20分钟", a low rating answered
with an apology and what happens next, the hotline from settings where the bot says
"call us", the status link once per stage, the status page in the owner's language."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.bootstrap import Container, build
from bot.settings import Settings
from bot.web.app import create_app
from storage.db import Database
from tests.booking_support import STAFF_USER, WebUser, bind_staff_to_web, book_maintenance
from tests.engine_harness import Owner, database_url
from tests.fakes import FixedClock
from tests.media_samples import jpeg_bytes


def test_a_zh_owner_reads_the_car_in_chinese_an_en_owner_in_english(
    container: Container,
) -> None:
    zh = Owner(container, "owner-zh-001")
    zh.text("/report")
    zh.text("沪A12345")
    zh.text("8001")
    assert any("车辆 大众 帕萨特" in text for text in zh.rendered())
    en = Owner(container, "owner-en-001", hint="en")
    en.text("/report")
    en.text("沪A12345")
    en.text("8001")
    assert any("vehicle: Volkswagen Passat" in text for text in en.rendered())


def test_durations_are_told_in_hours_and_minutes(container: Container) -> None:
    catalogs = container.catalogs
    said = catalogs.render("zh_CN", "human.still_waiting", {"wait_minutes": 80})
    assert "预计 1小时20分钟内回复" in said
    assert "预计 5分钟内回复" in catalogs.render(
        "zh_CN", "human.still_waiting", {"wait_minutes": 5}
    )
    assert "2 h" in catalogs.render("en", "human.still_waiting", {"wait_minutes": 120})
    offset = catalogs.render("zh_CN", "claims.evidence.offset", {"minutes": -90})
    assert offset == "事故前1小时30分钟拍摄"
    owner = Owner(container)
    owner.text("人工客服")
    assert any("预计 5分钟内回复" in text for text in owner.rendered())


def test_a_low_rating_is_answered_with_an_apology_and_what_happens_next(
    container: Container,
) -> None:
    owner = WebUser(container, user_id="owner-0001")
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    book_maintenance(owner)
    for step in ("sh:1:ok", "sh:1:in", "sh:1:start"):
        staff.choose(step)
    staff.text("明天 17:00")
    staff.text("2150.5")
    staff.choose("sh:1:ready")
    staff.choose("s:final:same")
    owner.choose("bk:1:accept")
    owner.choose("bk:1:pay")
    owner.text("2150.5元")
    assert owner.choose("bk:1:rate:1") == ["booking.rated"]
    answer = owner.rendered()[-1]
    assert answer.startswith("很抱歉这次维修没有让您满意")
    assert "1 个工作日内联系您" in answer and "95500" in answer
    assert "感谢您的评价" not in answer
    assert owner.text("等了三个小时，车还没洗") == ["booking.thanks"]
    assert "服务专员会结合您写的情况跟进" in owner.rendered()[-1]


def test_the_hotline_comes_from_settings_wherever_the_bot_says_call_us(
    sqlite_database: Database, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=database_url(sqlite_database),
        media_dir=tmp_path / "media",
        service_hotline="400-820-8888",
    )
    container = build(settings, clock=FixedClock())
    try:
        catalogs = container.catalogs
        for key, params in (
            ("consent.declined", {}),
            ("security.verify.locked", {"until": "2026-11-25T10:00:00+08:00"}),
            ("approval.owner_rejected", {"number": "BA2026112500001", "reason": "酒驾"}),
        ):
            for locale in ("zh_CN", "en"):
                assert "400-820-8888" in catalogs.render(locale, key, params), (locale, key)
    finally:
        container.close()


def test_the_status_link_is_sent_once_per_stage(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos()
    owner.photos([jpeg_bytes(seed=n) for n in range(3)])
    owner.choose("r:summary:confirm")
    owner.text("查进度")
    owner.text("查进度")
    linked = [text for text in owner.rendered() if "/status/" in text]
    assert len(linked) == 1, linked


def test_the_status_page_speaks_the_language_the_owner_chose(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos()
    owner.photos([jpeg_bytes(seed=n) for n in range(3)])
    owner.choose("r:summary:confirm")
    owner.text("/lang en")
    with container.database.unit_of_work() as uow:
        token = uow.connection.exec_driver_sql("SELECT status_token FROM claim").scalar()
    page = TestClient(create_app(container)).get(f"/status/{token}").text
    assert '<html lang="en">' in page and "Claim progress" in page
