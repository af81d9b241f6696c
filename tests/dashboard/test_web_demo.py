"""The web chat's identity switcher: only in demo mode, binding through /bind, each
switch a new session cookie for the chosen identity (no id ever sent by the page)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.bootstrap import Container, build
from bot.settings import Settings
from bot.web.app import create_app
from storage.db import Database
from tests.engine_harness import database_url, import_sample
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.web_chat_client import ChatBrowser

Served = tuple[Container, httpx.Client]


def client(database: Database, tmp_path: Path, demo: bool) -> Iterator[Served]:
    settings = Settings(
        database_url=database_url(database), media_dir=tmp_path / "media", demo_mode=demo
    )
    container = build(settings, clock=FixedClock())
    import_sample(container)
    try:
        with serve(create_app(container)) as base, httpx.Client(base_url=base) as http:
            yield container, http
    finally:
        container.close()


@pytest.fixture
def demo(sqlite_database: Database, tmp_path: Path) -> Iterator[Served]:
    yield from client(sqlite_database, tmp_path, True)


@pytest.fixture
def normal(sqlite_database: Database, tmp_path: Path) -> Iterator[Served]:
    yield from client(sqlite_database, tmp_path, False)


def test_no_switcher_outside_demo_mode(normal: Served) -> None:
    _, http = normal
    assert http.get("/chat/api/demo/identities").status_code == 404
    body = {"role": "shop"}
    assert http.post("/chat/api/demo/identity", json=body).status_code == 404


def test_switching_issues_a_session_for_the_shop_staff_identity(demo: Served) -> None:
    container, http = demo
    listed = http.get("/chat/api/demo/identities").json()
    assert listed["current"] == "owner"
    assert [i["role"] for i in listed["identities"]] == ["owner", "adjuster", "shop"]
    owner = ChatBrowser(str(http.base_url))
    owner.say("/help")
    owner_chat, owner_session = owner.chat(container), owner.session

    body = {"role": "shop", "language": "en"}
    switched = owner.http.post("/chat/api/demo/identity", json=body)
    assert switched.json() == {"role": "shop", "bound": True}
    assert owner.session not in (None, owner_session)  # a new session for the new identity
    replies = owner.poll(after=0)
    assert "Bound: you are 周师傅 of 浦东安心汽修" in replies[-1]["text"]
    assert owner.http.get("/chat/api/demo/identities").json()["current"] == "shop"
    shop_chat = owner.chat(container)
    assert shop_chat != owner_chat
    again = owner.http.post("/chat/api/demo/identity", json=body).json()
    assert again == {"role": "shop", "bound": False}
    with container.database.unit_of_work() as uow:
        party = uow.recipients.party_of("web", shop_chat)
        assert party is not None
        staff = uow.shops.staff_for_party(party)
        shop = uow.shops.by_code("SHOP-PD-01")
    assert staff is not None and shop is not None and staff.shop_id == shop.id

    back = owner.http.post("/chat/api/demo/identity", json={"role": "owner"}).json()
    assert back == {"role": "owner", "bound": False}
    assert owner.chat(container) == owner_chat  # the owner's own chat again

    stranger = ChatBrowser(str(http.base_url))  # another browser has its own identities
    stranger.http.post("/chat/api/demo/identity", json={"role": "shop"})
    assert stranger.chat(container) not in (owner_chat, shop_chat)
