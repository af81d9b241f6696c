"""The pages work under their Content-Security-Policy in a real browser: no script, style
or request of theirs is refused (a refusal would mean inline code crept back in)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.bootstrap import build
from bot.settings import Settings
from bot.web.app import create_app
from storage.db import Database
from storage.tables.core import claim_t
from tests.dashboard.cdp import CHROMIUM, Browser, profile_dir
from tests.dashboard.support import seed, token
from tests.engine_harness import database_url
from tests.fakes import FixedClock
from tests.live_server import serve

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is not installed (CI installs it)", allow_module_level=True)

# Injected by DevTools before any page script runs (DevTools scripts are not subject to CSP).
WATCH = """
window.__refused = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__refused.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def test_no_page_breaks_its_own_policy(sqlite_database: Database, tmp_path: Path) -> None:
    clock = FixedClock()
    settings = Settings(
        database_url=database_url(sqlite_database), media_dir=tmp_path / "m", demo_mode=True
    )
    built = build(settings, clock=clock)
    seeded = seed(built, clock)
    bearer = token(built, "insurer")
    with built.database.engine.connect() as conn:
        status_token = conn.execute(
            select(claim_t.c.status_token).where(claim_t.c.number == seeded.linked)
        ).scalar_one()
    try:
        with serve(create_app(built)) as base:
            pages = [
                "/chat",
                f"/status/{status_token}",
                "/dashboard/login",
                "/dashboard",
                f"/dashboard/claims/{seeded.linked}",
                "/dashboard/analytics",
            ]
            refused = asyncio.run(_visit(base, pages, bearer, tmp_path))
    finally:
        built.close()
    assert refused == {page: [] for page in pages}


async def _visit(base: str, pages: list[str], bearer: str, tmp_path: Path) -> dict[str, list[str]]:
    browser = await Browser.launch(profile_dir(tmp_path))
    try:
        await browser.page("Page.addScriptToEvaluateOnNewDocument", source=WATCH)
        await browser.page(
            "Network.setExtraHTTPHeaders", headers={"Authorization": f"Bearer {bearer}"}
        )
        refused: dict[str, list[str]] = {}
        for page in pages:
            await browser.navigate(base + page)
            await asyncio.sleep(1.0)  # let the page's scripts start and fetch
            refused[page] = await browser.evaluate("window.__refused")
        return refused
    finally:
        await browser.close()
