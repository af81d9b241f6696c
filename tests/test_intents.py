"""What people come for, in their own words, through the real engine; the opening menu."""

from __future__ import annotations

import pytest

from bot.bootstrap import Container
from messages.inbound import InboundKind
from tests.engine_harness import Owner

MENU = ["start:report", "start:status", "start:book", "start:human"]


def menu_choices(owner: Owner) -> list[str]:
    with owner.container.database.unit_of_work() as uow:
        rows = uow.outbox.for_chat("web", owner.user_id, 0)
    return [c["value"] for c in rows[-1].payload["choices"]]


def test_first_contact_opens_with_the_menu(container: Container) -> None:
    owner = Owner(container)
    assert owner.send(InboundKind.EVENT, payload={"event": "open"}) == ["welcome", "intent.menu"]
    assert menu_choices(owner) == MENU
    assert "请问需要办理什么业务" in owner.rendered()[-1]


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("撞车了", "report.started"),
        ("被追尾了", "report.started"),
        ("出险", "report.started"),
        ("我的车被追尾了", "report.started"),
        ("I had an accident", "report.started"),
        ("进度", "claims.owner.status_empty"),
        ("查询理赔进度", "claims.owner.status_empty"),
        ("我的案子怎么样了", "claims.owner.status_empty"),
        ("我的案件怎么样了", "claims.owner.status_empty"),  # fuzzy
        ("claim status", "claims.owner.status_empty"),
        ("人工客服", "human.queued"),
        ("转人工", "human.queued"),
        ("人工客户", "human.queued"),  # fuzzy
        ("talk to a person", "human.queued"),
        ("修车", "booking.no_claim_to_repair"),  # no claim to repair: said, then a service
        ("保养", "booking.ask.vehicle"),
        ("取消", "cancel.nothing"),
    ],
)
def test_plain_words_name_what_people_come_for(
    container: Container, said: str, answer: str
) -> None:
    owner = Owner(container)
    assert owner.text(said)[0] == answer


def test_the_person_asked_for_comes_with_the_wait_and_the_hotline(container: Container) -> None:
    owner = Owner(container)
    owner.text("人工客服")
    assert "预计 5分钟内回复" in owner.rendered()[0]
    assert "客服热线 95500" in owner.rendered()[0]


def test_a_text_that_fits_nothing_gets_the_menu(container: Container) -> None:
    owner = Owner(container)
    assert owner.text("今天天气不错") == ["intent.menu"]
    assert owner.rendered()[-1].startswith("抱歉，没太明白您的意思。")
    assert menu_choices(owner) == MENU
    assert owner.text("2") == ["claims.owner.status_empty"]  # numbers answer the menu


def test_menu_buttons_run_what_they_name(container: Container) -> None:
    owner = Owner(container)
    owner.send(InboundKind.EVENT, payload={"event": "open"})
    assert owner.choose("start:status") == ["claims.owner.status_empty"]
    assert owner.choose("start:human")[0] == "human.queued"
    assert owner.choose("h:end") == ["human.ended", "intent.menu"]
    assert owner.choose("start:report") == ["report.started", "report.ask.plate"]


def test_inside_a_report_words_are_answers_not_intents(container: Container) -> None:
    owner = Owner(container)
    owner.text("撞车了")
    owner.text("沪A12345")
    owner.text("8001")
    owner.text("刚刚")
    owner.text("浦东新区世纪大道100号")
    assert owner.text("被追尾了，后保险杠受损")[0] != "report.started"
    assert owner.text("转人工")[0] == "human.queued"  # a person can be asked for anywhere


@pytest.mark.parametrize("said", ["你好", "您好！", "在吗？", "hello", "Hi"])
def test_a_greeting_is_greeted_with_the_menu_not_a_misunderstanding(
    container: Container, said: str
) -> None:
    owner = Owner(container)
    for _ in range(3):  # three greetings in a row are no reason to hand over to a person
        assert owner.text(said) == ["welcome", "intent.menu"]
    assert "抱歉" not in owner.rendered()[-1]
    assert owner.rendered()[-2].startswith("您好，这里是车险理赔助手。")


def test_a_repair_asked_with_no_claim_offers_a_report_or_a_service(container: Container) -> None:
    owner = Owner(container)
    assert owner.text("修车") == ["booking.no_claim_to_repair", "booking.ask.vehicle"]
    note, asked = owner.rendered()[-2:]
    assert note.startswith("您目前没有等待维修的理赔案件。车辆出险请先点“报案”")
    assert asked == "请输入要保养车辆的车牌号，例如 沪A12345。"
    assert owner.text("沪A12345") == ["booking.ask.check"]  # the service booking goes on
    other = Owner(container, "owner-0002")
    other.text("修车")
    assert other.choose("start:report") == ["report.started", "report.ask.plate"]
