"""小额快赔 over real HTTP in the web chat, both drivers in their browsers: from the filed
report of a rear-end accident to an accepted proposal and its payment instruction, with no
adjuster action, counting each driver's actions (the goal: at most 15 for the owner and 6
for the other driver)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.bootstrap import Container
from bot.smallclaim_services import payment_file
from bot.web.app import create_app
from domain.claim import ClaimStatus
from tests.live_server import serve
from tests.media_samples import jpeg_bytes
from tests.quickdeal_support import NUMBER, OTHER_PHONE, OTHER_PLATE, report_two_cars
from tests.smallclaim_support import CARD, CARD_DIGITS, import_prices
from tests.test_adjudication_engine import Party, stored
from tests.web_chat_client import ChatBrowser


class Counting(ChatBrowser):
    """A browser that counts what its driver does: each message typed, button tapped or
    upload (polling for news is not an action)."""

    actions = 0

    def say(self, text: str = "", kind: str = "text", **body: Any) -> list[dict[str, Any]]:
        self.actions += 1
        return super().say(text, kind, **body)

    def upload(self, files: list[tuple[str, bytes, str]]) -> list[dict[str, Any]]:
        self.actions += 1
        return super().upload(files)


@pytest.fixture
def base(container: Container) -> Iterator[str]:
    with serve(create_app(container)) as url:
        yield url


def photo(seed: int) -> list[tuple[str, bytes, str]]:
    return [(f"p{seed}.jpg", jpeg_bytes(seed=seed), "image/jpeg")]


def test_both_drivers_reach_an_accepted_proposal_without_an_adjuster(
    container: Container, base: str
) -> None:
    import_prices(container)
    owner_browser = Counting(base)
    owner_browser.say(text="你好")
    owner = Party(container, owner_browser.chat(container))
    report_two_cars(owner)  # the report (its own goal: docs/performance.md)
    owner_browser.poll()
    owner_browser.actions = 0

    invitation = owner_browser.tap(f"q:inv:{NUMBER}")[-1]
    code = re.search(r"/chat\?join=([0-9A-Z]{8})", str(invitation["text"]))
    assert code is not None
    other = Counting(base)
    other.post(kind="text", text=f"/join {code.group(1)}")  # the link's page sends it itself
    other.poll()
    other.say(text=OTHER_PLATE)
    other.say(text=OTHER_PHONE)
    other.say(text="人保财险")
    owner_browser.poll()
    owner_browser.tap(f"q:sit:{NUMBER}:rear_end")
    owner_browser.tap(f"q:car:{NUMBER}:rear_end.b")
    same = other.poll()[-1]  # the owner's pick, to take in one tap
    assert same["choices"][0]["label"] == "同意对方的选择：追尾，我方车辆负责"
    assert "甲方无责，乙方全责" in str(other.tap(same["choices"][0]["value"])[-1]["text"])
    owner_browser.tap(f"q:ok:{NUMBER}")
    other.tap(f"q:ok:{NUMBER}")
    news = owner_browser.poll()
    offer = news[-1]
    assert "小额快赔" in str(offer["text"])
    assert offer["choices"][0]["label"] == "没有，开始小额快赔"

    parts = owner_browser.tap(offer["choices"][0]["value"])[-1]
    assert len(parts["attachments"]) == 3  # the report's photos, already attached
    bumper = next(c for c in parts["choices"] if c["label"] == "后保险杠")
    assert "✅" in owner_browser.tap(bumper["value"])[-1]["choices"][1]["label"]
    asked = owner_browser.tap(f"f:done:{NUMBER}")
    assert "估损完成，合计 1250.00 元" in str(asked[-2]["text"])
    for seed in (61, 62, 63):
        asked = owner_browser.upload(photo(seed))
    assert "银行卡号" in str(asked[-1]["text"])
    shown = owner_browser.say(text=CARD)[-1]
    assert CARD_DIGITS not in str(shown["text"]) and "622202" in str(shown["text"])
    proposal = owner_browser.tap(f"f:card:{NUMBER}")[-1]
    assert "本公司赔付 1250.00 元" in str(proposal["text"])
    accept = next(c for c in proposal["choices"] if c["label"] == "接受方案")
    paying = owner_browser.tap(accept["value"])[-1]
    assert "付款指令已发出" in str(paying["text"])

    assert owner_browser.actions <= 15, owner_browser.actions
    assert other.actions <= 6, other.actions
    claim = stored(container)
    assert claim.status is ClaimStatus.AGREED and claim.adjuster_id is None
    assert all(not change.actor.startswith("adjuster") for change in claim.timeline)
    lines = payment_file(container.settings).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["amount_fen"] for line in lines] == [125_000]
