"""An owner at the scene, in headless Chromium on a phone-sized screen: the browser says
English but they write Chinese, so the chat answers in Chinese; asked the time, they tap
the location button once and the place and "just now" are both taken; the question's
buttons, the location button among them, are greyed once it is answered."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from tests.dashboard.cdp import CHROMIUM, Browser, profile_dir
from tests.live_server import serve

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is not installed (CI installs it)", allow_module_level=True)

BOT_TEXTS = "Array.from(document.querySelectorAll('#log .row.bot')).map(r => r.textContent)"
SCENE = {"latitude": 31.2304, "longitude": 121.4737, "accuracy": 20}


def test_an_owner_at_the_scene_shares_the_place_and_the_time_in_one_tap(
    demo_container: Container, tmp_path: Path
) -> None:
    with serve(create_app(demo_container)) as base:
        asyncio.run(_drive(base, tmp_path))


async def _said(browser: Browser, words: str) -> None:
    await browser.wait_for(f"{BOT_TEXTS}.some(t => t.includes({json.dumps(words)}))")


async def _type(browser: Browser, text: str) -> None:
    await browser.evaluate(
        f"document.getElementById('input').value = {json.dumps(text)};"
        " document.getElementById('composer').requestSubmit()"
    )


async def _drive(base: str, tmp_path: Path) -> None:
    browser = await Browser.launch(profile_dir(tmp_path))
    try:
        await browser.page("Emulation.setDeviceMetricsOverride", width=375, height=740,
                           deviceScaleFactor=2, mobile=True)  # fmt: skip
        await browser.page("Emulation.setGeolocationOverride", **SCENE)
        await browser.call("Browser.grantPermissions", permissions=["geolocation"], origin=base)
        await browser.navigate(f"{base}/chat")
        await _said(browser, "Privacy notice.")  # headless Chromium's language is en-US
        await _type(browser, "撞车了")
        await _said(browser, "【个人信息处理告知】")
        await browser.evaluate(
            "[...document.querySelectorAll('#log .choice')]"
            ".filter(b => b.textContent === '同意并继续').pop().click()"
        )
        await _said(browser, "好的，开始报案")  # what they wrote first, resumed
        await _type(browser, "沪A12345")
        await _said(browser, "为核实身份")
        await _type(browser, "8001")
        await _said(browser, "事故是什么时候发生的")
        asked = "[...document.querySelectorAll('#log .row.bot')].pop()"
        assert await browser.evaluate(f"{asked}.querySelector('button.loc-big').textContent") == (
            "发送位置"
        )
        await browser.evaluate(f"{asked}.querySelector('button.loc-big').click()")
        await _said(browser, "事故时间记为刚刚")
        await _said(browser, "请简单描述事故经过")
        greyed = await browser.wait_for(
            "(() => { const q = [...document.querySelectorAll('#log .row.bot')]"
            ".find(r => r.textContent.includes('事故是什么时候发生的'));"
            " const bs = [...q.querySelectorAll('button')];"
            " return bs.length && bs.every(b => b.disabled) && bs.map(b => b.textContent); })()"
        )
        assert greyed == ["发送位置", "刚刚", "选择其他项目"]
        place = await browser.evaluate(f"{BOT_TEXTS}.find(t => t.startsWith('已记录事故地点'))")
        assert place == "已记录事故地点：（31.2304, 121.4737）。"
    finally:
        await browser.close()
