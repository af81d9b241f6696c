"""Operators' endpoints stay off the public listener, and one browser's message id cannot
stand for another's message."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from bot.bootstrap import Container, build
from bot.settings import Settings
from bot.web.app import create_app
from storage.db import Database
from tests.engine_harness import database_url
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.web_chat_client import ChatBrowser

OPS_TOKEN = "ops-token-0123456789abcdef"


def _get_from(container: Container, client_host: str, path: str) -> int:
    """The status a request to ``path`` from ``client_host`` gets (an ASGI call: on this
    machine every real connection comes from 127.0.0.1)."""

    async def call() -> int:
        transport = httpx.ASGITransport(app=create_app(container), client=(client_host, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://claimbot") as http:
            return (await http.get(path)).status_code

    return asyncio.run(call())


def test_metrics_and_the_schema_answer_only_this_machine_without_a_token(
    container: Container,
) -> None:
    for path in ("/metrics", "/openapi.json"):
        assert _get_from(container, "203.0.113.7", path) == 404
        assert _get_from(container, "127.0.0.1", path) == 200
    assert _get_from(container, "203.0.113.7", "/health") == 200  # the rest is public


def test_with_a_token_metrics_and_the_schema_need_it(
    sqlite_database: Database, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=database_url(sqlite_database),
        media_dir=tmp_path / "media",
        ops_token=OPS_TOKEN,
    )
    built = build(settings, clock=FixedClock())
    try:
        with serve(create_app(built)) as base, httpx.Client(base_url=base) as http:
            for path in ("/metrics", "/openapi.json"):
                assert http.get(path).status_code == 404  # even from this machine
                wrong = {"Authorization": "Bearer not-the-token-at-all"}
                assert http.get(path, headers=wrong).status_code == 404
                right = {"Authorization": f"Bearer {OPS_TOKEN}"}
                assert http.get(path, headers=right).status_code == 200
    finally:
        built.close()


def test_another_browser_reusing_a_message_id_is_still_answered(base_url: str) -> None:
    first, second = ChatBrowser(base_url), ChatBrowser(base_url)
    body = {"message_id": "same-id-0001", "text": "/help"}
    first.agree_first()
    second.agree_first()
    batch = first.post(**body).json()
    answered = batch["messages"]
    assert answered  # the first browser's /help is answered
    again = second.post(**body).json()["messages"]
    assert again and again[0]["text"] == answered[0]["text"]  # not taken for a retry
    retried = first.post(after=batch["cursor"], **body).json()["messages"]
    assert retried == []  # the same browser's retry is answered once
