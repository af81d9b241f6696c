"""快处快赔 over real HTTP in the web chat: the other driver opens the invitation's link
(the page sends ``/join CODE`` first, and again once the privacy notice is agreed to), gives
their details, sees the owner's photos, picks, confirms and downloads the agreement."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from pypdf import PdfReader

from bot.agreement.render import PdfFontMissing, find_cjk_font
from bot.bootstrap import Container
from bot.web.app import create_app
from dialogs.consent import AGREE
from tests.live_server import serve
from tests.quickdeal_support import NUMBER, OTHER_PHONE, OTHER_PLATE, report_two_cars
from tests.test_adjudication_engine import Party
from tests.web_chat_client import ChatBrowser


@pytest.fixture
def base(container: Container) -> Iterator[str]:
    with serve(create_app(container)) as url:
        yield url


def path_of(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}" if parsed.query else parsed.path


def texts(messages: list[dict[str, object]]) -> str:
    return "\n".join(str(m["text"]) for m in messages)


def test_the_other_driver_joins_by_link_and_gets_the_agreement(
    container: Container, base: str
) -> None:
    try:
        find_cjk_font(container.settings.pdf_font)
    except PdfFontMissing as missing:
        pytest.skip(str(missing))
    owner_browser = ChatBrowser(base)
    owner_browser.say(text="你好")
    owner = Party(container, owner_browser.chat(container))
    report_two_cars(owner)
    invitation = owner_browser.tap(f"q:inv:{NUMBER}")[-1]
    link = re.search(r"(https?://\S+/chat\?join=([0-9A-Z]{8}))", str(invitation["text"]))
    assert link is not None
    code = link.group(2)
    (qr,) = invitation["attachments"]
    png = owner_browser.http.get(qr["url"])
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")

    # a first visit: the join is kept while the privacy notice is agreed to, then goes on
    other = ChatBrowser(base, agreed=False)
    held = other.say(text=f"/join {code}")
    assert held[-1]["text"].startswith("【个人信息处理告知】")
    joined = other.tap(AGREE)
    assert "您已加入快处快赔" in texts(joined)
    other.say(text=OTHER_PLATE)
    other.say(text=OTHER_PHONE)
    ready = other.say(text="人保财险")
    facts, pick = ready[-2], ready[-1]
    assert "等红灯时被后车追尾" in str(facts["text"])
    assert len(facts["attachments"]) == 3
    photo = other.http.get(facts["attachments"][0]["url"])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert [c["label"] for c in pick["choices"]][:2] == ["追尾", "变更车道"]

    owner_browser.poll()
    owner_browser.tap(f"q:sit:{NUMBER}:rear_end")
    owner_browser.tap(f"q:car:{NUMBER}:rear_end.b")
    cars = other.tap(f"q:sit:{NUMBER}:rear_end")[-1]
    assert [c["label"] for c in cars["choices"]] == ["我方车辆（沪B6**90）", "对方车辆（沪A1**45）"]
    confirm = other.tap(cars["choices"][0]["value"])[-1]
    assert "甲方无责，乙方全责" in str(confirm["text"])
    owner_browser.tap(f"q:ok:{NUMBER}")
    issued = other.tap(f"q:ok:{NUMBER}")[-1]
    pdf_link = re.search(r"(https?://\S+/agreements/\S+\.pdf\?sig=\S+)", str(issued["text"]))
    html_link = re.search(r"(https?://\S+/agreements/\S+\.html\?sig=\S+)", str(issued["text"]))
    assert pdf_link is not None and html_link is not None
    assert "协议书" in texts(owner_browser.poll())

    pdf = other.http.get(path_of(pdf_link.group(1)))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.content)).pages)
    text = re.sub(r"[\s\x00]+", "", text)
    assert "追尾" in text and "人保财险" in text and "全责" in text
    page = other.http.get(path_of(html_link.group(1)))
    assert page.status_code == 200 and "data:image/jpeg;base64," in page.text
    forged = path_of(pdf_link.group(1)).split("?sig=")[0] + "?sig=forged"
    assert other.http.get(forged).status_code == 404


def test_an_unknown_code_over_http_changes_nothing(container: Container, base: str) -> None:
    other = ChatBrowser(base)
    answer = other.say(text="快处 ZZZZ2222")
    assert answer[-1]["text"].startswith("邀请码不正确")
    with container.database.unit_of_work() as uow:
        assert uow.quick_deals.for_claim_for_update(NUMBER) is None
