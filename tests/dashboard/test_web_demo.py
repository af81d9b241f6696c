"""The web chat's identity switcher: only in demo mode, binding through /bind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.bootstrap import Container, build
from bot.settings import Settings
from storage.db import Database
from tests.engine_harness import database_url, import_sample
from tests.fakes import FixedClock
from tests.live_server import serve

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
    body = {"user_id": "browser-shop-0001", "role": "shop"}
    assert http.post("/chat/api/demo/identity", json=body).status_code == 404


def test_switching_binds_the_browser_id_as_shop_staff(
    demo: Served,
) -> None:
    container, http = demo
    roles = [i["role"] for i in http.get("/chat/api/demo/identities").json()]
    assert roles == ["owner", "adjuster", "shop"]
    body = {"user_id": "browser-shop-0001", "role": "shop", "language": "en"}
    assert http.post("/chat/api/demo/identity", json=body).json() == {"role": "shop", "bound": True}
    replies = http.get("/chat/api/messages", params={"user_id": "browser-shop-0001"}).json()
    assert "Bound: you are 周师傅 of 浦东安心汽修" in replies["messages"][-1]["text"]
    again = http.post("/chat/api/demo/identity", json=body).json()
    assert again == {"role": "shop", "bound": False}
    with container.database.unit_of_work() as uow:
        party = uow.recipients.party_of("web", "browser-shop-0001")
        assert party is not None
        staff = uow.shops.staff_for_party(party)
        shop = uow.shops.by_code("SHOP-PD-01")
    assert staff is not None and shop is not None and staff.shop_id == shop.id
    taken = {"user_id": "browser-shop-0001", "role": "adjuster"}
    assert http.post("/chat/api/demo/identity", json=taken).status_code == 409
