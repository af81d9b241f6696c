"""The web chat in headless Chromium on a phone-sized screen: the header is not cut by
the demo selector, links in the bot's messages can be tapped, the page's own words follow
/lang, and after a reload the owner's own messages are back in their places."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from bot.bootstrap import Container
from bot.channels.webchat.sessions import COOKIE
from bot.web.app import create_app
from messages.outbound import STATUS_LINKS, Outbound
from storage.records import OutboxItem
from tests.consent_support import agree
from tests.dashboard.cdp import CHROMIUM, Browser, profile_dir
from tests.live_server import serve
from tests.web_chat_client import chat_of_session

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is not installed (CI installs it)", allow_module_level=True)

STATUS_URL = "http://127.0.0.1:18080/status/" + "Tk" * 20
ROWS = "Array.from(document.querySelectorAll('#log .row'))"


def test_the_chat_on_a_phone(demo_container: Container, tmp_path: Path) -> None:
    with serve(create_app(demo_container)) as base:
        asyncio.run(_drive(base, demo_container, tmp_path))


def _push_status_link(container: Container, user_id: str) -> None:
    payload = Outbound("help.idle").to_payload()
    payload[STATUS_LINKS] = [{"number": "BA2026112500001", "url": STATUS_URL}]
    with container.database.unit_of_work() as uow:
        uow.outbox.add([OutboxItem("web", user_id, "en", payload, "test-status-link")])
        uow.commit()


async def _say(browser: Browser, text: str) -> None:
    count = await browser.evaluate(f"{ROWS}.length")
    await browser.evaluate(
        f"document.getElementById('input').value = {text!r};"
        " document.getElementById('composer').requestSubmit()"
    )
    await browser.wait_for(  # our bubble and at least one answer
        f"{ROWS}.length >= {count} + 2 && !document.querySelector('.row.user[data-state=sending]')"
    )


async def _drive(base: str, container: Container, tmp_path: Path) -> None:
    browser = await Browser.launch(profile_dir(tmp_path))
    try:
        await browser.page(
            "Emulation.setDeviceMetricsOverride",
            width=375,
            height=740,
            deviceScaleFactor=2,
            mobile=True,
        )
        await browser.navigate(f"{base}/chat")
        await browser.wait_for("!document.getElementById('identity').hidden")
        await _header_fits(browser)

        # An empty chat opens by itself (the privacy notice on a first visit); type after it
        await browser.wait_for("document.querySelectorAll('#log .row.bot').length >= 1")
        await _say(browser, "/report")
        assert await browser.evaluate("document.cookie") == ""  # the session: HttpOnly
        session = await browser.cookie(f"{base}/chat", COOKIE)
        assert session is not None
        chat = chat_of_session(container, session)
        await asyncio.to_thread(agree, container.database, "web", chat, "en")
        await _say(browser, "/report")
        await asyncio.to_thread(_push_status_link, container, chat)
        status = (
            "[...document.querySelectorAll('#log a.link')]"
            ".filter(a => a.href.includes('/status/'))"
        )
        await browser.wait_for(f"{status}.length > 0")  # the notice's privacy link comes first
        link = await browser.evaluate(
            f"(() => {{ const a = {status}[0];"
            " return [a.href, a.target, a.rel, a.textContent, getComputedStyle(a).overflowWrap,"
            " a.parentElement.textContent]; })()"
        )
        assert link[:5] == [STATUS_URL, "_blank", "noopener", STATUS_URL, "anywhere"]
        assert link[5].endswith(f"\nTrack your claim: {STATUS_URL}")
        assert await browser.evaluate("document.documentElement.scrollWidth") <= 375

        # headless Chromium's language is en-US: the page starts in English
        assert await browser.evaluate("document.getElementById('input').placeholder") == (
            "Type a message…"
        )
        await _say(browser, "/lang zh")
        await browser.wait_for("document.getElementById('input').placeholder === '输入消息…'")
        assert await browser.evaluate("document.documentElement.lang") == "zh-CN"
        assert await browser.evaluate("document.getElementById('title').textContent") == (
            "车险理赔助手"
        )
        before = await browser.evaluate(f"{ROWS}.map(r => r.className + '|' + r.textContent)")

        await browser.navigate(f"{base}/chat")
        await browser.wait_for(f"{ROWS}.length >= {len(before)}")
        after = await browser.evaluate(f"{ROWS}.map(r => r.className + '|' + r.textContent)")
        assert after == before  # the owner's own messages, each where it was
        assert [row for row in after if row.startswith("row user")] == [
            "row user|/report",  # answered by the privacy notice
            "row user|/report",
            "row user|/lang zh",
        ]
        assert await browser.evaluate("document.getElementById('input').placeholder") == (
            "输入消息…"
        )
    finally:
        await browser.close()


async def _header_fits(browser: Browser) -> None:
    """The title is shown whole (wrapped if need be) next to or above the demo selector."""
    box = await browser.evaluate(
        "(() => { const h = document.querySelector('.bar h1');"
        " const s = document.getElementById('identity').getBoundingClientRect();"
        " return [h.scrollWidth <= h.clientWidth, h.getBoundingClientRect().right, s.right,"
        " h.textContent]; })()"
    )
    assert box[0], "the title is cut"
    assert box[1] <= 375 and box[2] <= 375
    assert box[3] == "claimbot · Car insurance claims"
