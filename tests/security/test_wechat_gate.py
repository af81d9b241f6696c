"""Forged and replayed WeChat messages, as someone who saw one signed callback URL sends them.

The callback's query signature covers token, timestamp and nonce but not the body, so a
signed URL is a ticket: it must carry one message, once, on every worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.bootstrap import build
from bot.settings import Settings
from bot.web.app import create_app
from storage.channels.wechat.nonces import NonceClaim, Seen, WeChatNonces
from storage.channels.wechat.tables import wechat_inbox_t
from storage.db import Database
from tests.live_server import serve
from tests.wechat.rig import WeChatRig, wechat_rig

OWNER = "oUSER_replay_000000000000001"
ADJUSTER = "oADJ_chenjing"  # pre-bound to adjuster ADJ-SH-01 in the sample directory


@pytest.fixture
def rig(database: Database, tmp_path: Path) -> Iterator[WeChatRig]:
    with wechat_rig(database, tmp_path / "media") as running:
        yield running


def inbox_rows(rig: WeChatRig) -> int:
    with rig.container.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(wechat_inbox_t)).scalar_one())


def post(http: httpx.Client, query: dict[str, str], body: bytes) -> httpx.Response:
    return http.post("/wechat/callback", params=query, content=body)


@pytest.fixture
def second_worker(rig: WeChatRig, tmp_path: Path) -> Iterator[httpx.Client]:
    """Another process's app on the same database, as behind a load balancer."""
    settings: Settings = rig.container.settings
    other = build(settings.model_copy(update={"media_dir": tmp_path / "other"}), clock=rig.clock)
    try:
        with serve(create_app(other)) as base, httpx.Client(base_url=base) as http:
            yield http
    finally:
        other.close()


def test_a_signed_url_carries_one_message_once_on_every_worker(
    rig: WeChatRig, second_worker: httpx.Client
) -> None:
    wechat = rig.wechat
    query = wechat.query()
    genuine = wechat.xml(OWNER, "text", {"Content": "你好", "MsgId": "7001"}).encode()
    assert post(wechat.http, query, genuine).text == "success"
    forged = wechat.xml(ADJUSTER, "text", {"Content": "/cases", "MsgId": "7002"}).encode()
    assert post(wechat.http, query, forged).status_code == 403
    assert post(second_worker, query, forged).status_code == 403
    # WeChat's own retry of the genuine message (same URL, same body) is still answered.
    assert post(second_worker, query, genuine).text == "success"
    rig.settle()
    assert inbox_rows(rig) == 1
    assert rig.api.texts(ADJUSTER) == []


def test_safe_mode_refuses_plaintext(database: Database, tmp_path: Path) -> None:
    with wechat_rig(database, tmp_path / "media", mode="safe") as rig:
        rig.wechat.mode = "plain"
        plain = rig.wechat.text(ADJUSTER, "/cases")
        assert plain.status_code == 403
        assert inbox_rows(rig) == 0
        rig.wechat.mode = "safe"
        assert rig.wechat.text(OWNER, "/help").text == "success"


def test_compatible_mode_takes_both_when_asked_for(
    sqlite_database: Database, tmp_path: Path
) -> None:
    with wechat_rig(
        sqlite_database, tmp_path / "media", mode="safe", wechat_mode="compatible"
    ) as rig:
        rig.wechat.mode = "plain"
        assert rig.wechat.text(OWNER, "/help").text == "success"
        rig.wechat.mode = "safe"
        assert rig.wechat.text(OWNER, "/help").text == "success"


def test_the_mode_follows_the_key_unless_set() -> None:
    assert Settings(wechat_aes_key=None).wechat_message_mode == "plaintext"
    assert Settings(wechat_aes_key="k" * 43).wechat_message_mode == "safe"
    explicit = Settings(wechat_aes_key="k" * 43, wechat_mode="compatible")
    assert explicit.wechat_message_mode == "compatible"
    with pytest.raises(ValueError, match="AES_KEY"):
        Settings(wechat_mode="safe", wechat_aes_key=None)


def test_openapi_documents_the_callback_refusals(rig: WeChatRig) -> None:
    document = rig.wechat.http.get("/openapi.json").json()
    responses = document["paths"]["/wechat/callback"]["post"]["responses"]
    assert {"400", "403", "413"} <= set(responses)


def test_pairs_are_told_apart_and_forgotten_after_their_window(database: Database) -> None:
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    first = NonceClaim(1_795_000_000, "918273645", "a" * 64)
    retry = NonceClaim(1_795_000_000, "918273645", "a" * 64)
    forged = NonceClaim(1_795_000_000, "918273645", "b" * 64)
    other = NonceClaim(1_795_000_001, "918273645", "b" * 64)
    with database.engine.begin() as conn:
        nonces = WeChatNonces(conn)
        seen = nonces.remember_all([first, retry, forged, other], now)
        assert seen == [Seen.NEW, Seen.SAME, Seen.REPLAY, Seen.NEW]
        assert nonces.remember_all([forged, retry], now) == [Seen.REPLAY, Seen.SAME]
        nonces.purge(before_timestamp=1_795_000_001)
        assert nonces.remember_all([forged, other], now) == [Seen.NEW, Seen.SAME]
