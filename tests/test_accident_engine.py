"""The accident recorded in chat (parties, victims' losses, ratios, options) and split
payments, through the real engine and storage (SQLite and PostgreSQL)."""

from __future__ import annotations

from bot.bootstrap import Container
from domain.booking import BookingStatus
from domain.claim import ClaimStatus
from domain.settlement import Coverage
from tests.documents_support import complete_documents_in
from tests.test_adjudication_engine import (
    NUMBER,
    Party,
    book_repair,
    file_report,
    invite,
    stored,
)

OTHER = "苏B67890"


def _assigned(container: Container) -> tuple[Party, Party]:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container)}")
    file_report(owner)
    adjuster.choose(f"c:take:{NUMBER}")
    adjuster.text(f"/survey {NUMBER} remote")
    owner.news()
    adjuster.news()
    return owner, adjuster


def _lines(container: Container) -> list[tuple[str, str, int]]:
    settlement = stored(container).adjudication.current_settlement
    assert settlement is not None
    return [(x.payer, x.coverage.value, x.amount) for x in settlement.figures.lines]


def test_parties_losses_and_ratios_make_the_statement(container: Container) -> None:
    owner, adjuster = _assigned(container)
    assert adjuster.text(f"/party {NUMBER} 机动车 {OTHER} 平安 三者 1000000") == ["accident.card"]
    assert adjuster.text(f"/party {NUMBER} 非机动车 李四") == ["accident.card"]
    assert adjuster.text(f"/damage {NUMBER} {OTHER} 车损 3000") == ["accident.card"]
    assert adjuster.text(f"/damage {NUMBER} 李四 医疗 1000 李四 第三者") == ["accident.card"]
    assert adjuster.text(f"/ratio {NUMBER} 本车 60 {OTHER} 40 认定书 沪公交认字第123号") == [
        "accident.card"
    ]
    card = adjuster.last_text()
    assert "苏B67890（平安，有交强险，三者险 1,000,000.00 元）：责任 40%" in card
    assert "2. 李四 医疗费用 1,000.00 元（李四，第三者）" in card
    assert "交警事故认定书 沪公交认字第123号" in card
    adjuster.text(f"/loss {NUMBER} part 前保险杠 10000")
    assert stored(container).status is ClaimStatus.ASSESSED
    complete_documents_in(container, NUMBER, "owner")
    adjuster.text(f"/settle {NUMBER} owner")
    assert owner.news() == ["claims.owner.settlement"]
    assert "交强险（平安）财产损失：2,000.00 元" in owner.last_text()
    # The owner's car: 苏B67890's 交强险 (有责) 2,000, then 8,000 by the ratios: 40 % to
    # its 三者险, 60 % to the owner's 车损险.
    assert sorted(_lines(container)) == sorted(
        [
            (OTHER, Coverage.JIAOQIANG_PROPERTY.value, 200_000),
            (OTHER, Coverage.THIRD_PARTY.value, 320_000),
            ("沪A12345", Coverage.OWN_DAMAGE.value, 480_000),
        ]
    )
    settlement = stored(container).adjudication.current_settlement
    assert settlement is not None and settlement.figures.payout.fen == 480_000
    claim = stored(container)
    assert claim.adjudication.liability is not None
    assert claim.adjudication.liability.share == 60
    assert claim.adjudication.accident is not None
    assert claim.adjudication.accident.share_of(OTHER) == 40


def test_bad_input_is_answered_and_changes_nothing(container: Container) -> None:
    _, adjuster = _assigned(container)
    adjuster.text(f"/party {NUMBER} 机动车 {OTHER} 平安")
    adjuster.text(f"/party {NUMBER} 非机动车 李四")
    adjuster.text(f"/loss {NUMBER} part 前保险杠 10000")
    before = stored(container)
    refused = ["claims.refusal.accident_invalid"]
    assert adjuster.text(f"/ratio {NUMBER} 本车 60 {OTHER} 30 认定书") == refused
    assert "各方责任比例合计为 90%，应为 100%" in adjuster.last_text()
    assert adjuster.text(f"/damage {NUMBER} 李四 车损 500") == refused
    assert "李四 不是本案中的机动车" in adjuster.last_text()
    assert adjuster.text(f"/damage {NUMBER} 王五 医疗 500") == refused
    assert adjuster.text(f"/option {NUMBER} 全损 200000 5000") == refused
    assert "超过车损险保险金额 180,000.00 元" in adjuster.last_text()
    assert adjuster.text(f"/damage {NUMBER} {OTHER} 车损 -5") == ["claims.refusal.bad_amount"]
    assert adjuster.text(f"/ratio {NUMBER} 本车 一半") == ["accident.usage.ratio"]
    assert adjuster.text(f"/party {NUMBER} 飞机 X1") == ["accident.usage.party"]
    after = stored(container)
    assert after.adjudication == before.adjudication
    assert len(after.timeline) == len(before.timeline)


def test_subrogation_shows_a_receivable(container: Container) -> None:
    owner, adjuster = _assigned(container)
    adjuster.text(f"/party {NUMBER} 机动车 {OTHER} 平安")
    adjuster.text(f"/ratio {NUMBER} 本车 0 {OTHER} 100 协议")
    adjuster.text(f"/loss {NUMBER} part 后保险杠 5000")
    assert adjuster.choose(f"ac:sub:{NUMBER}") == ["accident.card"]
    assert "已选择代位求偿" in adjuster.last_text()
    complete_documents_in(container, NUMBER, "owner")
    adjuster.text(f"/settle {NUMBER} owner")
    settlement = stored(container).adjudication.current_settlement
    assert settlement is not None
    assert settlement.figures.payout.fen == 500_000  # paid at once by the own 车损险
    assert [(r.creditor, r.debtor, r.amount) for r in settlement.figures.receivables] == [
        ("沪A12345", OTHER, 500_000)
    ]
    # Turned off by the same button: the other side's insurer pays again, the proposal
    # waiting for the owner is withdrawn.
    owner.news()
    assert adjuster.choose(f"ac:sub:{NUMBER}") == ["accident.card"]
    assert owner.news() == ["claims.owner.proposal_withdrawn"]


def test_a_split_payment_leaves_the_rest_due(container: Container) -> None:
    owner, adjuster = _assigned(container)
    adjuster.text(f"/liability {NUMBER} 全责")
    adjuster.text(f"/loss {NUMBER} part 后保险杠 4800")
    complete_documents_in(container, NUMBER, "owner")
    adjuster.text(f"/settle {NUMBER} owner")
    owner.choose(f"c:acc:{NUMBER}:1")
    owner.news()
    assert adjuster.text(f"/advance {NUMBER} 1000 ADV-1") == ["accident.adjuster.part_paid"]
    assert "尚余 3,800.00 元" in adjuster.last_text()
    assert owner.news() == ["accident.owner.part_paid"]
    refused = ["claims.refusal.payment_invalid"]
    assert adjuster.text(f"/advance {NUMBER} 3800.01 ADV-2") == refused
    assert "尚余 3,800.00 元" in adjuster.last_text()
    assert adjuster.text(f"/paid {NUMBER} 4800 PAY-1") == ["claims.refusal.amount_mismatch"]
    claim = stored(container)
    assert claim.status is ClaimStatus.AGREED
    assert claim.adjudication.paid.fen == 100_000 and claim.adjudication.due.fen == 380_000
    assert adjuster.text(f"/paid {NUMBER} 3800 PAY-1") == ["claims.adjuster.paid"]
    claim = stored(container)
    assert claim.status is ClaimStatus.PAID
    assert claim.adjudication.paid.fen == 480_000 and claim.adjudication.due.fen == 0
    assert [c.action for c in claim.timeline][-2:] == ["pay_part", "pay"]


def test_a_part_that_pays_all_of_a_direct_repair_waits_for_the_repair(
    container: Container,
) -> None:
    owner, adjuster = _assigned(container)
    adjuster.text(f"/liability {NUMBER} 全责")
    adjuster.text(f"/loss {NUMBER} part 后保险杠 4800")
    complete_documents_in(container, NUMBER, "shop")
    adjuster.text(f"/settle {NUMBER} shop")
    owner.choose(f"c:acc:{NUMBER}:1")
    assert adjuster.text(f"/advance {NUMBER} 1000 ADV-1") == ["accident.adjuster.part_paid"]
    refused = ["claims.refusal.repair_not_accepted"]
    assert adjuster.text(f"/advance {NUMBER} 3800 ADV-2") == refused
    assert stored(container).adjudication.paid.fen == 100_000
    book_repair(container, BookingStatus.ACCEPTED)
    assert adjuster.text(f"/advance {NUMBER} 3800 ADV-2") == ["accident.adjuster.part_paid"]
    assert stored(container).status is ClaimStatus.PAID
