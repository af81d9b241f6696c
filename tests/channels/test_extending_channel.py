"""docs/extending.md's worked channel runs as written: its package, its module and its
line in the composition root, against the real app and a real database (for this test
only; the echo channel is not shipped)."""

from __future__ import annotations

import re
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot import bootstrap
from bot.bootstrap import CHANNELS, build
from bot.channels.base import ChannelEntry
from bot.rendering import render
from bot.settings import Settings
from bot.web.app import create_app
from storage.db import Database
from storage.tables.core import outbox_t
from tests.engine_harness import database_url
from tests.fakes import FixedClock
from tests.live_server import serve

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
SECTION = DOC[DOC.index("## Worked example: an echo channel") :]


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", SECTION, flags=re.DOTALL)


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The page's package and module, importable under their real names for this test."""
    package_source, module_source, _ = _blocks()
    package = types.ModuleType("bot.channels.echo")
    package.__path__ = []
    monkeypatch.setitem(sys.modules, "bot.channels.echo", package)
    exec(compile(package_source, "docs/extending.md", "exec"), package.__dict__)
    module = types.ModuleType("bot.channels.echo.channel")
    monkeypatch.setitem(sys.modules, "bot.channels.echo.channel", module)
    exec(compile(module_source, "docs/extending.md", "exec"), module.__dict__)
    return module


@pytest.fixture
def served(
    echo: Any, sqlite_database: Database, tmp_path: Path
) -> Iterator[tuple[str, Any, bootstrap.Container]]:
    namespace = {**vars(bootstrap), "EchoChannel": echo.EchoChannel}
    channels = eval(_blocks()[2].split("=", 1)[1], namespace)  # the page's CHANNELS
    settings = Settings(database_url=database_url(sqlite_database), media_dir=tmp_path)
    container = build(settings, clock=FixedClock(), channels=channels)
    channel = next(c for c in container.channels if c.name == "echo")
    with serve(create_app(container)) as url:
        yield url, channel, container
    container.close()


def test_the_bootstrap_lines_are_the_real_ones_plus_echo(echo: Any) -> None:
    source = (ROOT / "bot" / "bootstrap.py").read_text(encoding="utf-8")
    real = source[source.index("CHANNELS: tuple") : source.index("\n)\n", source.index("CHANNELS"))]
    page = _blocks()[2]
    assert page.startswith(real)
    assert page[len(real) :].strip() == "ChannelEntry(lambda settings: True, EchoChannel),\n)"
    assert len(CHANNELS) == 2 and all(isinstance(entry, ChannelEntry) for entry in CHANNELS)


def _said(channel: Any, chat: str, count: int) -> list[str]:
    """What the sender delivered to the chat once `count` messages are there."""
    deadline = time.monotonic() + 30
    while len(channel.sender.said.get(chat, [])) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(channel.sender.said.get(chat, []))


def test_a_message_is_a_turn_and_its_answers_are_sent_through_the_channel(
    served: tuple[str, Any, bootstrap.Container],
) -> None:
    url, channel, container = served
    with httpx.Client(base_url=url, timeout=30) as http:
        first = http.post("/echo/u1", json={"message_id": "1", "text": "/help"})
        again = http.post("/echo/u1", json={"message_id": "1", "text": "/help"})
    assert first.status_code == again.status_code == 200
    assert (first.json(), again.json()) == ({"duplicate": False}, {"duplicate": True})
    query = select(outbox_t).where(outbox_t.c.channel == "echo").order_by(outbox_t.c.id)
    with container.database.engine.connect() as conn:
        rows = conn.execute(query).all()
    assert rows and {row.chat_id for row in rows} == {"u1"}
    said = _said(channel, "u1", len(rows))
    assert said == [render(container.catalogs, row.locale, row.payload).text for row in rows]
    assert all(text for text in said)
