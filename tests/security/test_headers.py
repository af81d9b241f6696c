"""Security headers on every page, API answer and file; no inline script or style anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.bootstrap import build
from bot.settings import Settings
from bot.web.app import create_app
from storage.db import Database
from tests.dashboard.support import seed, token
from tests.engine_harness import database_url
from tests.fakes import FixedClock
from tests.live_server import serve

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def assert_hardened(response: httpx.Response) -> None:
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, response.url
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, response.url
    assert headers.get("x-content-type-options") == "nosniff", response.url
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer"), response.url


def test_pages_api_and_errors_carry_the_headers(client: httpx.Client) -> None:
    for path in (
        "/chat",
        "/dashboard/login",
        "/api/claims",
        "/health",
        "/openapi.json",
        "/status/not-a-real-token-000000",
        "/no/such/page",
    ):
        assert_hardened(client.get(path))
    assert_hardened(client.post("/chat/api/messages", content=b"{"))
    too_large = client.post("/dashboard/login", content=b"t" * 200_000)
    assert too_large.status_code == 413
    assert_hardened(too_large)


def test_no_page_runs_inline_script_or_style(client: httpx.Client) -> None:
    for path in ("/chat", "/dashboard/login", "/status/not-a-real-token-000000"):
        html = client.get(path).text
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_STYLE.search(html), path
    assert client.get("/status/static/status.css").status_code == 200


def test_parser_internals_are_not_echoed(client: httpx.Client) -> None:
    broken = client.post(
        "/chat/api/messages",
        content=b'{"user_id": "x',
        headers={"content-type": "application/json"},
    )
    assert broken.status_code == 422
    assert "Unterminated" not in broken.text and "char" not in broken.text
    wrong = client.post(
        "/chat/api/messages",
        json={"message_id": "<b>secret-input-9</b>", "kind": "text", "text": "hi"},
    )
    assert wrong.status_code == 422
    assert "secret-input-9" not in wrong.text
    assert all(set(error) == {"loc", "msg", "type"} for error in wrong.json()["detail"])


@pytest.fixture
def https_client(sqlite_database: Database, tmp_path: Path) -> Iterator[httpx.Client]:
    settings = Settings(
        database_url=database_url(sqlite_database),
        media_dir=tmp_path / "media",
        public_url="https://claims.example.com",
    )
    built = build(settings, clock=FixedClock())
    with serve(create_app(built)) as base, httpx.Client(base_url=base) as http:
        yield http
    built.close()


def test_hsts_only_behind_an_https_public_url(
    https_client: httpx.Client, client: httpx.Client
) -> None:
    assert "max-age=" in https_client.get("/chat").headers["strict-transport-security"]
    assert "strict-transport-security" not in client.get("/chat").headers


def test_media_files_are_sandboxed_named_and_never_sniffed(
    sqlite_database: Database, tmp_path: Path
) -> None:
    clock = FixedClock()
    settings = Settings(database_url=database_url(sqlite_database), media_dir=tmp_path / "m")
    built = build(settings, clock=clock)
    seeded = seed(built, clock)
    bearer = {"Authorization": f"Bearer {token(built, 'insurer')}"}
    with serve(create_app(built)) as base, httpx.Client(base_url=base, headers=bearer) as http:
        page = http.get(f"/dashboard/claims/{seeded.linked}").text
        media_id = re.findall(rf"/dashboard/claims/{seeded.linked}/media/(\d+)", page)[0]
        photo = http.get(f"/dashboard/claims/{seeded.linked}/media/{media_id}")
    built.close()
    assert photo.status_code == 200
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert photo.headers["content-disposition"].startswith("inline; filename=")
    csp = photo.headers["content-security-policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp


def test_the_claim_list_takes_only_calendar_dates(
    sqlite_database: Database, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url(sqlite_database), media_dir=tmp_path / "m")
    built = build(settings, clock=FixedClock())
    bearer = {"Authorization": f"Bearer {token(built, 'insurer')}"}
    with serve(create_app(built)) as base, httpx.Client(base_url=base, headers=bearer) as http:
        for name in ("reported_from", "reported_to"):
            for value in ("0", "1700000000", "2026-1-5", "today"):
                answer = http.get("/api/claims", params={name: value})
                assert answer.status_code == 422, (name, value)
            assert http.get("/api/claims", params={name: "2026-11-25"}).status_code == 200
    built.close()
