"""Buttons that tell the truth, through the engine and the web chat's API: a newer turn
supersedes the buttons of earlier messages (the page greys the ids the API lists), a card
naming its claim keeps its buttons, and a double tap on 确认提交 files one claim and says
nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Container
from bot.superseded import superseded
from bot.web.app import create_app
from storage.records import OutboxRow
from tests.engine_harness import Owner
from tests.live_server import serve
from tests.media_samples import jpeg_bytes
from tests.web_chat_client import ChatBrowser

WEB_DIR = Path(__file__).resolve().parents[1] / "bot" / "channels" / "webchat" / "static"


@pytest.fixture
def browser(container: Container) -> Iterator[ChatBrowser]:
    with serve(create_app(container)) as base:
        opened = ChatBrowser(base)
        yield opened
        opened.close()


def say(browser: ChatBrowser, kind: str = "text", **body: Any) -> dict[str, Any]:
    response = browser.post(kind, **body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def row(row_id: int, key: str, *values: str) -> OutboxRow:
    choices = [{"value": v, "label_key": "x", "params": {}} for v in values]
    return OutboxRow(
        row_id,
        "web",
        "c",
        "zh_CN",
        {"key": "k", "choices": choices},
        datetime(2026, 1, 1),
        "sent",
        0,
        None,
        idempotency_key=key,
    )


def test_a_later_turn_supersedes_earlier_buttons_but_not_a_card_naming_its_claim() -> None:
    rows = [
        row(1, "web:m1:0", "r:time:now"),
        row(2, "web:m1:1", "r:time:menu"),  # the same turn: both count until the next one
        row(3, "timer:7:1:0", "c:BA2026112500001:status"),
        row(4, "web:m2:0"),
        row(5, "web:m2:1", "r:location:menu"),
        row(6, "web:other:n0:2.0", "r:injuries:no"),  # pushed after the turn: still live
    ]
    assert superseded(rows) == [1, 2]


def test_the_page_is_told_which_buttons_a_newer_question_superseded(
    browser: ChatBrowser,
) -> None:
    started = say(browser, text="报案")
    plate_question = started["messages"][-1]
    assert plate_question["choices"]
    assert plate_question["id"] not in started["superseded"]
    asked = say(browser, text="沪A12345", after=started["cursor"])
    assert plate_question["id"] in asked["superseded"]
    assert all(m["id"] not in asked["superseded"] for m in asked["messages"])
    reopened = browser.http.get("/chat/api/messages", params={"after": 0}).json()
    assert plate_question["id"] in reopened["superseded"]


def test_the_page_greys_the_superseded_buttons() -> None:
    script = (WEB_DIR / "chat.js").read_text(encoding="utf-8")
    assert "greySuperseded(Array.isArray(data.superseded)" in script
    assert "b.disabled = true" in script
    assert ".superseded .choice" in (WEB_DIR / "chat.css").read_text(encoding="utf-8")


def test_a_double_tap_on_confirm_files_one_claim_and_says_nothing_more(
    container: Container,
) -> None:
    owner = Owner(container)
    owner.report_until_photos()
    assert owner.photos([jpeg_bytes(seed=n) for n in range(3)])[-1] == "report.summary"
    assert owner.choose("r:summary:confirm") == ["report.filed"]
    assert owner.choose("r:summary:confirm") == []
    assert owner.choose("r:summary:confirm") == []
    with container.database.unit_of_work() as uow:
        count = uow.connection.exec_driver_sql("SELECT count(*) FROM claim").scalar()
    assert count == 1
