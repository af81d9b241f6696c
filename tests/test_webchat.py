"""The web chat over real HTTP: page, messages, uploads, polling, bad input."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.bootstrap import Container
from storage.db import Database
from storage.records import OutboxItem
from storage.tables import outbox_t
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.media_samples import jpeg_bytes, mp4_bytes, pdf_bytes

USER = "browser-user-0001"


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", FixedClock())
    import_sample(built)
    yield built
    built.close()


@pytest.fixture
def client(container: Container) -> Iterator[httpx.Client]:
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield http


def say(client: httpx.Client, kind: str = "text", **body: Any) -> dict[str, Any]:
    payload = {"user_id": USER, "message_id": uuid.uuid4().hex, "language": "zh-CN", "kind": kind}
    response = client.post("/chat/api/messages", json={**payload, **body})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def upload(client: httpx.Client, files: list[tuple[str, bytes, str]]) -> dict[str, Any]:
    response = client.post(
        "/chat/api/upload",
        data={"user_id": USER, "message_id": uuid.uuid4().hex, "language": "zh-CN"},
        files=[("files", item) for item in files],
    )
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


def test_a_report_through_the_web_chat(client: httpx.Client) -> None:
    data = say(client, text="报案")
    assert [m["text"][:2] for m in data["messages"]] == ["好的", "请输"]
    for body in (
        {"text": "沪A12345"},
        {"text": "8001"},
        {"kind": "choice", "value": "r:time:now"},
        {"kind": "location", "lat": 31.2304, "lon": 121.4737, "accuracy": 12.0},
        {"text": "等红灯时被追尾，后保险杠受损"},
        {"kind": "choice", "value": "r:injuries:no"},
        {"kind": "choice", "value": "r:drivable:yes"},
        {"kind": "choice", "value": "r:has_other:none"},
    ):
        data = say(client, **body)
    data = say(client, kind="choice", value="r:witnesses:skip", after=data["cursor"])
    assert data["messages"][-1]["choices"][-1]["label"] == "选择其他项目"
    data = upload(
        client,
        [(f"p{n}.jpg", jpeg_bytes(seed=n), "image/jpeg") for n in range(3)]
        + [("clip.mp4", mp4_bytes(), "video/mp4")],
    )
    received = data["messages"][-2]["text"]
    assert "3 张照片" in received and "1 段视频" in received
    # The photos needed are in: the summary follows by itself.
    summary = data
    assert summary["messages"][-1]["text"].startswith("请核对报案信息")
    filed = say(client, kind="choice", value="r:summary:confirm", after=summary["cursor"])
    assert "报案号：BA" in filed["messages"][0]["text"]
    history = client.get("/chat/api/messages", params={"user_id": USER, "after": 0}).json()
    assert history["messages"][-1]["id"] == filed["cursor"]
    later = client.get("/chat/api/messages", params={"user_id": USER, "after": filed["cursor"]})
    assert later.json() == {"messages": [], "cursor": filed["cursor"], "locale": None}


def test_a_retried_post_is_answered_once(client: httpx.Client) -> None:
    body = {
        "user_id": USER,
        "message_id": "retry-0000001",
        "language": "en",
        "kind": "text",
        "text": "/report",
    }
    first = client.post("/chat/api/messages", json=body).json()
    second = client.post("/chat/api/messages", json={**body, "after": first["cursor"]}).json()
    assert len(first["messages"]) == 2
    assert second["messages"] == []


def test_files_that_are_not_photos_are_refused_and_change_nothing(client: httpx.Client) -> None:
    say(client, text="/report")
    data = upload(client, [("fake.jpg", pdf_bytes(), "image/jpeg")])
    assert "不是有效的图片" in data["messages"][-2]["text"]
    assert data["messages"][-1]["text"].startswith("请输入出险车辆的车牌号")


def test_an_oversized_upload_gets_a_clear_answer(client: httpx.Client) -> None:
    say(client, text="/report")
    big = jpeg_bytes(seed=1) + b"\0" * (20 * 1024 * 1024)
    data = upload(client, [("big.jpg", big, "image/jpeg")])
    assert "太大" in data["messages"][-2]["text"]


def test_malformed_requests_are_refused(client: httpx.Client) -> None:
    bad_id = {"user_id": "x", "message_id": "short", "kind": "text", "text": "hi"}
    assert client.post("/chat/api/messages", json=bad_id).status_code == 422
    bad_kind = {"user_id": USER, "message_id": uuid.uuid4().hex, "kind": "sticker"}
    assert client.post("/chat/api/messages", json=bad_kind).status_code == 422
    assert client.get("/chat/api/messages", params={"user_id": "../../etc"}).status_code == 422


def test_ten_thousand_characters_get_a_short_answer(client: httpx.Client) -> None:
    started = say(client, text="/report")
    data = say(client, text="长" * 10_000, after=started["cursor"])
    assert "内容太长了" in data["messages"][0]["text"]


def test_a_page_opened_afresh_gets_the_newest_messages_first(
    client: httpx.Client, container: Container
) -> None:
    """A reload asks with after=0: the newest 100 messages, not the oldest 100."""
    started = say(client, text="/report")
    with container.database.unit_of_work() as uow:
        first = uow.outbox.for_chat("web", USER, 0)[0]
        uow.outbox.add(
            [
                OutboxItem("web", USER, "zh_CN", first.payload, f"filler-{n}", first.party_id)
                for n in range(150)
            ]
        )
        uow.commit()
    say(client, text="/help", after=started["cursor"])
    with container.database.engine.connect() as conn:
        latest = conn.execute(select(func.max(outbox_t.c.id))).scalar_one()
    history = client.get("/chat/api/messages", params={"user_id": USER, "after": 0}).json()
    ids = [m["id"] for m in history["messages"]]
    assert len(ids) == 100 and ids == sorted(ids)
    assert ids[-1] == latest == history["cursor"]
    assert first.id not in ids
    newer = client.get("/chat/api/messages", params={"user_id": USER, "after": ids[0]}).json()
    assert [m["id"] for m in newer["messages"]] == ids[1:]  # polling on from there as before


def test_every_batch_says_the_locale_the_bot_speaks(client: httpx.Client) -> None:
    started = say(client, text="/report")
    assert started["locale"] == "zh_CN"
    switched = say(client, text="/lang en", after=started["cursor"])
    assert switched["locale"] == "en"
    quiet = client.get("/chat/api/messages", params={"user_id": USER, "after": switched["cursor"]})
    assert quiet.json()["locale"] is None  # nothing new: the page keeps what it has
    history = client.get("/chat/api/messages", params={"user_id": USER, "after": 0}).json()
    assert history["locale"] == "en"


def test_an_empty_chat_opens_with_the_menu(client: httpx.Client) -> None:
    data = say(client, kind="open")
    menu = data["messages"][-1]
    assert menu["text"].startswith("请问需要办理什么业务")
    assert [c["label"] for c in menu["choices"]] == ["报案", "查进度", "预约维修", "人工客服"]
