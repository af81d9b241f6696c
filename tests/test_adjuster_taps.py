"""An adjuster takes a normal case from 接案 to payment by buttons and short answers, no
slash command typed; each card names the buttons, not commands; an unreadable answer is
asked again; a button of a claim that moved on is refused and changes nothing."""

from __future__ import annotations

from bot.bootstrap import Container
from domain.claim import ClaimStatus
from tests.documents_support import complete_documents_in
from tests.test_adjudication_engine import NUMBER, Party, file_report, invite, stored


def buttons(party: Party) -> list[str]:
    return [c["value"] for c in party.last_payload()["choices"]]


def test_a_normal_case_needs_no_slash_command(container: Container) -> None:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")  # staff onboarding, once
    file_report(owner)
    adjuster.news()

    assert adjuster.choose(f"c:take:{NUMBER}") == ["claims.adjuster.took"]
    took = adjuster.last_text()
    assert "下一步：点“远程查勘”或“安排现场查勘”。" in took and "/" not in took.split("远程查勘")[0]
    assert buttons(adjuster) == [f"cs:remote:{NUMBER}", f"cs:onsite:{NUMBER}"]

    assert adjuster.choose(f"cs:onsite:{NUMBER}") == ["claims.step.ask.onsite"]
    assert adjuster.last_text().startswith(f"案件 {NUMBER}：请输入现场查勘的时间和地点")
    assert adjuster.text("随便") == ["claims.step.unclear", "claims.step.ask.onsite"]
    assert stored(container).status is ClaimStatus.ASSIGNED  # nothing changed
    assert adjuster.text("明天上午10点 浦东新区世纪大道100号") == [
        "claims.adjuster.survey_scheduled"
    ]
    assert "之后：点“认定责任”“录入定损”。" in adjuster.last_text()
    assert buttons(adjuster)[:2] == [f"cs:liability:{NUMBER}", f"cs:loss:{NUMBER}"]
    survey = stored(container).adjudication.survey
    assert survey is not None and survey.place == "浦东新区世纪大道100号"

    adjuster.choose(f"cs:liability:{NUMBER}")
    assert adjuster.text("全责 单方事故") == ["claims.adjuster.liability_recorded"]
    assert buttons(adjuster) == [f"cs:loss:{NUMBER}"]
    adjuster.choose(f"cs:loss:{NUMBER}")
    assert adjuster.text("配件 后保险杠 1200") == ["claims.adjuster.loss"]
    assert buttons(adjuster) == [f"cs:loss:{NUMBER}", f"cs:owner:{NUMBER}", f"cs:shop:{NUMBER}"]
    adjuster.choose(f"cs:loss:{NUMBER}")
    assert adjuster.text("工时 拆装 300") == ["claims.adjuster.loss"]
    assert "点“方案：赔付车主”或“方案：直赔修理厂”" in adjuster.last_text()

    # documents first: the refusal carries the buttons that ask the owner for them
    assert adjuster.choose(f"cs:owner:{NUMBER}") == ["claims.refusal.documents_missing"]
    assert "点下方按钮一次性告知" in adjuster.last_text()
    assert buttons(adjuster) == [f"cs:docs_owner:{NUMBER}", f"cs:docs_shop:{NUMBER}"]
    owner.news()
    adjuster.choose(f"cs:docs_owner:{NUMBER}")
    assert owner.news()[-1].startswith("documents.")  # the one checklist, to the owner
    complete_documents_in(container, NUMBER, "owner")
    owner.news()
    assert adjuster.choose(f"cs:owner:{NUMBER}")[0] == "claims.adjuster.settlement_proposed"
    proposal = [c["value"] for c in owner.last_payload()["choices"]]
    owner.choose(proposal[0])  # the owner accepts
    adjuster.news()
    assert "请点“登记付款”" in adjuster.last_text()
    assert buttons(adjuster) == [f"cs:paid:{NUMBER}"]
    adjuster.choose(f"cs:paid:{NUMBER}")
    assert adjuster.text("1500 ZP20261207001") == ["claims.adjuster.paid"]
    assert stored(container).status is ClaimStatus.PAID


def test_a_step_button_of_a_claim_that_moved_on_is_refused(container: Container) -> None:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    file_report(owner)
    adjuster.choose(f"c:take:{NUMBER}")
    assert adjuster.choose(f"cs:remote:{NUMBER}") == ["claims.adjuster.survey_scheduled"]
    before = stored(container)
    # a payment before any proposal: refused at the tap, nothing asked, nothing changed
    assert adjuster.choose(f"cs:paid:{NUMBER}") == ["claims.refusal.wrong_stage"]
    assert stored(container).timeline == before.timeline
    # someone else's claim
    other = Party(container, "adjuster-web-0002")
    other.text(f"/bind {invite(container, 'ADJ-SH-02', name='陈静')}")
    assert other.choose(f"cs:loss:{NUMBER}")[0].startswith("claims.refusal.")
    # cancelling a step that waits
    adjuster.choose(f"cs:loss:{NUMBER}")
    assert adjuster.choose(f"cs:cancel:{NUMBER}") == ["claims.step.cancelled"]
    assert adjuster.text("配件 后保险杠 1200") != ["claims.adjuster.loss"]
    assert stored(container).adjudication.loss_items == []
