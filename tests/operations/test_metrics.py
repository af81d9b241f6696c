"""``/metrics`` (Prometheus text), ``/health`` and ``/ready`` through real HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from bot.bootstrap import build
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.probes import probes_router
from storage import migrate
from storage.db import Database
from tests.live_server import serve
from tests.prometheus import prometheus_figures, prometheus_value
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import SECRET, telegram_bot
from tests.wechat.rig import wechat_rig

HEADER = "X-Telegram-Bot-Api-Secret-Token"


def test_turns_sends_429s_and_refusals_are_counted_per_channel(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(sqlite_database, tmp_path, api, mode="webhook") as bot:
        user = api.user(5550001, language_code="en")
        assert bot.turn(user, lambda: user.text("/help"))
        api.fail("sendMessage", 429, retry_after=1)  # Telegram's flood limit, once
        assert bot.turn(user, lambda: user.text("/help"), timeout=20)
        with httpx.Client(base_url=bot.base_url, timeout=10) as http:
            refused = http.post("/telegram/webhook", json={"update_id": 1}, headers={HEADER: "x"})
            malformed = http.post("/telegram/webhook", content=b"{", headers={HEADER: SECRET})
            text = http.get("/metrics").text
            content_type = http.get("/metrics").headers["content-type"]
    assert (refused.status_code, malformed.status_code) == (403, 400)
    assert content_type.startswith("text/plain")
    worker = bot.container.telemetry.worker
    turns = prometheus_value(text, "claimbot_turn_seconds_count", channel="telegram")
    assert turns == 2
    assert prometheus_value(text, "claimbot_turn_seconds_count", channel="telegram", worker=worker)
    sent = prometheus_value(text, "claimbot_sends_total", channel="telegram", result="sent")
    assert sent >= 2
    assert prometheus_value(text, "claimbot_sends_total", channel="telegram", result="429") == 1
    rejected = {
        reason: prometheus_value(
            text, "claimbot_rejections_total", endpoint="telegram_webhook", reason=reason
        )
        for reason in ("secret", "malformed")
    }
    assert rejected == {"secret": 1, "malformed": 1}
    figures = prometheus_figures(text)
    assert figures["claimbot_database_up"] == 1
    assert figures["claimbot_outbox_backlog"] == 0


def test_health_is_liveness_and_ready_checks_database_migrations_and_dispatcher(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    migrate.upgrade(url, "0009")  # a release behind this one's schema
    settings = Settings(database_url=url, media_dir=tmp_path / "media", scheduler_enabled=False)
    container = build(settings)
    try:
        with serve(create_app(container)) as base, httpx.Client(base_url=base) as http:
            assert http.get("/health").json() == {"status": "ok"}
            behind = http.get("/ready")
            migrate.upgrade(url)
            ready = http.get("/ready")
    finally:
        container.close()
    assert behind.status_code == 503
    assert behind.json()["checks"]["migrations"].startswith("at 0009")
    assert behind.json()["checks"]["dispatcher"] == "ok"
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "dispatcher": "ok"},
    }
    # The probes of a process whose dispatcher loop is not running: not ready.
    container = build(settings)
    probes = FastAPI()
    probes.include_router(
        probes_router(container.database, container.dispatcher, container.telemetry)
    )
    try:
        with serve(probes) as base, httpx.Client(base_url=base) as http:
            alive, answer = http.get("/health"), http.get("/ready")
    finally:
        container.close()
    assert alive.status_code == 200
    assert answer.status_code == 503
    assert answer.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "dispatcher": "not running",
    }


def test_wechat_window_closed_answers_and_bad_signatures_are_counted(
    sqlite_database: Database, tmp_path: Path
) -> None:
    openid = "oUSER_metrics_00000000000001"
    with wechat_rig(sqlite_database, tmp_path / "media") as rig:
        rig.say(openid, "/help")
        rig.api.closed_windows.add(openid)  # customer-service sends answer 45015
        rig.say(openid, "/help")
        rig.settle()
        http = rig.wechat.http
        forged = http.post(
            "/wechat/callback",
            params={"signature": "0" * 40, "timestamp": str(rig.wechat.now()), "nonce": "1"},
            content=b"<xml/>",
        )
        text = http.get("/metrics").text
    assert forged.status_code == 403
    assert prometheus_value(text, "claimbot_sends_total", channel="wechat", result="45015") >= 1
    assert prometheus_value(text, "claimbot_sends_total", channel="wechat", result="sent") >= 1
    assert prometheus_value(text, "claimbot_turn_seconds_count", channel="wechat") >= 2
    refused = prometheus_value(
        text, "claimbot_rejections_total", endpoint="wechat_callback", reason="forbidden"
    )
    assert refused == 1
