"""小额快赔 on WeChat, by numbers (WeChat has no buttons): a single-car claim reported in the
account is offered the fast lane, the owner picks the part, sends the documents as images,
types the card and accepts by typing the numbers of the lists; one payment instruction."""

from __future__ import annotations

import json
from pathlib import Path

from bot.smallclaim_services import payment_file
from domain.claim import ClaimStatus
from storage.db import Database
from tests.smallclaim_support import CARD, CARD_DIGITS, import_prices
from tests.wechat.rig import number_of, wechat_rig
from tests.wechat.test_journey import OWNER, report


def test_a_single_car_claim_is_settled_on_wechat_by_numbers(
    database: Database, tmp_path: Path
) -> None:
    with wechat_rig(database, tmp_path / "media") as rig:
        import_prices(rig.container)
        number = report(rig)
        offer = rig.api.texts(OWNER)[-1]
        assert "小额快赔" in offer and "1. 没有，开始小额快赔" in offer

        parts = rig.say(OWNER, number_of(offer, "没有，开始小额快赔"))[-1]
        assert "请点选车辆受损的部位" in parts
        picked = rig.say(OWNER, number_of(parts, "后保险杠"))[-1]
        assert "已选：后保险杠" in picked
        asked = rig.say(OWNER, number_of(picked, "选好了"))
        assert "合计 1250.00 元" in asked[-2] and "驾驶证" in asked[-1]
        for n in range(3):
            rig.add_media(f"doc-{n}", "photo", seed=50 + n)
            rig.wechat.image(OWNER, f"doc-{n}")
            rig.settle()
        assert "银行卡号" in rig.api.texts(OWNER)[-1]
        shown = rig.say(OWNER, CARD)[-1]
        assert CARD_DIGITS not in shown and "622202" in shown
        proposal = rig.say(OWNER, number_of(shown, "确认收款账户"))[-1]
        assert "本公司赔付 1250.00 元" in proposal
        paying = rig.say(OWNER, number_of(proposal, "接受方案"))[-1]
        assert "付款指令已发出" in paying

        with rig.container.database.unit_of_work() as uow:
            claim = uow.claims.get(number)
        assert claim is not None and claim.status is ClaimStatus.AGREED
        lines = payment_file(rig.container.settings).read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["claim_number"] for line in lines] == [number]
