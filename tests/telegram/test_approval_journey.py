"""Second approval (核赔) and appeal through Telegram (webhook mode): the adjuster
(900001) rejects, the directory's supervisor (900002) approves with the card's button, the
owner gets the notice with its appeal button and appeals in words."""

from __future__ import annotations

from pathlib import Path

from domain.claim import ClaimStatus
from storage.db import Database
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import telegram_bot
from tests.telegram.test_journey import report_journey
from tests.telegram.test_staff_journeys import ADJUSTER_ID, Chat, texts

SUPERVISOR_ID = 900002  # examples/directory.yaml: SUP-SH-01 赵主管


def test_a_rejection_approved_and_appealed_through_telegram(
    database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(database, tmp_path, api, mode="webhook") as bot:
        owner = Chat(bot, api.user(5550101, language_code="zh-hans"))
        adjuster = Chat(bot, api.user(ADJUSTER_ID, language_code="zh-hans"))
        supervisor = Chat(bot, api.user(SUPERVISOR_ID, language_code="zh-hans"))
        number = report_journey(bot, owner.user)
        adjuster.tap(f"c:take:{number}")
        owner.news()
        supervisor.news()

        held = adjuster.text(f"/reject {number} 驾驶人无有效驾驶证")
        assert "提交主管核赔" in texts(held)[0]
        assert owner.news() == []
        card = supervisor.news()[-1]
        assert "驾驶人无有效驾驶证" in card.text
        assert card.values == [f"ap:ok:{number}", f"ap:back:{number}"]

        assert "已批准" in texts(supervisor.tap(f"ap:ok:{number}"))[0]
        notice = owner.news()[-1]
        assert "原因：驾驶人无有效驾驶证" in notice.text and "申诉" in notice.text
        assert notice.values == [f"ap:appeal:{number}"]

        owner.tap(f"ap:appeal:{number}")
        received = owner.text("驾驶证当天在有效期内，有照片为证")
        assert "已转交理赔主管" in texts(received)[0]
        appeal = supervisor.news()[-1]
        assert "驾驶证当天在有效期内" in appeal.text

    with database.unit_of_work() as uow:
        claim = uow.claims.get(number)
    assert claim is not None and claim.status is ClaimStatus.REJECTED
    assert [c.action for c in claim.timeline][-4:] == ["hold_reject", "approve", "reject", "appeal"]
