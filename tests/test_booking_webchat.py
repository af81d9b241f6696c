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
    note, asked = owner.say(text="预约")  # no claim to repair: said, then a service
    assert note["text"].startswith("您目前没有等待维修的理赔案件")
    assert asked["text"].startswith("请输入要保养车辆的车牌号")
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


def test_the_shops_quote_and_final_amount_reach_the_owner_who_pays_it_in_one_tap(
    container: Container, base: str
) -> None:
    owner, staff = ChatBrowser(base), ChatBrowser.as_chat(base, container, STAFF_USER)
    owner.say(text="预约")
    owner.say(text="沪A12345")
    owner.say(text="8001")
    owner.tap("b:noloc")
    slots = owner.tap("b:shop:SHOP-PD-01")[-1]
    owner.tap(slots["choices"][0]["value"])
    owner.tap("b:send")
    for action in ("ok", "in"):
        staff.tap(f"sh:1:{action}")
    estimate = staff.tap("sh:1:start")[-1]
    asked = staff.tap(values(estimate)[0])[-1]
    assert asked["text"].startswith("请输入预约 #1 的维修报价（元）")
    refused = staff.say(text="还不知道")
    assert refused[0]["text"].startswith("没看懂这个金额")
    assert staff.say(text="-300")[0]["text"].startswith("金额需要大于 0 元")
    started = staff.say(text="两千一百五")
    assert "报价 2,150.00 元" in started[0]["text"]
    assert any("修理厂报价 2,150.00 元" in m["text"] for m in owner.poll())

    final = staff.tap("sh:1:ready")[-1]
    assert [c["label"] for c in final["choices"]] == ["按报价 2,150.00 元", "算了"]
    staff.tap(values(final)[0])
    ready = owner.poll()[-1]
    assert "最终金额 2,150.00 元" in ready["text"]

    accepted = owner.tap("bk:1:accept")[-1]
    pay = owner.tap(values(accepted)[0])[-1]
    assert pay["text"].startswith("修理厂的最终金额是 2,150.00 元")
    assert pay["choices"][0]["label"] == "已付 2,150.00 元"
    rating = owner.tap(values(pay)[0])
    assert rating[0]["text"].startswith("已记录付款 2,150.00 元")
