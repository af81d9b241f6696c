"""Headless Chromium against a live server: the dashboard with a token cookie, a claim
opened, an adjuster takes it in the web chat, and the open page shows it without anyone
reloading; a screenshot is saved."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.bootstrap import Container
from bot.channels.webchat.sessions import COOKIE
from bot.web.app import create_app
from bot.web.auth import SESSION_COOKIE
from domain.services import create_invite
from domain.staff import StaffRole
from storage.db import Database
from tests.dashboard.cdp import CHROMIUM, Browser, profile_dir
from tests.dashboard.support import Seeded, seed, token
from tests.engine_harness import make_container
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.web_chat_client import ChatBrowser

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is not installed (CI installs it)", allow_module_level=True)


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", FixedClock())
    yield built
    built.close()


def take_in_web_chat(base: str, container: Container, number: str) -> None:
    """An adjuster binds a browser with an invite, then takes the claim: all over HTTP."""
    with container.database.unit_of_work() as uow:
        code, _ = create_invite(
            uow,
            role=StaffRole.ADJUSTER,
            name="王建国",
            now=container.clock.now(),
            staff_code="ADJ-SH-01",
        )
        uow.commit()
    adjuster = ChatBrowser(base)
    try:
        adjuster.say(f"/bind {code}")
        adjuster.say(f"/take {number}")
    finally:
        adjuster.close()


async def sign_in(browser: Browser, base: str, raw: str) -> None:
    """Through the sign-in form, as a person does; the cookie then holds a session id."""
    await browser.navigate(f"{base}/dashboard/login")
    await browser.evaluate(
        f"document.getElementById('token').value = {raw!r};"
        " document.querySelector('form').requestSubmit()"
    )
    await browser.wait_for(
        "location.pathname === '/dashboard' && document.readyState === 'complete'"
    )
    session = await browser.cookie(f"{base}/dashboard", SESSION_COOKIE)
    assert session and session != raw


def test_the_open_claim_page_follows_a_take(
    container: Container, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert isinstance(container.clock, FixedClock)
    seeded: Seeded = seed(container, container.clock)
    raw = token(container, "insurer")
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as http:
        screenshot = asyncio.run(_drive(base, raw, seeded.unlinked, http, container, tmp_path))
    with capsys.disabled():
        print(f"\ndashboard screenshot: {screenshot}")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def _drive(
    base: str, raw: str, number: str, http: httpx.Client, container: Container, tmp_path: Path
) -> Path:
    browser = await Browser.launch(profile_dir(tmp_path))
    try:
        await sign_in(browser, base, raw)
        await browser.navigate(f"{base}/dashboard?lang=zh_CN")  # headless asks for en-US
        assert await browser.evaluate("location.pathname") == "/dashboard"
        assert await browser.evaluate("document.cookie") == ""  # HttpOnly: not for scripts
        link = f"a[href='/dashboard/claims/{number}']"
        await browser.evaluate(f'document.querySelector("{link}").click()')
        await browser.wait_for(
            f"location.pathname === '/dashboard/claims/{number}'"
            " && document.readyState === 'complete'"
        )
        assert await browser.evaluate("document.getElementById('stage').textContent") == "已报案"
        await asyncio.to_thread(take_in_web_chat, base, container, number)
        await browser.wait_for("document.getElementById('stage').textContent === '已受理'")
        timeline = await browser.evaluate("document.getElementById('timeline').textContent")
        assert "理赔员 ADJ-SH-01" in timeline
        return await browser.screenshot(tmp_path / "dashboard-claim.png")
    finally:
        await browser.close()


def test_the_web_chat_fits_a_phone_and_switches_identity_in_demo_mode(
    demo_container: Container, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(create_app(demo_container)) as base:
        screenshot = asyncio.run(_chat_on_a_phone(base, tmp_path))
    with capsys.disabled():
        print(f"\nweb chat screenshot: {screenshot}")
    with demo_container.database.unit_of_work() as uow:
        adjuster = uow.staff.adjuster_by_code("ADJ-SH-01")
        assert adjuster is not None and adjuster.party_id is not None
        assert uow.recipients.of_party(adjuster.party_id)[-1].channel == "web"


async def _chat_on_a_phone(base: str, tmp_path: Path) -> Path:
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
        labels = await browser.evaluate(
            "Array.from(document.querySelectorAll('#identity option'), o => o.textContent)"
        )
        assert labels == ["Owner", "Adjuster ADJ-SH-01", "Shop staff SHOP-PD-01"]
        await browser.evaluate(
            "document.getElementById('input').value = '/help';"
            " document.getElementById('composer').requestSubmit()"
        )
        await browser.wait_for("document.querySelectorAll('#log .row.bot').length > 0")
        owner_session = await browser.cookie(f"{base}/chat", COOKIE)
        assert owner_session and await browser.evaluate("document.cookie") == ""
        await browser.evaluate(
            "const s = document.getElementById('identity'); s.value = 'adjuster';"
            " s.dispatchEvent(new Event('change'))"
        )
        await browser.wait_for("localStorage.getItem('claimbot.role') === 'adjuster'")
        await browser.wait_for("document.getElementById('log').textContent.includes('ADJ-SH-01')")
        # the page reloads as the adjuster; its switcher is filled by a request of its own
        await browser.wait_for("document.getElementById('identity').value === 'adjuster'")
        adjuster_session = await browser.cookie(f"{base}/chat", COOKIE)
        assert adjuster_session and adjuster_session != owner_session  # a new session
        width = await browser.evaluate("document.documentElement.scrollWidth")
        assert width <= 375  # no horizontal scrolling on a phone
        return await browser.screenshot(tmp_path / "chat-phone.png")
    finally:
        await browser.close()


def test_analytics_charts_stay_readable_on_a_phone(container: Container, tmp_path: Path) -> None:
    assert isinstance(container.clock, FixedClock)
    seed(container, container.clock)
    raw = token(container, "insurer")
    with serve(create_app(container)) as base:
        smallest = asyncio.run(_chart_text_on_a_phone(base, raw, tmp_path))
    assert smallest >= 11  # CSS pixels, as drawn


async def _chart_text_on_a_phone(base: str, raw: str, tmp_path: Path) -> float:
    browser = await Browser.launch(profile_dir(tmp_path))
    try:
        await browser.page(
            "Emulation.setDeviceMetricsOverride",
            width=375,
            height=740,
            deviceScaleFactor=2,
            mobile=True,
        )
        await sign_in(browser, base, raw)
        await browser.navigate(f"{base}/dashboard/analytics?since=2026-11-01")
        assert await browser.evaluate("document.querySelectorAll('svg.chart text').length") > 0
        assert await browser.evaluate("document.documentElement.scrollWidth") <= 375
        size: float = await browser.evaluate(
            "Math.min(...Array.from(document.querySelectorAll('svg.chart text'), t =>"
            " parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a))"
        )
        return size
    finally:
        await browser.close()
