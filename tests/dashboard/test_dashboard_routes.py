"""The dashboard over HTTP: login, lists, filters, details, media, scope, analytics."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from bot.web.auth import SESSION_COOKIE
from domain.booking import Payer
from domain.money import Money
from storage.db import Database
from tests.dashboard.support import Seeded, seed, sign_in, token
from tests.engine_harness import make_container
from tests.fakes import FixedClock
from tests.live_server import serve


@pytest.fixture
def container(database: Database, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    built = make_container(database, tmp_path / "media", clock)
    yield built
    built.close()


@pytest.fixture
def seeded(container: Container, clock: FixedClock) -> Seeded:
    return seed(container, clock)


@pytest.fixture
def http(container: Container) -> Iterator[httpx.Client]:
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def login(http: httpx.Client, raw: str) -> None:
    response = sign_in(http, raw)
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and raw not in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_no_page_without_a_token(http: httpx.Client, seeded: Seeded) -> None:
    for path in (
        "/dashboard",
        f"/dashboard/claims/{seeded.linked}",
        f"/dashboard/bookings/{seeded.pd_booking}",
        "/dashboard/analytics",
    ):
        response = http.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/dashboard/login"
    assert http.get("/dashboard/changes").status_code == 401
    assert http.get("/dashboard/analytics.csv").status_code == 401
    assert http.get(f"/dashboard/claims/{seeded.linked}/media/1").status_code == 401
    http.cookies.set(SESSION_COOKIE, "not-a-real-session")
    assert http.get("/dashboard").status_code == 303
    wrong = sign_in(http, "cbt_wrong")
    assert wrong.status_code == 401 and "令牌无效" in wrong.text


def test_insurer_sees_every_claim_filters_and_opens_one(
    container: Container, http: httpx.Client, seeded: Seeded, clock: FixedClock
) -> None:
    login(http, token(container, "insurer"))
    clock.advance(timedelta(minutes=61))
    page = http.get("/dashboard")
    assert page.status_code == 200
    assert seeded.linked in page.text and seeded.unlinked in page.text
    assert page.text.count("sla-breached") == 1  # the unlinked claim waits over an hour
    assert page.text.count("sla-on_time") == 1  # the linked one was taken in 20 minutes
    assert "浦东安心汽修" in page.text and "徐汇诚信车服" in page.text
    only = http.get("/dashboard", params={"stage": "agreed"}).text
    assert seeded.linked in only and seeded.unlinked not in only
    by_number = http.get("/dashboard", params={"q": seeded.unlinked[-5:]}).text
    assert seeded.unlinked in by_number and f'data-claim="{seeded.linked}"' not in by_number
    none = http.get("/dashboard", params={"from": "2027-01-01"}).text
    assert 'data-claim="' not in none

    detail = http.get(f"/dashboard/claims/{seeded.linked}")
    assert detail.status_code == 200
    text = detail.text
    assert "https://uri.amap.com/marker?position=121.4737,31.2304&amp;coordinate=wgs84" in text
    assert "理赔员 ADJ-SH-01" in text and "1,200.00" in text
    assert "直接支付给修理厂（直赔）" in text and "全责" in text
    statement = text[text.index('id="statement"') :]
    assert "车损险" in statement and "本车按 100% 责任比例自负的车辆损失" in statement
    assert 'id="owner-pays">0.00 元' in text
    assert f"/dashboard/bookings/{seeded.pd_booking}" in text
    photos = re.findall(rf"/dashboard/claims/{seeded.linked}/media/(\d+)", text)
    assert len(set(photos)) == 3
    photo = http.get(f"/dashboard/claims/{seeded.linked}/media/{photos[0]}")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert http.get(f"/dashboard/claims/{seeded.linked}/media/99999").status_code == 404
    booking = http.get(f"/dashboard/bookings/{seeded.pd_booking}")
    assert booking.status_code == 200 and "已确认" in booking.text
    assert http.get("/dashboard/claims/BA2099010100001").status_code == 404

    english = http.get("/dashboard", params={"lang": "en"})
    assert "Claims and bookings" in english.text and "breached" in english.text
    assert "Claims and bookings" in http.get("/dashboard").text  # remembered


def test_a_shop_sees_only_its_bookings_and_their_claims(
    container: Container, http: httpx.Client, seeded: Seeded
) -> None:
    login(http, token(container, "shop", "SHOP-PD-01"))
    page = http.get("/dashboard").text
    assert seeded.linked in page and seeded.unlinked not in page
    assert "徐汇诚信车服" not in page
    assert http.get(f"/dashboard/claims/{seeded.linked}").status_code == 200
    assert http.get(f"/dashboard/claims/{seeded.unlinked}").status_code == 404
    assert http.get(f"/dashboard/bookings/{seeded.pd_booking}").status_code == 200
    assert http.get(f"/dashboard/bookings/{seeded.xh_booking}").status_code == 404
    detail = http.get(f"/dashboard/claims/{seeded.linked}").text
    photo = re.findall(rf"/dashboard/claims/{seeded.linked}/media/(\d+)", detail)[0]
    assert http.get(f"/dashboard/claims/{seeded.linked}/media/{photo}").status_code == 200
    assert http.get(f"/dashboard/claims/{seeded.unlinked}/media/{photo}").status_code == 404
    analytics = http.get("/dashboard/analytics").text
    assert "浦东安心汽修" in analytics and "徐汇诚信车服" not in analytics
    assert "理赔员响应时间" not in analytics


def test_the_change_marker_moves_when_a_visible_record_changes(
    container: Container, http: httpx.Client, seeded: Seeded
) -> None:
    login(http, token(container, "shop", "SHOP-XH-02"))
    page = http.get("/dashboard").text
    marker = re.search(r'data-marker="([^"]+)"', page)
    assert marker is not None
    since = marker.group(1)
    assert http.get("/dashboard/changes", params={"since": since}).json()["changed"] is False
    seeded.staff.choose("sh:1:in")  # the PD shop's booking moves: not XH's
    with container.database.unit_of_work() as uow:
        moved = uow.bookings.get(seeded.pd_booking)
    assert moved is not None and moved.status.value == "arrived"
    assert http.get("/dashboard/changes", params={"since": since}).json()["changed"] is False
    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get_for_update(seeded.xh_booking)
        assert booking is not None
        booking.hold(container.clock.now(), container.clock.now(), "system")
        uow.bookings.save(booking)
        uow.commit()
    assert http.get("/dashboard/changes", params={"since": since}).json()["changed"] is True


def test_analytics_page_and_csv(container: Container, http: httpx.Client, seeded: Seeded) -> None:
    login(http, token(container, "insurer"))
    page = http.get("/dashboard/analytics", params={"since": "2026-11-01"})
    assert page.status_code == 200
    assert page.text.count("<svg") == 4 and "从报案到各阶段的时长" in page.text
    csv_text = http.get("/dashboard/analytics.csv", params={"since": "2026-11-01"})
    assert csv_text.headers["content-type"].startswith("text/csv")
    lines = csv_text.text.splitlines()
    assert lines[0] == "section,subject,metric,value"
    assert "claims,,count,2" in lines
    assert "response,ADJ-SH-01,count,1" in lines
    assert "cycle,assigned,p50_minutes,20.0" in lines
    assert "shop,SHOP-PD-01,confirmation_p50_minutes,30.0" in lines


def test_filters_the_page_cannot_apply_get_a_400_page_that_says_why(
    container: Container, http: httpx.Client, seeded: Seeded
) -> None:
    login(http, token(container, "insurer"))
    backwards = {"since": "2026-12-01", "until": "2026-11-01"}
    page = http.get("/dashboard/analytics", params=backwards)
    assert page.status_code == 400
    assert "结束日期 2026-11-01 早于开始日期 2026-12-01。" in page.text
    assert 'href="/dashboard/analytics"' in page.text  # a way back to the form
    english = http.get("/dashboard/analytics", params={**backwards, "lang": "en"})
    assert "The end date 2026-11-01 is before the start date 2026-12-01." in english.text
    http.get("/dashboard", params={"lang": "zh_CN"})
    bad_date = http.get("/dashboard/analytics", params={"since": "xx"})
    assert bad_date.status_code == 400 and "日期“xx”无法识别" in bad_date.text
    csv_refused = http.get("/dashboard/analytics.csv", params=backwards)
    assert csv_refused.status_code == 400 and "早于开始日期" in csv_refused.text
    stage = http.get("/dashboard", params={"stage": "bogus"})
    assert stage.status_code == 400 and "没有“bogus”这个阶段" in stage.text
    assert f'data-claim="{seeded.linked}"' not in stage.text  # no list for a filter ignored
    reversed_list = http.get("/dashboard", params={"from": "2026-12-01", "to": "2026-11-01"})
    assert reversed_list.status_code == 400
    assert http.get("/dashboard", params={"from": "2026-13-01"}).status_code == 400


def test_dates_at_the_ends_of_the_calendar_are_answered(
    container: Container, http: httpx.Client, seeded: Seeded
) -> None:
    """Year 1 and 9999 have no UTC midnight in Shanghai: bounded, not a server error."""
    login(http, token(container, "insurer"))
    ends = {"since": "0001-01-01", "until": "9999-12-31"}
    assert http.get("/dashboard/analytics", params=ends).status_code == 200
    assert http.get("/dashboard/analytics.csv", params=ends).status_code == 200
    listed = http.get("/dashboard", params={"from": "0001-01-01", "to": "9999-12-31"})
    assert listed.status_code == 200 and f'data-claim="{seeded.linked}"' in listed.text


def test_a_shops_csv_has_its_bookings_and_no_claim_figures(
    container: Container, http: httpx.Client, seeded: Seeded
) -> None:
    login(http, token(container, "shop", "SHOP-PD-01"))
    lines = http.get("/dashboard/analytics.csv", params={"since": "2026-11-01"}).text.splitlines()
    sections = {line.split(",")[0] for line in lines[1:]}
    assert sections == {"window", "shop"}
    assert "shop,SHOP-PD-01,bookings,1" in lines


def _repair_paid_and_rated(container: Container, booking_id: int) -> None:
    now = container.clock.now()
    rules = container.settings.booking_rules
    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get_for_update(booking_id)
        assert booking is not None
        booking.arrive(now, "shop_staff:1")
        booking.start_repair(now + timedelta(days=2), now, rules, "shop_staff:1")
        booking.mark_ready(now, "shop_staff:1")
        booking.accept_repair(now, "party:1")
        booking.record_payment(Payer.INSURER, Money(325_050), now, rules, "party:1")
        booking.rate(4, now, "party:1")
        uow.bookings.save(booking)
        uow.commit()


def test_timeline_notes_and_amounts_are_shown_in_words(
    container: Container, http: httpx.Client, seeded: Seeded
) -> None:
    login(http, token(container, "insurer"))
    claim = http.get(f"/dashboard/claims/{seeded.linked}").text
    assert "全责（承担 100%）" in claim and "full 100%" not in claim
    assert "新增配件：后保险杠 1,200.00 元" in claim and "+ part" not in claim
    assert "远程查勘" in claim and ">remote<" not in claim
    assert "第 1 版 · " in claim and "v1 shop" not in claim
    _repair_paid_and_rated(container, seeded.pd_booking)
    booking = http.get(f"/dashboard/bookings/{seeded.pd_booking}").text
    assert "<dd>3,250.50 元</dd>" in booking  # the paid amount with its currency
    assert "保险公司直赔 · 3,250.50 元" in booking and "insurer 3250.50" not in booking
    assert "★★★★</div>" in booking
    assert re.search(r"到店时间 2026年\d\d月\d\d日 \d\d:\d\d", booking)
    assert re.search(r"预计完工 2026年\d\d月\d\d日 \d\d:\d\d", booking)
    assert not re.search(r">\d{12}<", booking)  # no slot key
    english = http.get(f"/dashboard/bookings/{seeded.pd_booking}", params={"lang": "en"}).text
    assert "<dd>¥3,250.50</dd>" in english and "insurer pays (direct repair) · ¥3,250.50" in english


def test_the_booking_page_shows_the_quote_final_amount_and_tow(
    container: Container, http: httpx.Client, seeded: Seeded
) -> None:
    now = container.clock.now()
    rules = container.settings.booking_rules
    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get_for_update(seeded.pd_booking)
        assert booking is not None
        booking.tow, booking.pickup = True, "浦东新区世纪大道 100 号"
        booking.arrive(now, "shop_staff:1")
        booking.start_repair(now + timedelta(days=2), now, rules, "shop_staff:1", Money(215_000))
        booking.mark_ready(now, "shop_staff:1", Money(230_050), rules)
        uow.bookings.save(booking)
        uow.commit()
    login(http, token(container, "insurer"))
    page = http.get(f"/dashboard/bookings/{seeded.pd_booking}").text
    assert '<dd id="quote">2,150.00 元</dd>' in page
    assert '<dd id="final">2,300.50 元</dd>' in page
    assert '<dd id="tow">浦东新区世纪大道 100 号</dd>' in page
    assert "最终金额 2,300.50 元" in page and ">2300.50<" not in page  # the ready note
    english = http.get(f"/dashboard/bookings/{seeded.pd_booking}", params={"lang": "en"}).text
    assert '<dd id="quote">¥2,150.00</dd>' in english
