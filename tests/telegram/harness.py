"""Run the real HTTP app with the Telegram channel against the fake Bot API."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select

from bot.bootstrap import Container, build
from bot.channels.telegram.channel import TelegramChannel
from bot.settings import Settings
from bot.web.app import create_app
from storage.db import Database
from storage.tables.core import conversation_t, outbox_t, processed_inbound_t
from tests.consent_support import agree
from tests.engine_harness import database_url, import_sample
from tests.telegram.fake_bot_api import FakeBotApi, FakeUser, SentMessage

TOKEN = "123456789:AAFakeTokenForTests_0123456789abcdef"
SECRET = "test-webhook-secret_0123"


@contextmanager
def serve_on(app: FastAPI, sock: socket.socket) -> Iterator[str]:
    """Like tests.live_server.serve, on a socket bound beforehand: a webhook URL must be
    known before the app starts (the channel registers it in the app's lifespan)."""
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    host, port = sock.getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


class TelegramBot:
    """The running bot, seen from a test."""

    def __init__(self, container: Container, api: FakeBotApi, base_url: str) -> None:
        self.container = container
        self.api = api
        self.base_url = base_url

    @property
    def channel(self) -> TelegramChannel:
        channel = self.container.channels[0]
        assert isinstance(channel, TelegramChannel)
        return channel

    def unsent(self, chat_id: str | None = None) -> int:
        query = select(func.count()).where(
            outbox_t.c.channel == "telegram", outbox_t.c.status.in_(("pending", "sending"))
        )
        if chat_id is not None:
            query = query.where(outbox_t.c.chat_id == chat_id)
        with self.container.database.unit_of_work() as uow:
            return int(uow.connection.execute(query).scalar_one())

    def processed(self) -> int:
        query = select(func.count()).where(processed_inbound_t.c.channel == "telegram")
        with self.container.database.unit_of_work() as uow:
            return int(uow.connection.execute(query).scalar_one())

    def conversation(self, chat_id: str) -> dict[str, Any] | None:
        query = select(conversation_t.c.dialog, conversation_t.c.state, conversation_t.c.slots)
        query = query.where(
            conversation_t.c.channel == "telegram", conversation_t.c.chat_id == chat_id
        )
        with self.container.database.unit_of_work() as uow:
            row = uow.connection.execute(query).first()
        return None if row is None else dict(row._mapping)

    def turn(
        self, user: FakeUser, action: Callable[[], object], timeout: float = 15.0
    ) -> list[SentMessage]:
        """Act as the user; return what the bot answered once all of it has been sent."""
        before = len(user.messages())
        user.seen_before_tap = 0
        action()
        before = max(before, user.seen_before_tap)  # a tap may wait for its card to arrive
        self.api.wait_until(
            lambda: len(user.messages()) > before and self.unsent(user.chat_id) == 0, timeout
        )
        return user.messages()[before:]

    def quiet(self, user: FakeUser, seconds: float = 0.6) -> list[SentMessage]:
        """Wait, then return whatever the bot sent meanwhile (for "nothing happens")."""
        before = len(user.messages())
        time.sleep(seconds)
        self.api.wait_until(lambda: self.unsent(user.chat_id) == 0)
        return user.messages()[before:]


def telegram_settings(
    database: Database, media_dir: Path, api: FakeBotApi, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url(database),
        "media_dir": media_dir,
        "telegram_token": TOKEN,
        "telegram_api_url": api.api_url,
        "telegram_file_url": api.file_url,
        "telegram_webhook_secret": SECRET,
        "telegram_per_chat_interval": 0.01,
        "telegram_per_second": 0,
        "telegram_album_quiet_seconds": 0.3,
        "telegram_poll_timeout": 1,
        **overrides,
    }
    return Settings(**values)


def agree_sender(database: Database, update: dict[str, Any]) -> None:
    """The sender of an update has agreed to the privacy notice (tests/consent_support.py)."""
    for content in update.values():
        sender = content.get("from") if isinstance(content, dict) else None
        if sender is not None:
            agree(database, "telegram", str(sender["id"]), sender.get("language_code"))
            return


@contextmanager
def telegram_bot(
    database: Database,
    tmp_path: Path,
    api: FakeBotApi,
    *,
    mode: str = "polling",
    **overrides: Any,
) -> Iterator[TelegramBot]:
    """The real app (create_app) with the Telegram channel on, served on 127.0.0.1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = telegram_settings(
        database, tmp_path / "media", api, telegram_mode=mode, public_url=public_url, **overrides
    )
    # The real clock: the engine stamps outbox rows with the wall time, and the dispatcher
    # compares them with its clock.
    container = build(settings)
    import_sample(container, valid_around=date.today())
    api.before_update = lambda update: agree_sender(container.database, update)
    try:
        with serve_on(create_app(container), sock) as base:
            yield TelegramBot(container, api, base)
    finally:
        container.close()
        sock.close()
