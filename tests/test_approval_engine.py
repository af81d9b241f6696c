"""Second approval (核赔), appeals and repeated disputes, through the real engine and
storage (SQLite and PostgreSQL): an owner, an adjuster and a supervisor as web chat users.
"""

from __future__ import annotations

import re

from bot.bootstrap import Container
from domain.adjudication import ProposalOutcome
from domain.claim import ClaimStatus
from tests.documents_support import complete_documents_in
from tests.test_adjudication_engine import NUMBER, Party, file_report, invite, stored


def _cast(container: Container) -> tuple[Party, Party, Party]:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    supervisor = Party(container, "supervisor-web-01")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    # The directory's supervisor (SUP-SH-01) binds this web chat instead of Telegram.
    supervisor.text(f"/bind {invite(container, 'SUP-SH-01', name='赵主管')}")
    file_report(owner)
    adjuster.text(f"/take {NUMBER}")
    for party in (owner, adjuster, supervisor):
        party.news()
    return owner, adjuster, supervisor


def _assess(adjuster: Party, amount: str) -> None:
    adjuster.text(f"/survey {NUMBER} remote")
    adjuster.text(f"/liability {NUMBER} 全责 单方事故")
    adjuster.text(f"/loss {NUMBER} part 后保险杠总成 {amount}")


def _choices(party: Party) -> list[str]:
    return [c["value"] for c in party.last_payload()["choices"]]


def test_a_large_proposal_waits_for_the_supervisor(container: Container) -> None:
    owner, adjuster, supervisor = _cast(container)
    _assess(adjuster, "15000.00")
    owner.news()
    adjuster.news()

    complete_documents_in(container, NUMBER, "owner")
    assert adjuster.text(f"/settle {NUMBER} owner") == ["approval.held"]
    assert "超过核赔限额 10,000.00 元" in adjuster.last_text()
    assert owner.news() == []  # the owner hears of it only once approved
    assert supervisor.news() == ["approval.card"]
    assert "理赔员 王建国" in supervisor.last_text()
    assert _choices(supervisor) == [f"ap:ok:{NUMBER}", f"ap:back:{NUMBER}"]
    # Held: the owner cannot answer it, and the status shows no proposal.
    assert owner.choose(f"c:acc:{NUMBER}:1") == ["claims.refusal.stale_proposal"]
    assert owner.text(f"/accept {NUMBER}") == ["claims.refusal.stale_proposal"]
    owner.text("/status")
    assert "方案赔付" not in owner.last_text() and owner.last_payload()["choices"] == []
    owner.news()
    # Only a supervisor approves, and not by the adjuster's hand.
    assert adjuster.choose(f"ap:ok:{NUMBER}") == ["claims.refusal.not_supervisor"]
    assert adjuster.text(f"/approve {NUMBER}") == ["claims.refusal.not_supervisor"]

    # Sent back with a reason: the adjuster hears why; the proposal is withdrawn.
    assert supervisor.choose(f"ap:back:{NUMBER}") == ["approval.ask_send_back"]
    assert supervisor.text("好") == ["claims.refusal.reason_required", "approval.ask_send_back"]
    assert supervisor.text("配件价格偏高，请按 4S 店报价复核") == ["approval.sent_back_done"]
    assert adjuster.news()[-1] == "approval.sent_back"
    assert "配件价格偏高" in adjuster.last_text()
    assert stored(container).adjudication.settlements[0].outcome is ProposalOutcome.SUPERSEDED
    assert supervisor.choose(f"ap:ok:{NUMBER}") == ["claims.refusal.nothing_to_approve"]
    assert owner.news() == []

    # Revised and proposed again: approved, it reaches the owner, who can accept it.
    complete_documents_in(container, NUMBER, "owner")
    adjuster.text(f"/settle {NUMBER} owner")
    assert supervisor.news()[-1] == "approval.card"
    assert supervisor.text(f"/approve {NUMBER}") == ["approval.done"]
    assert owner.news() == ["claims.owner.settlement"]
    assert _choices(owner) == [f"c:acc:{NUMBER}:2", f"c:dis:{NUMBER}:2"]
    assert adjuster.news()[-1] == "approval.approved"
    assert owner.choose(f"c:acc:{NUMBER}:2") == ["claims.owner.accepted"]

    claim = stored(container)
    assert claim.status is ClaimStatus.AGREED
    actions = [c.action for c in claim.timeline]
    assert actions[-7:] == [
        "settle",
        "hold_settle",
        "send_back",
        "settle",
        "hold_settle",
        "approve",
        "accept",
    ]
    assert claim.timeline[-2].actor == "adjuster:SUP-SH-01"


def test_a_small_proposal_goes_straight_to_the_owner(container: Container) -> None:
    owner, adjuster, supervisor = _cast(container)
    _assess(adjuster, "1200.00")
    owner.news()
    complete_documents_in(container, NUMBER, "owner")
    adjuster.text(f"/settle {NUMBER} owner")
    assert owner.news() == ["claims.owner.settlement"]
    assert supervisor.news() == []


def test_a_rejection_is_approved_then_appealed(container: Container) -> None:
    owner, adjuster, supervisor = _cast(container)
    assert adjuster.text(f"/reject {NUMBER} 驾驶人无有效驾驶证") == ["approval.held"]
    assert owner.news() == []
    assert stored(container).status is ClaimStatus.ASSIGNED
    assert supervisor.news() == ["approval.card"]
    assert "驾驶人无有效驾驶证" in supervisor.last_text()

    assert supervisor.choose(f"ap:ok:{NUMBER}") == ["approval.done"]
    assert owner.news() == ["approval.owner_rejected"]
    notice = owner.last_text()
    assert "原因：驾驶人无有效驾驶证" in notice and "申诉" in notice
    assert re.search(r"(^|\s)/[a-z]", notice) is None  # no commands named to the owner
    assert _choices(owner) == [f"ap:appeal:{NUMBER}"]
    assert supervisor.choose(f"ap:ok:{NUMBER}") == ["claims.refusal.nothing_to_approve"]

    assert owner.choose(f"ap:appeal:{NUMBER}") == ["approval.ask_appeal"]
    assert owner.choose(f"ap:cancel:{NUMBER}") == ["approval.cancelled"]
    assert owner.choose(f"ap:appeal:{NUMBER}") == ["approval.ask_appeal"]
    assert owner.text("驾驶证当天在有效期内，有照片为证") == ["approval.appeal_received"]
    assert supervisor.news()[-1] == "approval.appeal"
    assert "驾驶证当天在有效期内" in supervisor.last_text()
    assert owner.choose(f"ap:appeal:{NUMBER}") == ["claims.refusal.already_appealed"]

    claim = stored(container)
    assert claim.status is ClaimStatus.REJECTED
    assert [c.action for c in claim.timeline][-4:] == ["hold_reject", "approve", "reject", "appeal"]
    # The owner's appeal button does not work for anyone else.
    assert adjuster.choose(f"ap:appeal:{NUMBER}") == ["claims.refusal.unknown_claim"]


def test_a_supervisor_does_not_approve_their_own_rejection(container: Container) -> None:
    owner = Party(container, "owner-web-0001")
    supervisor = Party(container, "supervisor-web-01")
    supervisor.text(f"/bind {invite(container, 'SUP-SH-01', name='赵主管')}")
    file_report(owner)
    supervisor.text(f"/take {NUMBER}")
    assert supervisor.text(f"/reject {NUMBER} 非保险事故") == ["approval.held"]
    assert "目前没有主管在聊天中绑定" in supervisor.last_text()  # the only one is them
    assert supervisor.text(f"/approve {NUMBER}") == ["claims.refusal.own_decision"]
    assert stored(container).status is ClaimStatus.ASSIGNED


def test_a_second_dispute_goes_to_the_supervisor(container: Container) -> None:
    owner, adjuster, supervisor = _cast(container)
    _assess(adjuster, "1200.00")
    complete_documents_in(container, NUMBER, "owner")
    adjuster.text(f"/settle {NUMBER} owner")
    owner.choose(f"c:dis:{NUMBER}:1")
    owner.text("配件价格偏低")
    assert adjuster.news()[-1] == "claims.adjuster.disputed"
    assert supervisor.news() == []
    complete_documents_in(container, NUMBER, "shop")
    adjuster.text(f"/settle {NUMBER} shop")
    owner.choose(f"c:dis:{NUMBER}:2")
    owner.text("还是偏低，4S 店报价 2000 元")
    assert adjuster.news()[-1] == "claims.adjuster.disputed"
    assert supervisor.news() == ["approval.dispute_again"]
    assert "还是偏低" in supervisor.last_text()
