"""The human handoff in headless Chromium: the owner asks for a person in the web chat,
staff answer on the dashboard's queue, the reply appears in the chat, the owner ends it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from storage.db import Database
from tests.dashboard.cdp import CHROMIUM, Browser, profile_dir
from tests.dashboard.support import token
from tests.dashboard.test_browser import sign_in
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock
from tests.live_server import serve

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is not installed (CI installs it)", allow_module_level=True)

BOT_TEXT = "Array.from(document.querySelectorAll('#log .row.bot')).map(r => r.textContent)"


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", FixedClock())
    import_sample(built)
    yield built
    built.close()


def test_a_person_answers_an_owner_through_the_dashboard(
    container: Container, tmp_path: Path
) -> None:
    with serve(create_app(container)) as base:
        asyncio.run(_drive(base, token(container, "insurer"), tmp_path))


async def _type(browser: Browser, text: str) -> None:
    await browser.evaluate(
        f"document.getElementById('input').value = {text!r};"
        " document.getElementById('composer').requestSubmit()"
    )
    await browser.wait_for(
        f"Array.from(document.querySelectorAll('#log .row.user')).some(r => r.textContent"
        f".includes({text!r})) && !document.querySelector('.row.user[data-state=sending]')"
    )


async def _drive(base: str, raw: str, tmp_path: Path) -> None:
    browser = await Browser.launch(profile_dir(tmp_path))
    try:
        await browser.navigate(f"{base}/chat")
        # A first contact: the privacy notice; once agreed, the menu of what people come for.
        await browser.wait_for("document.querySelectorAll('#log .row.bot .choice').length === 3")
        await browser.evaluate(
            "Array.from(document.querySelectorAll('#log .choice'))"
            ".filter(b => b.textContent === 'Agree and continue').pop().click()"
        )
        await browser.wait_for("document.querySelectorAll('#log .row.bot .choice').length === 7")
        await _type(browser, "人工客服")
        await browser.wait_for(f"{BOT_TEXT}.some(t => t.includes('passed you to a person'))")
        await _type(browser, "My car broke down on the motorway")

        await sign_in(browser, base, raw)
        await browser.navigate(f"{base}/dashboard/handoffs?lang=zh_CN")
        queue = await browser.evaluate("document.querySelector('main').textContent")
        assert "My car broke down on the motorway" in queue and "客户要求人工" in queue
        await browser.evaluate(
            "document.querySelector('.handoff textarea').value = 'Where exactly are you?';"
            " document.querySelector('.handoff form').requestSubmit()"
        )
        await browser.wait_for(
            "document.readyState === 'complete' && location.pathname === '/dashboard/handoffs'"
            " && document.querySelector('main').textContent.includes('Where exactly are you?')"
        )

        await browser.navigate(f"{base}/chat")
        await browser.wait_for(
            f"{BOT_TEXT}.some(t => t.includes('Customer service: Where exactly are you?'))"
        )
        await browser.evaluate(
            "Array.from(document.querySelectorAll('#log .choice'))"
            ".filter(b => b.textContent === 'End chat with a person').pop().click()"
        )
        await browser.wait_for(f"{BOT_TEXT}.some(t => t.includes('left the chat with a person'))")

        await browser.navigate(f"{base}/dashboard/handoffs?lang=zh_CN")
        emptied = await browser.evaluate("document.querySelector('main').textContent")
        assert "目前没有等待人工的客户" in emptied
    finally:
        await browser.close()
