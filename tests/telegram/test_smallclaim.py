"""小额快赔 on Telegram: a single-car claim is offered the fast lane after filing; the owner
taps the part on the inline keyboard (the report's photos come with the list), sends the
documents as photos, types the card, confirms it and accepts with one tap."""

from __future__ import annotations

from pathlib import Path

from domain.claim import ClaimStatus
from storage.db import Database
from tests.media_samples import jpeg_bytes
from tests.smallclaim_support import CARD, CARD_DIGITS, import_prices
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import telegram_bot
from tests.telegram.test_journey import report_journey
from tests.telegram.test_staff_journeys import Chat, texts


def test_a_single_car_claim_is_settled_on_telegram(
    database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(database, tmp_path, api, mode="webhook") as bot:
        import_prices(bot.container)
        owner = Chat(bot, api.user(5550101, language_code="zh-hans"))
        number = report_journey(bot, owner.user)
        sent = [m for m in api.sent if "小额快赔" in m.text]
        assert sent, "no fast-lane offer"
        assert f"f:go:{number}" in sent[-1].values

        parts = owner.tap(f"f:go:{number}")
        assert any(m.method == "sendmediagroup" for m in parts)  # the report's photos
        listed = parts[-1]
        assert f"f:part:{number}:rear_bumper" in listed.values
        owner.tap(f"f:part:{number}:rear_bumper")
        asked = owner.tap(f"f:done:{number}")
        assert "合计 1250.00 元" in texts(asked)[0]
        for n in range(3):
            asked = bot.turn(owner.user, lambda n=n: owner.user.photo(jpeg_bytes(seed=70 + n)))
        assert "银行卡号" in asked[-1].text
        shown = owner.text(CARD)[-1]
        assert CARD_DIGITS not in shown.text
        proposal = owner.tap(f"f:card:{number}")[-1]
        assert "本公司赔付 1250.00 元" in proposal.text
        assert f"f:acc:{number}:1" in proposal.values
        paying = owner.tap(f"f:acc:{number}:1")[-1]
        assert "付款指令已发出" in paying.text
        with bot.container.database.unit_of_work() as uow:
            claim = uow.claims.get(number)
        assert claim is not None and claim.status is ClaimStatus.AGREED
