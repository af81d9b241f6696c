"""A shop sends photos with its supplement (追加定损照片) from the booking card: stored as the
claim's evidence from the shop (who, when, which proposal version), the agreed figures
untouched; counted on the adjuster's card, shown on /case and the dashboard claim page with
the per-photo checks. Another shop's booking, or a claim past its supplement, stores nothing.
Through the engine and the web chat, on SQLite and PostgreSQL, with real JPEG bytes."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.bootstrap import Container
from bot.media_intake import Upload
from bot.rendering import render
from bot.web.app import create_app
from domain.claim import Claim, ClaimStatus
from domain.claim_supplement import shop_supplement_photos, supplement_sources
from domain.errors import Refusal
from domain.evidence import MediaKind, PhotoRole, evidence_from_metadata
from domain.money import Money
from messages.inbound import InboundKind
from storage.tables.core import claim_evidence_t, claim_t
from tests.booking_support import (
    OTHER_STAFF_USER,
    STAFF_USER,
    WebUser,
    agree_direct_repair,
    bind_staff_to_web,
)
from tests.booking_support import file_claim as report_claim
from tests.dashboard.support import sign_in, token
from tests.live_server import serve
from tests.media_samples import jpeg_bytes, mp4_bytes
from tests.test_shop_supplement import _adjuster, _car_in_the_shop
from tests.web_chat_client import ChatBrowser

AGREED_FEN = 120_000  # 1,200.00
WORKSHOP = (31.2040, 121.5900)  # SHOP-PD-01; the accident was at (31.2304, 121.4737)
AT_THE_WORKSHOP = "修理厂补充照片：事故后拍摄，在修理厂"


def _claim(container: Container, number: str) -> Claim:
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get(number)
    assert claim is not None
    return claim


def _evidence_rows(container: Container, number: str) -> list[tuple[int, str | None]]:
    e = claim_evidence_t.c
    with container.database.engine.connect() as conn:
        rows = conn.execute(
            select(e.media_id, e.role)
            .join(claim_t, claim_t.c.id == e.claim_id)
            .where(claim_t.c.number == number)
            .order_by(e.position)
        )
        return [(r.media_id, r.role) for r in rows]


def _shop_photos(container: Container, seeds: range) -> list[bytes]:
    """Taken at the workshop a few minutes before they are sent."""
    taken = container.clock.now() - timedelta(minutes=5)
    return [jpeg_bytes(seed=100 + n, taken_at=taken, gps=WORKSHOP) for n in seeds]


def test_photos_before_and_after_the_items_are_the_supplements_evidence(
    container: Container,
) -> None:
    owner = WebUser(container, user_id="owner-0001")
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    adjuster = _adjuster(container)
    number = report_claim(owner)
    agree_direct_repair(container, number, payout_fen=AGREED_FEN)
    _car_in_the_shop(owner, staff, number)
    container.clock.advance(timedelta(days=3))  # the car is opened days after the accident
    agreed = _claim(container, number).adjudication.agreement
    owners_photos = _evidence_rows(container, number)
    assert len(owners_photos) == 3

    assert staff.choose("sh:1:sup") == ["booking.shop.ask.supplement"]
    assert "可发送照片作为追加定损的依据" in staff.rendered()[-1]
    # two photos before the items: stored, the claim still agreed as it was
    assert staff.photos(_shop_photos(container, range(2))) == [
        "booking.shop.done.supplement_photos",
        "booking.shop.ask.supplement",
    ]
    assert "已收到 2 张照片" in staff.rendered()[-2] and "第 2 版" in staff.rendered()[-2]
    claim = _claim(container, number)
    assert claim.status is ClaimStatus.AGREED and claim.adjudication.agreement == agreed
    assert adjuster.received()[-1] != "claims.adjuster.shop_supplement_photos"

    # the items: the adjuster's card says how many photos came with them
    assert staff.text("前保险杠 850") == [
        "booking.shop.done.supplement",
        "booking.shop.ask.supplement_photos",
    ]
    assert "可发送照片作为追加定损的依据" in staff.rendered()[-1]
    assert adjuster.received()[-1] == "claims.adjuster.shop_supplement"
    assert "修理厂随附照片 2 张（第 2 版依据）" in adjuster.rendered()[-1]
    assert len(adjuster.last("claims.adjuster.shop_supplement").attachments) == 2

    # one more photo right after the items, and one already sent: the adjuster is told
    again = _shop_photos(container, range(1, 3))
    assert staff.photos(again)[0] == "booking.shop.done.supplement_photos"
    assert (
        "已收到 1 张照片" in staff.rendered()[-2] and "另有 1 张此前已收到" in staff.rendered()[-2]
    )
    assert adjuster.received()[-1] == "claims.adjuster.shop_supplement_photos"
    notice = adjuster.rendered()[-1]
    assert "补充照片 1 张，本次追加共 3 张" in notice and f"1. {AT_THE_WORKSHOP}" in notice
    assert staff.choose("s:done") == ["booking.shop.done.supplement_closed"]

    claim = _claim(container, number)
    rows = _evidence_rows(container, number)
    assert rows[:3] == owners_photos
    assert [role for _, role in rows[3:]] == [PhotoRole.SUPPLEMENT.value] * 3
    sources = supplement_sources(claim.timeline)
    staff_actor = f"shop_staff:{_staff_id(container)}"
    assert {s.version for s in sources.values()} == {2}
    assert {s.actor for s in sources.values()} == {staff_actor}
    assert all(s.at == container.clock.now() for s in sources.values())
    assert claim.adjudication.agreement == agreed  # the agreed figures stand
    assert claim.status is ClaimStatus.ASSESSED  # from the items, not the photos

    # /case lists them with their checks and their source; so does the dashboard
    adjuster.text(f"/case {number}")
    case = adjuster.rendered()[-1]
    assert "照片 6 张" in case and case.count(AT_THE_WORKSHOP) == 3
    assert case.count("第 2 版依据") == 3
    page = _dashboard_claim_page(container, number)
    assert page.count("supplement-source") == 3 and "第 2 版依据" in page
    assert page.count(AT_THE_WORKSHOP) == 3


def _staff_id(container: Container) -> int:
    with container.database.unit_of_work() as uow:
        shop = uow.shops.by_code("SHOP-PD-01")
        assert shop is not None
        return uow.shops.staff(shop.id or 0)[0].id or 0


def _dashboard_claim_page(container: Container, number: str) -> str:
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as http:
        assert sign_in(http, token(container, "insurer")).status_code == 303
        response = http.get(f"/dashboard/claims/{number}")
    assert response.status_code == 200
    return response.text


def test_a_claim_past_its_supplement_or_a_video_stores_nothing(container: Container) -> None:
    owner = WebUser(container, user_id="owner-0001")
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    number = report_claim(owner)
    agree_direct_repair(container, number, payout_fen=AGREED_FEN)
    _car_in_the_shop(owner, staff, number)
    staff.choose("sh:1:sup")
    video = container.intake.accept([Upload(mp4_bytes(), "video")])
    assert staff.send(InboundKind.MEDIA, media=video.items) == [
        "booking.refusal.supplement_photos_only",
        "booking.shop.ask.supplement",
    ]
    with container.database.unit_of_work() as uow:  # paid before the photos came
        claim = uow.claims.get_for_update(number)
        assert claim is not None
        now = container.clock.now()
        claim.record_payment(Money(AGREED_FEN), "REF-PAID-1", now, "adjuster:ADJ-SH-01")
        uow.claims.save(claim)
        uow.commit()
    assert staff.photos(_shop_photos(container, range(1))) == [
        "booking.refusal.claim_not_in_supplement",
        "booking.shop.ask.supplement",
    ]
    assert "照片未保存" in staff.rendered()[-2]
    assert len(_evidence_rows(container, number)) == 3


def test_a_shop_not_holding_the_booking_stores_nothing(container: Container) -> None:
    owner = WebUser(container, user_id="owner-0001")
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    other = bind_staff_to_web(container, "SHOP-XH-02", OTHER_STAFF_USER)
    number = report_claim(owner)
    agree_direct_repair(container, number, payout_fen=AGREED_FEN)
    _car_in_the_shop(owner, staff, number)
    assert other.choose("sh:1:sup") == ["booking.refusal.not_found"]
    assert other.photos(_shop_photos(container, range(1)))[0] != (
        "booking.shop.done.supplement_photos"
    )
    # the rule itself, whatever the conversation holds
    stored = container.intake.accept([Upload(jpeg_bytes(seed=7), "photo")]).items[0]
    sent = [evidence_from_metadata(stored.media_id, MediaKind.PHOTO, None, None, None, None)]
    party = other.party_id()
    with container.database.unit_of_work() as uow:
        intruder = uow.shops.staff_for_party(party)
        assert intruder is not None
        with pytest.raises(Refusal) as refused:
            shop_supplement_photos(uow, 1, intruder, sent, container.clock.now())
    assert refused.value.reason == "booking.not_found"
    assert len(_evidence_rows(container, number)) == 3


def test_the_shop_uploads_supplement_photos_through_the_web_chat(container: Container) -> None:
    owner = WebUser(container, user_id="owner-0001")
    bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    adjuster = _adjuster(container)
    number = report_claim(owner)
    agree_direct_repair(container, number, payout_fen=AGREED_FEN)
    with serve(create_app(container)) as base:
        staff = ChatBrowser.as_chat(base, container, STAFF_USER)
        _car_in_the_shop(owner, WebUser(container, user_id=STAFF_USER), number)
        asked = staff.tap("sh:1:sup")
        assert "可发送照片作为追加定损的依据" in asked[-1]["text"]
        photos = [
            (f"p{n}.jpg", data, "image/jpeg")
            for n, data in enumerate(_shop_photos(container, range(2)))
        ]
        sent = " ".join(m["text"] for m in staff.upload(photos))
        assert "已收到 2 张照片" in sent and "第 2 版" in sent and "原方案的金额不变" in sent
        done = " ".join(m["text"] for m in staff.say("喷漆 前保险杠 600"))
        assert "已为报案号" in done and "可发送照片作为追加定损的依据" in done
        staff.close()
    assert "修理厂随附照片 2 张（第 2 版依据）" in adjuster.rendered()[-1]
    roles = [role for _, role in _evidence_rows(container, number)]
    assert roles[3:] == [PhotoRole.SUPPLEMENT.value] * 2


def test_a_shops_photo_is_judged_against_the_workshop_not_the_accident(
    container: Container,
) -> None:
    """Taken after the accident and by its upload, at the shop: a photo from the workshop a
    month later is not "1,067 km away, 30 days later"; a recycled one, one dated after it
    was sent, or one taken elsewhere is flagged, in the adjuster's words and the API's."""
    owner = WebUser(container, user_id="owner-0001")
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    adjuster = _adjuster(container)
    number = report_claim(owner)
    accident = _claim(container, number).report.accident_at
    assert accident is not None
    agree_direct_repair(container, number, payout_fen=AGREED_FEN)
    _car_in_the_shop(owner, staff, number)
    container.clock.advance(timedelta(days=30))
    now = container.clock.now()
    staff.choose("sh:1:sup")
    staff.text("前保险杠 850")  # the items' card first: the photos then reach the adjuster
    staff.photos(
        [
            jpeg_bytes(seed=201, taken_at=now - timedelta(days=2), gps=WORKSHOP),
            jpeg_bytes(seed=202, taken_at=accident - timedelta(days=1), gps=WORKSHOP),
            jpeg_bytes(seed=203, taken_at=now + timedelta(hours=2), gps=WORKSHOP),
            jpeg_bytes(seed=204, taken_at=now - timedelta(hours=1), gps=(39.9042, 116.4074)),
            jpeg_bytes(seed=205),
        ]
    )
    assert adjuster.received()[-1] == "claims.adjuster.shop_supplement_photos"
    notice = adjuster.rendered()[-1]
    assert f"1. {AT_THE_WORKSHOP}" in notice
    assert "2. 修理厂补充照片：⚠ 事故前24小时拍摄，在修理厂" in notice
    assert "3. 修理厂补充照片：⚠ 拍摄时间晚于上传时间，在修理厂" in notice
    assert "4. 修理厂补充照片：⚠ 事故后拍摄，距修理厂 1074.52 公里" in notice
    assert "5. 修理厂补充照片：无拍摄信息" in notice
    assert "距报案地点" not in notice and "不一致" not in notice
    with container.database.unit_of_work() as uow:
        payload = uow.outbox.for_chat("web", adjuster.user_id, 0)[-1].payload
    english = render(container.catalogs, "en", payload).text
    assert "1. Shop's supplement photo: taken after the accident, at the shop" in english
    assert "2. Shop's supplement photo: ⚠ taken 24 h before the accident, at the shop" in english
    assert "3. Shop's supplement photo: ⚠ taken after it was sent, at the shop" in english
    assert (
        "4. Shop's supplement photo: ⚠ taken after the accident, 1074.52 km from the shop"
        in english
    )
    assert "5. Shop's supplement photo: no capture data" in english

    adjuster.text(f"/case {number}")
    case = adjuster.rendered()[-1]
    assert case.count("修理厂补充照片：⚠") == 3 and "1. 全景照：" in case  # the owner's as before
    client = TestClient(create_app(container))
    raw = token(container, "insurer")
    body = client.get(f"/api/claims/{number}", headers={"Authorization": f"Bearer {raw}"}).json()
    checks = [(e["role"], e["checked_against"], e["check"]) for e in body["evidence"]]
    assert checks[3:] == [
        ("supplement", "workshop", "consistent"),
        ("supplement", "workshop", "inconsistent"),
        ("supplement", "workshop", "inconsistent"),
        ("supplement", "workshop", "inconsistent"),
        ("supplement", "workshop", "no_metadata"),
    ]
    assert {against for _, against, _ in checks[:3]} == {"accident"}
