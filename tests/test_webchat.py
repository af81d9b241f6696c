"""The web chat over real HTTP: page, messages, uploads, polling, bad input.

Each test's browser is identified by the session cookie the server issued with its first
message (``tests.web_chat_client``), as a real browser is."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.bootstrap import Container
from bot.web.app import create_app
from storage.db import Database
from storage.records import OutboxItem
from storage.tables.core import outbox_t
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.media_samples import jpeg_bytes, mp4_bytes, pdf_bytes
from tests.web_chat_client import ChatBrowser


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", FixedClock())
    import_sample(built)
    yield built
    built.close()


@pytest.fixture
def base(container: Container) -> Iterator[str]:
    with serve(create_app(container)) as url:
        yield url


@pytest.fixture
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30) as http:
        yield http


@pytest.fixture
def browser(base: str) -> Iterator[ChatBrowser]:
    opened = ChatBrowser(base)
    yield opened
    opened.close()


def say(browser: ChatBrowser, kind: str = "text", **body: Any) -> dict[str, Any]:
    response = browser.post(kind, **body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def upload(browser: ChatBrowser, files: list[tuple[str, bytes, str]]) -> dict[str, Any]:
    response = browser.http.post(
        "/chat/api/upload",
        data={"message_id": uuid.uuid4().hex, "language": "zh-CN"},
        files=[("files", item) for item in files],
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def history(browser: ChatBrowser, after: int = 0) -> dict[str, Any]:
    response = browser.http.get("/chat/api/messages", params={"after": after})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_page_static_files_and_health(client: httpx.Client) -> None:
    page = client.get("/chat")
    assert page.status_code == 200 and "/chat/static/chat.js" in page.text
    assert client.get("/chat/static/chat.js").status_code == 200
    assert client.get("/chat/static/chat.css").status_code == 200
    assert client.get("/chat/static/../app.py").status_code == 404
    assert client.get("/health").json() == {"status": "ok"}
    assert "/chat/api/messages" in client.get("/openapi.json").json()["paths"]


def test_a_report_through_the_web_chat(browser: ChatBrowser) -> None:
    data = say(browser, text="报案")
    assert [m["text"][:2] for m in data["messages"]] == ["好的", "请输"]
    for body in (
        {"text": "沪A12345"},
        {"text": "8001"},
        {"kind": "choice", "value": "r:time:now"},
        {"kind": "location", "lat": 31.2304, "lon": 121.4737, "accuracy": 12.0},
        {"text": "倒车时后保险杠受损"},
        {"kind": "choice", "value": "r:injuries:no"},
        {"kind": "choice", "value": "r:drivable:yes"},
        {"kind": "choice", "value": "r:has_other:none"},
    ):
        data = say(browser, **body)
    data = say(browser, kind="choice", value="r:witnesses:skip", after=data["cursor"])
    assert data["messages"][-1]["choices"][-1]["label"] == "选择其他项目"
    data = upload(
        browser,
        [(f"p{n}.jpg", jpeg_bytes(seed=n), "image/jpeg") for n in range(3)]
        + [("clip.mp4", mp4_bytes(), "video/mp4")],
    )
    received = data["messages"][-2]["text"]
    assert "3 张照片" in received and "1 段视频" in received
    # The photos needed are in: the summary follows by itself.
    summary = data
    assert summary["messages"][-1]["text"].startswith("请核对报案信息")
    filed = say(browser, kind="choice", value="r:summary:confirm", after=summary["cursor"])
    assert "报案号：BA" in filed["messages"][0]["text"]
    opened = history(browser, 0)
    assert opened["messages"][-1]["id"] == filed["cursor"]
    later = history(browser, filed["cursor"])
    assert later == {
        "messages": [],
        "cursor": filed["cursor"],
        "locale": None,
        "chat": opened["chat"],
        "superseded": [],
    }


def test_a_retried_post_is_answered_once(browser: ChatBrowser) -> None:
    browser.agree_first()
    body = {
        "message_id": "retry-0000001",
        "language": "en",
        "kind": "text",
        "text": "/report",
        "after": browser.cursor,
    }
    first = browser.http.post("/chat/api/messages", json=body).json()
    again = {**body, "after": first["cursor"]}
    second = browser.http.post("/chat/api/messages", json=again).json()
    assert len(first["messages"]) == 2
    assert second["messages"] == []


def test_files_that_are_not_photos_are_refused_and_change_nothing(browser: ChatBrowser) -> None:
    say(browser, text="/report")
    data = upload(browser, [("fake.jpg", pdf_bytes(), "image/jpeg")])
    assert "不是有效的图片" in data["messages"][-2]["text"]
    assert data["messages"][-1]["text"].startswith("请输入出险车辆的车牌号")


def test_an_oversized_upload_gets_a_clear_answer(browser: ChatBrowser) -> None:
    say(browser, text="/report")
    big = jpeg_bytes(seed=1) + b"\0" * (20 * 1024 * 1024)
    data = upload(browser, [("big.jpg", big, "image/jpeg")])
    assert "太大" in data["messages"][-2]["text"]


def test_malformed_requests_are_refused(browser: ChatBrowser) -> None:
    client = browser.http
    bad_id = {"message_id": "short", "kind": "text", "text": "hi"}
    assert client.post("/chat/api/messages", json=bad_id).status_code == 422
    bad_kind = {"message_id": uuid.uuid4().hex, "kind": "sticker"}
    assert client.post("/chat/api/messages", json=bad_kind).status_code == 422
    assert client.get("/chat/api/messages", params={"after": "../../etc"}).status_code == 422
    assert browser.session is None  # nothing accepted: no session issued


def test_ten_thousand_characters_get_a_short_answer(browser: ChatBrowser) -> None:
    started = say(browser, text="/report")
    data = say(browser, text="长" * 10_000, after=started["cursor"])
    assert "内容太长了" in data["messages"][0]["text"]


def test_a_page_opened_afresh_gets_the_newest_messages_first(
    browser: ChatBrowser, container: Container
) -> None:
    """A reload asks with after=0: the newest 100 messages, not the oldest 100."""
    started = say(browser, text="/report")
    chat = browser.chat(container)
    with container.database.unit_of_work() as uow:
        first = uow.outbox.for_chat("web", chat, 0)[0]
        uow.outbox.add(
            [
                OutboxItem("web", chat, "zh_CN", first.payload, f"filler-{n}", first.party_id)
                for n in range(150)
            ]
        )
        uow.commit()
    say(browser, text="/help", after=started["cursor"])
    with container.database.engine.connect() as conn:
        latest = conn.execute(select(func.max(outbox_t.c.id))).scalar_one()
    opened = history(browser, 0)
    ids = [m["id"] for m in opened["messages"]]
    assert len(ids) == 100 and ids == sorted(ids)
    assert ids[-1] == latest == opened["cursor"]
    assert first.id not in ids
    newer = history(browser, ids[0])
    assert [m["id"] for m in newer["messages"]] == ids[1:]  # polling on from there as before


def test_every_batch_says_the_locale_the_bot_speaks(browser: ChatBrowser) -> None:
    started = say(browser, text="/report")
    assert started["locale"] == "zh_CN"
    switched = say(browser, text="/lang en", after=started["cursor"])
    assert switched["locale"] == "en"
    quiet = history(browser, switched["cursor"])
    assert quiet["locale"] is None  # nothing new: the page keeps what it has
    assert history(browser, 0)["locale"] == "en"


def test_an_empty_chat_opens_with_the_menu(browser: ChatBrowser) -> None:
    data = say(browser, kind="open")
    menu = data["messages"][-1]
    assert menu["text"].startswith("请问需要办理什么业务")
    assert [c["label"] for c in menu["choices"]] == ["报案", "查进度", "预约维修", "人工客服"]
