"""A person when asked, end to end over HTTP: the owner in the web chat, staff on the
dashboard's queue; replies reach the owner through the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from tests.booking_support import STAFF_USER, bind_staff_to_web
from tests.dashboard.support import sign_in, token
from tests.live_server import serve
from tests.web_chat_client import ChatBrowser


@pytest.fixture
def http(container: Container) -> Iterator[httpx.Client]:
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


class Chat:
    """The owner's web chat in a browser of its own (its session cookie): what they send,
    and every message shown to them so far."""

    def __init__(self, http: httpx.Client) -> None:
        self.browser = ChatBrowser(str(http.base_url))

    def say(self, text: str = "", kind: str = "text", **body: Any) -> list[str]:
        return [m["text"] for m in self.browser.say(text, kind, **body)]

    def poll(self) -> list[str]:
        return [m["text"] for m in self.browser.poll()]


def staff(container: Container, http: httpx.Client) -> None:
    assert sign_in(http, token(container, "insurer")).status_code == 303


def open_handoff(http: httpx.Client) -> str:
    page = http.get("/dashboard/handoffs").text
    start = page.index('id="handoff-') + len('id="handoff-')
    return page[start : page.index('"', start)]


def test_an_owner_asks_for_a_person_and_staff_answer_from_the_dashboard(
    container: Container, http: httpx.Client
) -> None:
    chat = Chat(http)
    told = chat.say("人工客服")
    assert told[-1].startswith("已为您转接人工客服。预计 5分钟内回复")
    assert chat.say("我的车在高速上抛锚了，能派拖车吗") == []  # kept for the person
    staff(container, http)
    queue = http.get("/dashboard/handoffs").text
    assert "我的车在高速上抛锚了，能派拖车吗" in queue and "客户要求人工" in queue
    number = open_handoff(http)
    sent = http.post(
        f"/dashboard/handoffs/{number}/reply", data={"text": "您好，请告诉我您所在的位置"}
    )
    assert sent.status_code == 303
    assert chat.poll() == ["人工客服：您好，请告诉我您所在的位置"]
    assert "您好，请告诉我您所在的位置" in http.get("/dashboard/handoffs").text
    ended = chat.say("结束人工")
    assert ended[0].startswith("已结束人工服务")
    assert ended[-1].startswith("请问需要办理什么业务")
    assert "目前没有等待人工的客户" in http.get("/dashboard/handoffs").text


def test_three_misunderstood_messages_hand_over_and_staff_hand_back(
    container: Container, http: httpx.Client
) -> None:
    chat = Chat(http)
    chat.say("嗯")
    chat.say("这个那个")
    told = chat.say("唉")
    assert told[-1].startswith("抱歉，我没能理解您的意思，已为您转接人工客服")
    staff(container, http)
    assert "机器人连续三次没听懂" in http.get("/dashboard/handoffs").text
    number = open_handoff(http)
    assert http.post(f"/dashboard/handoffs/{number}/close").status_code == 303
    back = chat.poll()
    assert back[0].startswith("本次人工服务已结束") and back[-1].startswith("请问需要办理什么业务")
    assert http.post(f"/dashboard/handoffs/{number}/close").status_code == 404  # once


def test_a_report_in_progress_survives_a_handoff(container: Container, http: httpx.Client) -> None:
    chat = Chat(http)
    chat.say("报案")
    chat.say("沪A12345")
    chat.say("转人工")
    staff(container, http)
    http.post(f"/dashboard/handoffs/{open_handoff(http)}/close")
    back = chat.poll()
    assert back[-1].startswith("为核实身份")  # the report's question, where it was
    assert chat.say("8001")[0].startswith("已核实保单")


def test_shop_staff_may_not_open_the_queue(container: Container, http: httpx.Client) -> None:
    sign_in(http, token(container, "shop", "SHOP-PD-01"))
    assert http.get("/dashboard/handoffs").status_code == 403


def test_staff_are_not_handed_to_a_person(container: Container) -> None:
    staff_user = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    for said in ("嗯", "这个那个", "唉", "哦"):
        assert staff_user.text(said) == ["help.staff_prompt"]
