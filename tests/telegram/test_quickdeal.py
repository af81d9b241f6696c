"""快处快赔 with both drivers on Telegram: the owner gets the invitation with its QR code as
a photo, the other driver joins with the code, both tap what happened and confirm, and
both get the agreement's links and its PDF as a document (协议书-<number>.pdf)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from storage.db import Database
from tests.media_samples import jpeg_bytes
from tests.quickdeal_support import OTHER_PHONE, OTHER_PLATE
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import telegram_bot
from tests.telegram.test_staff_journeys import Chat, texts


def test_both_drivers_settle_on_telegram(
    database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(database, tmp_path, api, mode="webhook") as bot:
        owner = Chat(bot, api.user(5550101, language_code="zh-hans"))
        other = Chat(bot, api.user(5550202, language_code="zh-hans"))
        for step in ("/report", "沪A12345", "8001"):
            owner.text(step)
        owner.tap("r:time:now")
        bot.turn(owner.user, lambda: owner.user.location(31.2304, 121.4737))
        owner.text("等红灯时被后车追尾")
        for value in ("r:injuries:no", "r:drivable:yes", "r:has_other:yes"):
            owner.tap(value)
        owner.text(OTHER_PLATE)
        for value in ("r:other_insurer:skip", "r:more_other:no", "r:witnesses:skip"):
            owner.tap(value)
        bot.turn(owner.user, lambda: owner.user.album([jpeg_bytes(seed=n) for n in range(3)]))
        filed = owner.tap("r:summary:confirm")  # the summary followed the photos by itself
        # the photos' answer and the summary (an album is answered after its grace) come first
        at = next(i for i, m in enumerate(filed) if m.text.startswith("报案成功"))
        number = re.search(r"BA\d{13}", filed[at].text)
        assert number is not None
        offer = filed[at + 1]
        assert "快处快赔" in offer.text and offer.values == [f"q:inv:{number.group(0)}"]

        invitation = owner.tap(offer.values[0])
        assert [m.method for m in invitation] == ["sendphoto", "sendmessage"]
        with Image.open(io.BytesIO(invitation[0].media[0])) as qr:
            assert qr.format == "PNG" and qr.width == qr.height
        code = re.search(r"邀请码：([0-9A-Z]{8})", invitation[1].text)
        assert code is not None

        other.text(f"快处 {code.group(1)}")
        other.text(OTHER_PLATE)
        other.text(OTHER_PHONE)
        ready = other.text("人保财险")
        photos = [m for m in ready if m.method != "sendmessage"]
        assert photos  # the owner's photos, before the facts
        pick = ready[-1]
        assert pick.buttons[0] == ("追尾", f"q:sit:{number.group(0)}:rear_end")
        told = owner.news()
        assert any("沪B6**90" in m.text for m in told)

        n = number.group(0)
        owner.tap(f"q:sit:{n}:rear_end")
        owner.tap(f"q:car:{n}:rear_end.b")
        cars = other.tap(f"q:sit:{n}:rear_end")
        assert [label for label, _ in cars[-1].buttons] == [
            "我方车辆（沪B6**90）",
            "对方车辆（沪A1**45）",
        ]
        confirm = other.tap(f"q:car:{n}:rear_end.b")
        assert confirm[-1].values == [f"q:ok:{n}", f"q:no:{n}"]
        owner.tap(f"q:ok:{n}")
        answered = other.tap(f"q:ok:{n}")
        issued = texts(answered)[-1]
        assert f"/agreements/{n}.pdf?sig=" in issued and "乙方全责" in issued
        theirs = [m for m in answered if m.method == "senddocument"]
        told = owner.news()
        assert any("协议书" in m.text for m in told)
        mine = [m for m in told if m.method == "senddocument"]
    for document in (*theirs, *mine):  # one each, before the text with the links
        assert document.filename == f"协议书-{n}.pdf"
        assert document.media[0].startswith(b"%PDF")
        pages = PdfReader(io.BytesIO(document.media[0])).pages
        text = re.sub(r"[\s\x00]+", "", "".join(page.extract_text() or "" for page in pages))
        assert n in text and "追尾" in text  # fpdf2's CJK text extracts with NULs between
    assert len(theirs) == 1 and len(mine) == 1
