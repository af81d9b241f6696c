"""The web chat's identity, attacked from outside over real HTTP.

The chat's id is no credential any more: the server issues an HttpOnly, SameSite session
cookie (stored hashed, renewed, expiring), and photos are served by short-lived signed
links. Each test does what an attacker who read an access log or a URL would try.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.bootstrap import Container, build
from bot.channels.webchat.sessions import COOKIE
from bot.media_intake import Upload
from bot.settings import Settings
from bot.web.app import create_app
from domain.services import create_invite
from domain.staff import StaffRole
from messages.outbound import Outbound
from storage.db import Database
from storage.records import OutboxItem
from storage.tables.security import web_session_t
from tests.engine_harness import database_url, import_sample
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.media_samples import jpeg_bytes
from tests.web_chat_client import ChatBrowser

Served = tuple[Container, str]


@pytest.fixture
def served(database: Database, tmp_path: Path) -> Iterator[Served]:
    settings = Settings(
        database_url=database_url(database),
        media_dir=tmp_path / "media",
        chat_sessions_per_address_hour=8,
    )
    container = build(settings, clock=FixedClock())
    import_sample(container)
    try:
        with serve(create_app(container)) as base:
            yield container, base
    finally:
        container.close()


def clock_of(container: Container) -> FixedClock:
    assert isinstance(container.clock, FixedClock)
    return container.clock


def outbox_count(container: Container, chat: str) -> int:
    with container.database.unit_of_work() as uow:
        return len(uow.outbox.for_chat("web", chat, 0, 1000))


def test_a_leaked_chat_id_opens_nothing(served: Served) -> None:
    container, base = served
    owner = ChatBrowser(base)
    owner.say("报案")
    owner.say("沪A12345")
    chat = owner.chat(container)
    before = outbox_count(container, chat)

    attacker = httpx.Client(base_url=base)
    read = attacker.get("/chat/api/messages", params={"user_id": chat, "after": 0})
    assert read.status_code == 200 and read.json()["messages"] == []
    acted = attacker.post(
        "/chat/api/messages",
        json={"user_id": chat, "message_id": "attack-000001", "kind": "text", "text": "/cancel"},
    )
    assert acted.status_code == 200
    assert outbox_count(container, chat) == before  # the owner's chat heard nothing
    assert attacker.cookies.get(COOKIE) != owner.session  # the attacker got a chat of its own
    forged = httpx.Client(base_url=base, cookies={COOKIE: chat})
    assert forged.get("/chat/api/messages", params={"after": 0}).json()["messages"] == []
    assert owner.say("8001")[0]["text"].startswith("已核实保单")  # the report goes on


def test_the_session_cookie_is_httponly_strict_and_stored_hashed(served: Served) -> None:
    container, base = served
    browser = ChatBrowser(base, agreed=False)  # /help passes the privacy notice
    response = browser.post(text="/help")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/chat", "Max-Age=2592000"):
        assert attribute in cookie
    raw = browser.session
    assert raw is not None and len(raw) >= 40
    with container.database.engine.connect() as conn:
        stored = conn.execute(select(web_session_t)).all()
    assert [row.session_hash for row in stored] == [hashlib.sha256(raw.encode()).hexdigest()]
    assert raw not in str([tuple(row) for row in stored])
    assert stored[0].chat_user not in cookie


def test_sessions_are_renewed_and_expire(served: Served) -> None:
    container, base = served
    clock = clock_of(container)
    browser = ChatBrowser(base, agreed=False)  # /help passes the privacy notice
    said = len(browser.say("/help"))  # nothing a timer would follow up
    old, chat = browser.session, browser.chat(container)
    clock.advance(timedelta(hours=25))  # past the renewal age
    renewed = browser.http.get("/chat/api/messages", params={"after": 0})
    assert COOKIE in renewed.headers.get("set-cookie", "")
    assert browser.session not in (None, old)
    assert len(renewed.json()["messages"]) == said  # the same chat under the new id

    stale = httpx.Client(base_url=base, cookies={COOKIE: old or ""})
    assert len(stale.get("/chat/api/messages", params={"after": 0}).json()["messages"]) == said
    clock.advance(timedelta(minutes=2))  # past the grace for requests under way
    assert stale.get("/chat/api/messages", params={"after": 0}).json()["messages"] == []

    clock.advance(timedelta(days=31))  # unused for longer than a session lives
    assert browser.poll(after=0) == []
    answer = browser.say("/help")  # a new chat begins, with nothing of the old one
    assert browser.chat(container) != chat
    assert outbox_count(container, browser.chat(container)) == len(answer)


def _adjuster_with_a_photo(container: Container, base: str) -> tuple[ChatBrowser, str]:
    """An adjuster bound through /bind in a browser, sent a card with a claim photo."""
    with container.database.unit_of_work() as uow:
        code, _ = create_invite(
            uow, role=StaffRole.ADJUSTER, name="王建国", now=container.clock.now()
        )
        uow.commit()
    adjuster = ChatBrowser(base)
    assert "绑定成功" in adjuster.say(f"/bind {code}")[0]["text"]
    stored = container.intake.accept([Upload(jpeg_bytes(seed=3), "photo", "p.jpg")])
    media_id = stored.items[0].media_id
    payload = Outbound("help.idle", attachments=(media_id,)).to_payload()
    chat = adjuster.chat(container)
    with container.database.unit_of_work() as uow:
        uow.outbox.add([OutboxItem("web", chat, "zh_CN", payload, "card-with-photo")])
        uow.commit()
    attachments = adjuster.poll()[-1]["attachments"]
    assert len(attachments) == 1
    return adjuster, attachments[0]["url"]


def test_photos_are_served_by_signed_links_that_expire(served: Served) -> None:
    container, base = served
    adjuster, url = _adjuster_with_a_photo(container, base)
    path, _, query = url.partition("?")
    assert "exp=" in query and "sig=" in query and "user_id" not in url
    anyone = httpx.Client(base_url=base)
    assert anyone.get(url).status_code == 200  # the link itself, within its lifetime
    media_id = int(path.rsplit("/", 1)[1])
    other = url.replace(f"/chat/media/{media_id}?", f"/chat/media/{media_id + 1}?")
    assert anyone.get(other).status_code == 404  # a signature for one photo only
    later = query.replace("exp=", "exp=9")
    assert anyone.get(f"{path}?{later}").status_code == 404  # a lengthened expiry
    assert anyone.get(path).status_code == 404
    assert anyone.get(path, params={"user_id": adjuster.chat(container)}).status_code == 404

    clock_of(container).advance(timedelta(minutes=31))  # past the longest link lifetime
    assert anyone.get(url).status_code == 404
    assert adjuster.http.get(url).status_code == 200  # the adjuster's own browser still may
    stranger = ChatBrowser(base)
    stranger.say("/help")
    assert stranger.http.get(url).status_code == 404


def test_a_script_cannot_mint_chats_without_end(served: Served) -> None:
    container, base = served
    codes = []
    for n in range(10):
        with httpx.Client(base_url=base) as fresh:
            body = {"message_id": f"mint-{n:08d}", "kind": "text", "text": "/help"}
            codes.append(fresh.post("/chat/api/messages", json=body).status_code)
    assert codes == [200] * 8 + [429, 429]
    with container.database.engine.connect() as conn:
        assert len(conn.execute(select(web_session_t.c.id)).all()) == 8
