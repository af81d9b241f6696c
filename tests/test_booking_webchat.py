"""A booking end to end over HTTP through the web chat: the owner books, the shop's staff
(another browser) confirms from the request card, the owner sees the confirmation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from storage.db import Database
from tests.booking_support import STAFF_USER, bind_staff_to_web
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.web_chat_client import ChatBrowser


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", FixedClock())
    import_sample(built)
    bind_staff_to_web(built, "SHOP-PD-01", STAFF_USER)
    yield built
    built.close()


@pytest.fixture
def base(container: Container) -> Iterator[str]:
    with serve(create_app(container)) as url:
        yield url


def values(message: dict[str, Any]) -> list[str]:
    return [choice["value"] for choice in message["choices"]]


def test_a_booking_confirmed_by_the_shop_over_http(container: Container, base: str) -> None:
    owner, staff = ChatBrowser(base), ChatBrowser.as_chat(base, container, STAFF_USER)
    assert owner.say(text="预约")[0]["text"].startswith("请输入要保养车辆的车牌号")
    owner.say(text="沪A12345")
    owner.say(text="8001")
    shops = owner.tap("b:noloc")[-1]
    assert shops["choices"][0]["label"].startswith("浦东安心汽修 · ★4.7")
    slots = owner.tap("b:shop:SHOP-PD-01")[-1]
    first = slots["choices"][0]
    assert first["label"] == "11-25（周三）12:30"
    review = owner.tap(first["value"])[-1]
    assert "到店请携带：保险单、行驶证" in review["text"]
    sent = owner.tap("b:send")
    assert [m["text"][:10] for m in sent] == ["已为您提交预约 #1"]

    card = staff.poll()[-1]
    assert card["text"].startswith("【新预约 #1】保养，车辆 沪A1**45")
    assert [c["label"] for c in card["choices"]] == ["确认 #1", "建议其他时间", "婉拒"]
    done = staff.tap(values(card)[0])
    assert done[0]["text"].startswith("已确认预约 #1")

    confirmed = owner.poll()
    assert len(confirmed) == 1
    assert confirmed[0]["text"].startswith("浦东安心汽修 已确认您的预约 #1：11-25（周三）12:30")
    assert values(confirmed[0]) == ["bk:1:resched", "bk:1:cancel"]

    stale = staff.tap("sh:1:ok")  # the card's button once more
    assert "旧消息上的按钮" in stale[0]["text"]
    assert owner.poll() == []  # nothing changed, nobody else told

    listed = owner.say(text="/bookings")[0]
    assert "#1 浦东安心汽修，11-25（周三）12:30，已确认" in listed["text"]
