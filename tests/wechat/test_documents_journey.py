"""The documents checklist through WeChat in safe (AES) mode: the adjuster (pre-bound as
oADJ_chenjing) asks once for every document; the owner sends a photo and picks, by its
number, which document it is; the adjuster waives the rest; the proposal then goes out."""

from __future__ import annotations

from pathlib import Path

from domain.claim_documents import claim_checklist
from domain.documents import Document
from storage.db import Database
from tests.wechat.rig import wechat_rig
from tests.wechat.test_journey import OWNER, report
from tests.wechat.test_staff_journeys import ADJUSTER, Follower


def test_documents_asked_filed_and_waived_through_wechat(
    database: Database, tmp_path: Path
) -> None:
    with wechat_rig(database, tmp_path / "media", mode="safe") as rig:
        adjuster = Follower(rig, ADJUSTER)
        adjuster.say("/cases")
        number = report(rig)
        owner = Follower(rig, OWNER)
        card = adjuster.news()
        adjuster.pick(card[0], f"接案 {number}")
        adjuster.say(f"/survey {number} remote")
        adjuster.say(f"/liability {number} 全责 追尾")
        adjuster.say(f"/loss {number} part 后保险杠 1200.00")
        owner.news()

        assert "一次性通知车主" in adjuster.say(f"/docs {number} owner")[0]
        asked = owner.news()
        assert len(asked) == 1 and "驾驶证" in asked[0] and "银行卡" in asked[0]
        assert "单证还不齐全" in adjuster.say(f"/settle {number} owner")[0]

        rig.add_media("licence-1", "photo", seed=31)
        rig.wechat.image(OWNER, "licence-1")
        pick = owner.news()
        assert "请选择这是哪一项单证" in pick[-1]
        filed = owner.pick(pick[-1], "驾驶证")
        assert filed[0].startswith("已收到您的驾驶证")
        forwarded = adjuster.news()
        assert any("车主提交了驾驶证" in text for text in forwarded)
        assert rig.api.kinds(ADJUSTER)[-1] == "image"  # the photo itself, forwarded

        for position in range(2, 7):
            adjuster.say(f"/waive {number} {position} 远程查勘已核实")
        assert "已全部齐全" in owner.news()[-1]
        assert "1,200.00" in adjuster.say(f"/settle {number} owner")[0]
        assert "1,200.00" in owner.news()[-1]

    with database.unit_of_work() as uow:
        claim = uow.claims.get(number)
    assert claim is not None
    checklist = claim_checklist(claim)
    assert checklist is not None and checklist.complete_at is not None
    assert list(checklist.received) == [Document.DRIVING_LICENCE]
