"""The adjuster's commands and the owner's answers, turn by turn, without a database.

An owner (party 1) and adjusters (parties 21, 22) share one fake unit of work; every
reply and notice is rendered in its locale, so a missing template parameter fails here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialogs.conversation import Conversation
from dialogs.messages import InboundKind, MediaItem, Outbound
from domain.claim import Claim, ClaimStatus
from domain.services import create_invite
from domain.staff import Adjuster, StaffRole
from tests.dialogs.driver import DialogDriver
from tests.fakes import FakeUnitOfWork

NUMBER = "BA2026112500001"
WANG = Adjuster(1, "ADJ-SH-01", "王建国", "上海", party_id=21)
CHEN = Adjuster(2, "ADJ-SH-02", "陈静", "上海", party_id=22)


def party(
    uow: FakeUnitOfWork, party_id: int, owner: DialogDriver | None = None, locale: str = "zh_CN"
) -> DialogDriver:
    driver = DialogDriver(locale=locale, uow=uow)
    driver.conv = Conversation(party_id=party_id, locale=locale)
    if owner is not None:
        driver.clock = owner.clock
    return driver


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(adjusters=[WANG, CHEN])


@pytest.fixture
def owner(uow: FakeUnitOfWork) -> DialogDriver:
    driver = party(uow, 1)
    driver.fill_report()
    driver.choose("r:summary:confirm")
    return driver


@pytest.fixture
def wang(uow: FakeUnitOfWork, owner: DialogDriver) -> DialogDriver:
    return party(uow, 21, owner)


@pytest.fixture
def chen(uow: FakeUnitOfWork, owner: DialogDriver) -> DialogDriver:
    return party(uow, 22, owner, locale="en")


def claim_of(uow: FakeUnitOfWork) -> Claim:
    claim = uow.claims.get(NUMBER)
    assert claim is not None
    return claim


def addressed(replies: list[Outbound]) -> list[tuple[int | None, str]]:
    return [(reply.to_party, reply.key) for reply in replies]


def test_a_filed_report_pages_the_adjusters_with_a_card(owner: DialogDriver) -> None:
    assert addressed(owner.replies) == [
        (None, "report.filed"),
        (21, "claims.handoff.card"),
        (22, "claims.handoff.card"),
    ]
    card = owner.replies[1]
    assert card.attachments == (100, 101, 102)
    assert [c.value for c in card.choices] == [f"c:take:{NUMBER}"]
    assert [check["verdict"] for check in card.params["checks"]] == ["no_metadata"] * 3
    assert "uri.amap.com/marker?position=121.4737,31.2304" in owner.texts[1]
    assert owner.offered == ["start:report"]  # the card's button is offered to them, not us


def test_taking_from_the_card_tells_the_owner_and_the_others(
    owner: DialogDriver, wang: DialogDriver, chen: DialogDriver, uow: FakeUnitOfWork
) -> None:
    wang.choose(f"c:take:{NUMBER}")  # a button from a notice: checked against the claim
    assert addressed(wang.replies) == [
        (None, "claims.adjuster.took"),
        (1, "claims.owner.taken"),
        (22, "claims.handoff.taken"),
    ]
    assert "王建国" in wang.texts[1]
    chen.choose(f"c:take:{NUMBER}")
    assert chen.keys == ["claims.refusal.already_taken"]
    assert "王建国 has already taken" in chen.texts[0]
    assert claim_of(uow).adjuster_id == WANG.id


def test_staff_commands_from_an_unbound_person_change_nothing(
    owner: DialogDriver, uow: FakeUnitOfWork
) -> None:
    before = len(claim_of(uow).timeline)
    for command in (
        f"/take {NUMBER}",
        "/take",
        f"/loss {NUMBER} part bumper -5",
        f"/paid {NUMBER} 1 X",
        "/cases",
        f"/case {NUMBER}",
    ):
        owner.text(command)
        assert owner.keys == ["claims.refusal.not_staff"], command
    owner.choose(f"c:take:{NUMBER}")
    assert owner.keys == ["claims.refusal.not_staff"]
    assert len(claim_of(uow).timeline) == before
    assert claim_of(uow).adjuster_id is None


@pytest.mark.parametrize(
    ("command", "key"),
    [
        ("/take", "claims.usage.take"),
        ("/take BA123", "claims.refusal.unknown_claim"),
        ("/take BA2026112599999", "claims.refusal.unknown_claim"),
        (f"/survey {NUMBER}", "claims.usage.survey"),
        (f"/survey {NUMBER} onsite 明天 10:00", "claims.usage.survey"),
        (f"/survey {NUMBER} onsite 张江路", "claims.usage.survey"),
        (f"/survey {NUMBER} teleport", "claims.usage.survey"),
        (f"/survey {NUMBER} remote 张江路", "claims.usage.survey"),
        (f"/survey {NUMBER} onsite 昨天 10:00 张江路", "claims.refusal.bad_survey_time"),
        (f"/liability {NUMBER} 一半", "claims.usage.liability"),
        (f"/liability {NUMBER} 主责", "claims.refusal.wrong_stage"),
        (f"/loss {NUMBER} part 后保险杠 -1200", "claims.refusal.bad_amount"),
        (f"/loss {NUMBER} part 后保险杠 一千二", "claims.refusal.bad_amount"),
        (f"/loss {NUMBER} part 后保险杠 12.345", "claims.refusal.bad_amount"),
        (f"/loss {NUMBER} part 后保险杠 0", "claims.refusal.bad_amount"),
        (f"/loss {NUMBER} part 1200", "claims.usage.loss"),
        (f"/loss {NUMBER} wheel 轮毂 100", "claims.usage.loss"),
        (f"/loss {NUMBER} del x", "claims.usage.loss"),
        (f"/loss {NUMBER} part 后保险杠 1200", "claims.refusal.wrong_stage"),
        (f"/settle {NUMBER}", "claims.usage.settle"),
        (f"/settle {NUMBER} bank", "claims.usage.settle"),
        (f"/settle {NUMBER} owner", "claims.refusal.wrong_stage"),
        (f"/paid {NUMBER} 100", "claims.usage.paid"),
        (f"/paid {NUMBER} abc REF", "claims.refusal.bad_amount"),
        (f"/paid {NUMBER} 100 REF", "claims.refusal.wrong_stage"),
        (f"/reject {NUMBER}", "claims.usage.reject"),
        (f"/reject {NUMBER} x", "claims.refusal.reason_required"),
        (f"/ask {NUMBER}", "claims.usage.ask"),
        (f"/take {NUMBER}", "claims.refusal.already_yours"),
        (f"/case {NUMBER} extra", "claims.usage.case"),
    ],
)
def test_bad_staff_input_is_answered_and_changes_nothing(
    wang: DialogDriver, uow: FakeUnitOfWork, command: str, key: str
) -> None:
    wang.text(f"/take {NUMBER}")
    before = (len(claim_of(uow).timeline), claim_of(uow).status)
    wang.text(command)
    assert wang.keys == [key]
    assert wang.texts[0]
    assert (len(claim_of(uow).timeline), claim_of(uow).status) == before


def test_someone_elses_claim(wang: DialogDriver, chen: DialogDriver, uow: FakeUnitOfWork) -> None:
    chen.text(f"/survey {NUMBER} remote")
    assert chen.keys == ["claims.refusal.not_taken"]
    wang.text(f"/take {NUMBER}")
    chen.text(f"/survey {NUMBER} remote")
    assert chen.keys == ["claims.refusal.not_your_claim"]
    assert "王建国" in chen.texts[0]
    assert claim_of(uow).status is ClaimStatus.ASSIGNED


def test_survey_ask_and_the_owners_evidence(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    wang.text(f"/take {NUMBER}")
    wang.text(f"/survey {NUMBER} onsite 明天 10:00 浦东新区张江路 88 号")
    assert addressed(wang.replies) == [
        (None, "claims.adjuster.survey_scheduled"),
        (1, "claims.owner.survey"),
    ]
    assert "2026年11月26日 10:00" in wang.texts[1] and "张江路 88 号" in wang.texts[1]
    owner.send(InboundKind.MEDIA, media=(MediaItem(500, "photo"),))
    assert owner.keys == ["idle.media_kept", "idle.prompt"]  # nobody asked: kept for a report
    wang.text(f"/ask {NUMBER} 请补拍后保险杠")
    assert addressed(wang.replies) == [
        (None, "claims.adjuster.asked"),
        (1, "claims.owner.evidence_requested"),
    ]
    owner.send(InboundKind.MEDIA, media=(MediaItem(501, "photo"), MediaItem(502, "video")))
    assert addressed(owner.replies) == [
        (None, "claims.owner.evidence_attached"),
        (21, "claims.adjuster.evidence_received"),
    ]
    assert owner.replies[1].attachments == (501, 502)
    owner.text("保险杠已经拆下来了")
    assert addressed(owner.replies) == [
        (None, "claims.owner.message_forwarded"),
        (21, "claims.adjuster.owner_message"),
    ]
    assert [e.media_id for e in claim_of(uow).report.evidence][-2:] == [501, 502]


def settle(wang: DialogDriver) -> None:
    wang.text(f"/take {NUMBER}")
    wang.text(f"/survey {NUMBER} remote")
    wang.text(f"/liability {NUMBER} 主责 对方变道")
    wang.text(f"/loss {NUMBER} part 后保险杠 1200.00")
    wang.text(f"/settle {NUMBER} owner")


def test_settle_dispute_revise_accept_and_pay(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    settle(wang)
    proposal = wang.replies[1]
    assert (proposal.to_party, proposal.key) == (1, "claims.owner.settlement")
    assert [c.value for c in proposal.choices] == [f"c:acc:{NUMBER}:1", f"c:dis:{NUMBER}:1"]
    assert "本公司赔付：1200.00 元" in wang.texts[1]
    owner.choose(f"c:dis:{NUMBER}:1")
    assert owner.keys == ["claims.owner.dispute_reason"]
    owner.send(InboundKind.LOCATION, payload={"lat": 1.0, "lon": 2.0})
    assert owner.keys == ["claims.owner.dispute_text_only", "claims.owner.dispute_reason"]
    owner.text("配件价格偏低")
    assert addressed(owner.replies) == [
        (None, "claims.owner.disputed"),
        (21, "claims.adjuster.disputed"),
    ]
    assert owner.conv.dialog is None
    wang.text(f"/loss {NUMBER} labour 拆装 150")
    wang.text(f"/settle {NUMBER} shop")
    owner.choose(f"c:acc:{NUMBER}:1")
    assert owner.keys == ["claims.refusal.stale_proposal"]
    owner.text("/status")
    assert [c.value for c in owner.last.choices] == [f"c:acc:{NUMBER}:2", f"c:dis:{NUMBER}:2"]
    owner.text("2")  # WeChat: a number answers the offered choice
    assert owner.keys == ["claims.owner.dispute_reason"]
    owner.text("/cancel")
    assert owner.keys == ["claims.owner.dispute_cancelled"]
    owner.text(f"/accept {NUMBER}")
    assert addressed(owner.replies) == [
        (None, "claims.owner.accepted"),
        (21, "claims.adjuster.accepted"),
    ]
    assert claim_of(uow).status is ClaimStatus.AGREED
    wang.text(f"/paid {NUMBER} 1000.00 REF-1")
    assert wang.keys == ["claims.refusal.amount_mismatch"]
    wang.text(f"/paid {NUMBER} 1350.00 REF-2026-0001")
    assert addressed(wang.replies) == [(None, "claims.adjuster.paid"), (1, "claims.owner.paid")]
    assert claim_of(uow).status is ClaimStatus.PAID
    wang.text(f"/loss {NUMBER} part 轮毂 100")
    assert wang.keys == ["claims.refusal.wrong_stage"]
    wang.text(f"/case {NUMBER}")
    assert "记录支付" in wang.texts[0] and "REF-2026-0001" in wang.texts[0]


def test_a_dispute_button_during_a_new_report_keeps_the_report(
    owner: DialogDriver, wang: DialogDriver
) -> None:
    settle(wang)
    owner.text("/report")
    owner.choose(f"c:dis:{NUMBER}:1")
    assert owner.keys == ["claims.owner.dispute_by_command", "report.ask.plate"]
    owner.text(f"/dispute {NUMBER} 太低了")
    assert owner.keys[0] == "claims.owner.disputed" and owner.keys[-1] == "report.ask.plate"


def test_withdraw_and_reject_close_the_claim(
    owner: DialogDriver, wang: DialogDriver, chen: DialogDriver, uow: FakeUnitOfWork
) -> None:
    owner.text(f"/withdraw {NUMBER}")
    assert owner.keys == ["claims.usage.withdraw"]
    other = party(uow, 2, owner)
    other.text(f"/withdraw {NUMBER} 不想要了")
    assert other.keys == ["claims.refusal.unknown_claim"]  # someone else's: as if unknown
    owner.text(f"/withdraw {NUMBER} 已私了")
    assert addressed(owner.replies) == [
        (None, "claims.owner.withdrawn"),
        (21, "claims.adjuster.withdrawn"),  # nobody took it: the paged adjusters hear
        (22, "claims.adjuster.withdrawn"),
    ]
    wang.choose(f"c:take:{NUMBER}")
    assert wang.keys == ["claims.refusal.wrong_stage"]
    assert claim_of(uow).status is ClaimStatus.WITHDRAWN


def test_reject_tells_the_owner_the_reason(owner: DialogDriver, wang: DialogDriver) -> None:
    wang.text(f"/take {NUMBER}")
    wang.text(f"/reject {NUMBER} 事故不在保险责任范围内")
    assert addressed(wang.replies) == [
        (None, "claims.adjuster.rejected"),
        (1, "claims.owner.rejected"),
    ]
    assert "不在保险责任范围内" in wang.texts[1]


def test_status_and_cases(owner: DialogDriver, wang: DialogDriver) -> None:
    owner.text("/status")
    assert owner.keys == ["claims.owner.status"]
    assert "已报案" in owner.texts[0] and "等待理赔员接案" in owner.texts[0]
    wang.text("/cases")
    assert wang.keys == ["claims.adjuster.cases"]
    assert [c.value for c in wang.last.choices] == [f"c:take:{NUMBER}"]
    wang.text(f"/take {NUMBER}")
    wang.text("/cases")
    assert NUMBER in wang.texts[0] and wang.last.choices == ()
    stranger = party(FakeUnitOfWork(), 5)
    stranger.text("/status")
    assert stranger.keys == ["claims.owner.status_empty"]


def test_bind_with_an_invite(uow: FakeUnitOfWork) -> None:
    code, _ = create_invite(
        uow, role=StaffRole.ADJUSTER, name="赵六", now=DialogDriver().clock.now(), region="上海"
    )
    person = party(uow, 30)
    person.text("/bind")
    assert person.keys == ["claims.usage.bind"]
    person.text("/bind WRONG-CODE-0000")
    assert person.keys == ["claims.refusal.invalid_invite"]
    person.text(f"/bind {code}")
    assert person.keys == ["claims.adjuster.bound"]
    assert "赵六" in person.texts[0]
    person.text("/help")
    assert person.keys[0] == "claims.help.staff"
    person.text(f"/bind {code}")
    assert person.keys == ["claims.refusal.already_staff"]


def test_an_expired_invite_binds_nobody(uow: FakeUnitOfWork) -> None:
    person = party(uow, 30)
    code, _ = create_invite(uow, role=StaffRole.ADJUSTER, name="赵六", now=person.clock.now())
    person.clock.advance(timedelta(hours=25))
    person.text(f"/bind {code}")
    assert person.keys == ["claims.refusal.invalid_invite"]
    assert uow.staff.adjuster_for_party(30) is None


def test_english_answers(owner: DialogDriver, chen: DialogDriver) -> None:
    chen.text(f"/take {NUMBER}")
    chen.text(f"/survey {NUMBER} onsite tomorrow 10:00 Zhangjiang Road 88")
    assert chen.texts[0].startswith("On-site survey of claim")
    chen.text(f"/liability {NUMBER} minor")
    assert "minor liability" in chen.texts[0]
    chen.text("/help")
    assert chen.texts[0].startswith("Adjuster commands")
