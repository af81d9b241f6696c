"""The 快处快赔 agreement in each driver's own language (SQLite and PostgreSQL): the owner
who chats in Chinese gets the Chinese original, the other driver who chats in English an
English copy; each link opens only its own copy, and the PDF reads back in its language."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
from pypdf import PdfReader

from bot.agreement.render import PdfFontMissing, find_cjk_font
from bot.bootstrap import Container
from tests.quickdeal_support import NUMBER, invite, last_payload, report_two_cars
from tests.test_adjudication_engine import Party


def pdf_text(container: Container, url: str) -> str:
    parsed = urlparse(url)
    number, kind = parsed.path.rsplit("/", 1)[1].split(".")
    query = parse_qs(parsed.query)
    lang = query.get("lang", [""])[0]
    assert container.agreements is not None
    assert container.agreements.read(number, kind, query["sig"][0], "") is None or not lang
    data = container.agreements.read(number, kind, query["sig"][0], lang)
    assert data is not None and data.startswith(b"%PDF")
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[\s\x00]+", "", text)


def test_each_driver_gets_the_agreement_in_their_own_language(container: Container) -> None:
    try:
        find_cjk_font(container.settings.pdf_font)
    except PdfFontMissing as missing:
        pytest.skip(str(missing))
    owner = Party(container, "owner-web-0001")
    other = Party(container, "other-web-0042", hint="en-GB")
    report_two_cars(owner)
    other.text(f"快处 {invite(container, owner)}")
    other.text("沪B67890")
    other.text("13900139002")
    other.text("PICC")
    for driver in (owner, other):
        driver.choose(f"q:sit:{NUMBER}:rear_end")
        driver.choose(f"q:car:{NUMBER}:rear_end.b")
    owner.choose(f"q:ok:{NUMBER}")
    assert other.choose(f"q:ok:{NUMBER}") == ["quickdeal.issued"]

    theirs = last_payload(container, other, "quickdeal.issued")["params"]
    mine = last_payload(container, owner, "quickdeal.issued")["params"]
    assert "lang=en" in theirs["pdf_url"] and "lang=" not in mine["pdf_url"]
    assert "Rear-endcollision" in pdf_text(container, theirs["pdf_url"])
    assert "追尾" in pdf_text(container, mine["pdf_url"])
    assert "Rear-end collision" in other.last_text()
