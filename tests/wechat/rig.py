"""The real app (callback, inbox worker, dispatcher, WeChat sender) wired to the fake WeChat
API, and a simulated WeChat server posting to it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.bootstrap import Container, build
from bot.channels.wechat.channel import WeChatChannel
from bot.settings import Settings
from bot.web.app import create_app
from storage.channels.wechat.inbox import WeChatInbox
from storage.db import Database
from storage.repositories.directory import import_directory
from storage.tables.core import outbox_t
from tests.consent_support import agree
from tests.engine_harness import database_url, sample_directory
from tests.live_server import serve
from tests.media_samples import jpeg_bytes, mp4_bytes
from tests.wechat.fake_api import APP_ID, APP_SECRET, FakeWeChatAPI, Media
from tests.wechat.simulator import AES_KEY, TOKEN, WeChatSimulator


class ShiftedClock:
    """Real time, moved forward by hand: rows the engine stamps with the real time are
    due for the dispatcher, and a test can still jump ahead."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass
class WeChatRig:
    container: Container
    channel: WeChatChannel
    api: FakeWeChatAPI
    wechat: WeChatSimulator
    clock: ShiftedClock

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until every inbox row is processed and every due WeChat row is sent."""
        deadline = time.monotonic() + timeout
        while self._busy():
            if time.monotonic() > deadline:
                raise AssertionError("the WeChat channel did not settle")
            time.sleep(0.01)

    def _busy(self) -> bool:
        # "Due" reaches a little past now: rows committed while this check waits for the
        # database, and quick retries (a dropped keep-alive connection), count as work
        # still to do; a row kept for the user's next message is due hours later.
        now = self.clock.now() + timedelta(seconds=5)
        with self.container.database.unit_of_work() as uow:
            if WeChatInbox(uow.connection).unfinished():
                return True
            waiting = uow.connection.execute(
                select(func.count()).where(
                    outbox_t.c.channel == "wechat",
                    (outbox_t.c.status == "sending")
                    | ((outbox_t.c.status == "pending") & (outbox_t.c.available_at <= now)),
                )
            ).scalar_one()
        return bool(waiting)

    def outbox_statuses(self, openid: str) -> list[str]:
        with self.container.database.unit_of_work() as uow:
            rows = uow.connection.execute(
                select(outbox_t.c.status)
                .where(outbox_t.c.channel == "wechat", outbox_t.c.chat_id == openid)
                .order_by(outbox_t.c.id)
            )
            return [row.status for row in rows]

    def say(self, openid: str, text: str) -> list[str]:
        """Send a text, wait for the answers, return the new customer-service texts."""
        before = len(self.api.texts(openid))
        response = self.wechat.text(openid, text)
        assert response.status_code == 200 and response.text == "success", response.text
        self.settle()
        return self.api.texts(openid)[before:]

    def add_media(self, media_id: str, kind: str = "photo", seed: int = 0, **kw: Any) -> None:
        if kind == "photo":
            self.api.media[media_id] = Media(jpeg_bytes(seed=seed), "image/jpeg", **kw)
        else:
            self.api.media[media_id] = Media(mp4_bytes(seed=seed), "video/mp4", **kw)


def number_of(text: str, label: str) -> str:
    """The number a WeChat user types to pick ``label`` in a numbered message."""
    for line in text.splitlines():
        match = re.fullmatch(r"(\d+)\. (.+)", line.strip())
        if match and match.group(2) == label:
            return match.group(1)
    raise AssertionError(f"no choice {label!r} in {text!r}")


@contextmanager
def wechat_rig(
    database: Database,
    media_dir: Path,
    *,
    mode: str = "plain",
    template: str | None = "TPL-progress",
    msgmenu: bool = False,
    wechat_mode: str | None = None,
    **overrides: Any,
) -> Iterator[WeChatRig]:
    api = FakeWeChatAPI()
    clock = ShiftedClock()
    with serve(api.app()) as api_base:
        settings = Settings(
            database_url=database_url(database),
            media_dir=media_dir,
            wechat_app_id=APP_ID,
            wechat_app_secret=APP_SECRET,
            wechat_token=TOKEN,
            wechat_aes_key=None if mode == "plain" else AES_KEY,
            wechat_api_url=f"{api_base}/cgi-bin/",
            wechat_template_progress=template,
            wechat_msgmenu=msgmenu,
            wechat_mode=wechat_mode,
            **overrides,
        )
        container = build(settings, clock=clock)
        try:
            with container.database.unit_of_work() as uow:
                import_directory(uow, sample_directory(date.today()))
                uow.commit()
            channel = next(c for c in container.channels if isinstance(c, WeChatChannel))
            channel.client.busy_backoff = 0.01
            with (
                serve(create_app(container)) as base,
                httpx.Client(base_url=base, timeout=30) as http,
            ):
                simulator = WeChatSimulator(
                    http,
                    clock,
                    APP_ID,
                    mode=mode,
                    before_send=lambda openid: agree(container.database, "wechat", openid),
                )
                yield WeChatRig(container, channel, api, simulator, clock)
        finally:
            container.close()
