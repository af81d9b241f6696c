"""The owner's status page: its token opens its claim only, in the owner's locale, without
staff notes; and every owner message naming a claim links to it (nobody else's does)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from bot.bootstrap import Container
from domain.adjudication import Liability, LiabilityFinding, Survey, SurveyMode
from messages.outbound import STATUS_LINKS
from scheduler.config import SchedulerConfig
from scheduler.kinds import FireContext, Message, Outcome, Registry, Send, TimerKind
from scheduler.runner import TimerRunner
from storage.records import OutboxItem
from storage.repositories.status_links import with_status_links
from storage.repositories.timers import Timer, TimerSpec
from storage.tables.core import claim_t, party_t
from tests.api.scenario import SHOP_A, World, build_world
from tests.booking_support import STAFF_USER, bind_staff_to_web

LINK = re.compile(r"/status/([A-Za-z0-9_-]+)")


def token_of(container: Container, number: str) -> str:
    with container.database.engine.connect() as conn:
        token = conn.execute(
            select(claim_t.c.status_token).where(claim_t.c.number == number)
        ).scalar_one()
    assert isinstance(token, str)
    return token


def test_a_token_opens_its_claim_and_only_that_one(
    client: TestClient, world: World, container: Container
) -> None:
    page_a = client.get(f"/status/{token_of(container, world.claim_a)}")
    assert page_a.status_code == 200
    assert world.claim_a in page_a.text and world.claim_b not in page_a.text
    page_b = client.get(f"/status/{token_of(container, world.claim_b)}")
    assert world.claim_b in page_b.text and world.claim_a not in page_b.text


def test_unknown_or_malformed_tokens_get_the_404_page(
    client: TestClient, world: World, container: Container
) -> None:
    token = token_of(container, world.claim_a)
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), world.claim_a, "x", "%2e%2e"):
        response = client.get(f"/status/{wrong}")
        assert response.status_code == 404, wrong
        assert "页面不存在" in response.text and world.claim_a not in response.text


def test_the_page_shows_stage_money_in_yuan_and_repair_progress_without_staff_notes(
    client: TestClient, world: World, container: Container
) -> None:
    url = f"/status/{token_of(container, world.claim_a)}"
    page = client.get(url)
    html = page.text
    assert '<meta name="viewport"' in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # no external asset
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "方案已确认" in html  # the stage, in the owner's locale
    assert "定损金额" in html and "1,200.00 元" in html
    assert "直接支付给修理厂（直赔）" in html
    assert "您自行承担" in html and 'id="owner-pays">0.00 元' in html
    assert "浦东安心汽修" in html and "待修理厂确认" in html
    # the timeline names the steps, not who recorded them or their internal notes
    assert "认定责任" in html and "提出理赔方案" in html
    assert "ADJ-SH-01" not in html and "adjuster:" not in html and "+ part" not in html

    staff = bind_staff_to_web(container, SHOP_A, STAFF_USER)
    staff.choose(f"sh:{world.repair_booking}:ok")
    assert 'class="booking-status">已确认<' in client.get(url).text


def test_the_share_shown_is_the_one_the_settlement_applies(
    client: TestClient, world: World, container: Container
) -> None:
    now, actor = container.clock.now(), "adjuster:ADJ-SH-01"
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(world.claim_b)
        assert claim is not None and not claim.other_party_identified
        claim.take(1, now, actor)
        claim.schedule_survey(Survey(SurveyMode.REMOTE, None, None), now, actor)
        claim.record_liability(LiabilityFinding(Liability.EQUAL, 50), now, actor)
        uow.claims.save(claim)
        uow.commit()
    html = client.get(f"/status/{token_of(container, world.claim_b)}").text
    assert "同责（无可追偿的对方车辆，按您承担 100% 计算）" in html
    assert "50%" not in html
    english = client.get(f"/status/{token_of(container, world.claim_a)}?lang=en").text
    assert "(you bear 100%)" in english and "Payment method" in english


def test_the_page_speaks_the_owners_language_and_lang_overrides(
    client: TestClient, world: World, container: Container
) -> None:
    url = f"/status/{token_of(container, world.claim_a)}"
    assert "Claim progress" in client.get(url, params={"lang": "en"}).text
    with container.database.engine.begin() as conn:
        conn.execute(update(party_t).values(locale="en"))
    english = client.get(url).text
    assert '<html lang="en">' in english
    assert "Assessed loss" in english and "CNY 1,200.00" in english
    assert "理赔进度" in client.get(url, params={"lang": "zh"}).text


def test_owner_messages_naming_their_claim_carry_its_link(
    world: World, container: Container
) -> None:
    token_a = token_of(container, world.claim_a)
    token_b = token_of(container, world.claim_b)
    naming_a = [text for text in world.owner.rendered() if world.claim_a in text]
    assert naming_a, "the owner was told about the claim"
    assert f"/status/{token_a}" in naming_a[0] and "进度查询" in naming_a[0]
    # Once per stage, not under every message: the claim did not move on between these.
    assert sum(f"/status/{token_a}" in text for text in naming_a) < len(naming_a)
    filed_b = [text for text in world.owner.rendered() if world.claim_b in text]
    assert filed_b and f"/status/{token_b}" in filed_b[0]
    unrelated = [t for t in world.owner.rendered() if not re.search(r"BA\d{13}", t)]
    assert unrelated and not any("/status/" in text for text in unrelated)


def test_staff_messages_never_carry_an_owners_link(container: Container) -> None:
    staff = bind_staff_to_web(container, SHOP_A, STAFF_USER)  # before the request arrives
    world = build_world(container)
    staff.choose(f"sh:{world.repair_booking}:ok")
    seen = staff.rendered()
    assert any(world.claim_a in text for text in seen)
    assert not any(LINK.search(text) for text in seen)


def test_a_link_is_added_only_for_the_recipients_own_claims(
    world: World, container: Container
) -> None:
    owner_id = world.owner.party_id()

    def item(party_id: int | None) -> OutboxItem:
        params = {"number": world.claim_a, "claims": [{"number": world.claim_b}]}
        return OutboxItem("web", "c", "zh_CN", {"key": "k", "params": params}, "k", party_id)

    with container.database.engine.connect() as conn:
        other = conn.execute(select(party_t.c.id).where(party_t.c.id != owner_id)).scalar()
        own, foreign, nobody = with_status_links(
            conn, [item(owner_id), item(other), item(None)], "https://claims.example.com"
        )
    assert [link["number"] for link in own.payload[STATUS_LINKS]] == [
        world.claim_a,
        world.claim_b,
    ]
    assert STATUS_LINKS not in foreign.payload and STATUS_LINKS not in nobody.payload


def test_a_timers_message_to_the_owner_naming_the_claim_links_it_too(
    world: World, container: Container
) -> None:
    """Messages written by the scheduler pass through the same stamping as the engine's."""
    owner_id = world.owner.party_id()

    def about_the_claim(ctx: FireContext, timer: Timer) -> Outcome:
        contact = ctx.uow.reminders.contact(owner_id)
        assert contact is not None
        return Send([Message.of(contact, "claims.owner.status", {"number": world.claim_a})])

    now = container.clock.now()
    with container.database.engine.begin() as conn:  # a new stage: its link is given again
        conn.execute(
            update(claim_t).where(claim_t.c.number == world.claim_a).values(status="surveying")
        )
    with container.database.unit_of_work() as uow:
        uow.timers.set(TimerSpec("about_claim", "c1", now, {}), now)
        uow.commit()
    cfg = SchedulerConfig(quiet_hours=None, status_base_url="https://claims.example.com")
    runner = TimerRunner(
        container.database,
        Registry([TimerKind("about_claim", about_the_claim, quiet_hours=False)]),
        container.clock,
        cfg,
        worker="test",
    )
    assert runner.run_due() == 1
    with container.database.unit_of_work() as uow:
        (row,) = [
            r
            for r in uow.outbox.for_chat("web", world.owner.user_id, 0)
            if r.idempotency_key.startswith("timer:")
        ]
    token = token_of(container, world.claim_a)
    assert row.payload[STATUS_LINKS] == [
        {
            "number": world.claim_a,
            "url": f"https://claims.example.com/status/{token}",
            "stage": "surveying",
        }
    ]


def test_head_is_answered_like_get_without_a_body(
    client: TestClient, world: World, container: Container
) -> None:
    """Link previewers (chat apps) ask with HEAD before they fetch."""
    path = f"/status/{token_of(container, world.claim_a)}"
    got, head = client.get(path), client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["cache-control"] == "no-store"
    assert client.head("/status/not-a-valid-token-at-all").status_code == 404


def test_the_repair_shows_the_shops_quote_then_its_final_amount_grouped(
    client: TestClient, world: World, container: Container
) -> None:
    """The owner sees what the shop quoted before the repair and, once the car is ready,
    what it charges — grouped, in the page's locale."""
    url = f"/status/{token_of(container, world.claim_a)}"
    b = world.repair_booking
    assert "修理厂报价" not in client.get(url).text  # nothing quoted yet
    staff = bind_staff_to_web(container, SHOP_A, STAFF_USER)
    staff.choose(f"sh:{b}:ok")
    staff.choose(f"sh:{b}:in")
    assert staff.choose(f"sh:{b}:start") == ["booking.shop.ask.estimate"]
    assert staff.text("明天 17:00") == ["booking.shop.ask.quote"]
    assert staff.text("1.2万") == ["booking.shop.done.in_repair"]
    html = client.get(url).text
    assert f'修理厂报价</dt><dd class="money" id="quote-{b}">12,000.00 元<' in html
    assert "最终金额" not in html
    english = client.get(url, params={"lang": "en"}).text
    assert f'Quote from the shop</dt><dd class="money" id="quote-{b}">CNY 12,000.00<' in english

    assert staff.choose(f"sh:{b}:ready") == ["booking.shop.ask.final"]
    assert staff.text("12,345.5元") == ["booking.shop.done.ready"]
    html = client.get(url).text
    assert f'id="quote-{b}">12,000.00 元<' in html
    assert f'最终金额</dt><dd class="money total" id="final-{b}">12,345.50 元<' in html
    english = client.get(url, params={"lang": "en"}).text
    assert f'Final amount</dt><dd class="money total" id="final-{b}">CNY 12,345.50<' in english
