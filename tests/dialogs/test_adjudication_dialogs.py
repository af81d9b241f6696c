"""The adjuster's commands and the owner's answers, turn by turn, without a database.

An owner (party 1) and adjusters (parties 21, 22) share one fake unit of work; every
reply and notice is rendered in its locale, so a missing template parameter fails here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dialogs.conversation import Conversation
from domain.booking import Booking, BookingKind, BookingStatus
from domain.claim import Claim, ClaimStatus
from domain.services import create_invite
from domain.slots import TimeSlot
from domain.staff import Adjuster, StaffRole
from messages.inbound import InboundKind, MediaItem
from messages.outbound import Outbound
from tests.booking_fakes import PUDONG, booking_uow
from tests.dialogs.driver import DialogDriver
from tests.documents_support import complete_documents
from tests.fakes import FakeStaffRepository, FakeUnitOfWork

NUMBER = "BA2026112500001"
WANG = Adjuster(1, "ADJ-SH-01", "王建国", "上海", party_id=21)
CHEN = Adjuster(2, "ADJ-SH-02", "陈静", "上海", party_id=22)
ZHAO = Adjuster(3, "SUP-SH-01", "赵主管", "上海", party_id=23, supervisor=True)


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
    fake = booking_uow()  # shops (staff: parties 2 and 3) and bookings too
    fake.staff = FakeStaffRepository([WANG, CHEN])
    return fake


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
    assert claim_of(uow).adjuster_id == WANG.id


def test_a_late_take_is_answered_once(
    owner: DialogDriver, wang: DialogDriver, chen: DialogDriver
) -> None:
    wang.text(f"/take {NUMBER}")
    told = wang.replies[2]
    assert (told.to_party, told.key) == (22, "claims.handoff.taken")
    # Chen's tap crosses the notice: the notice "taken by 王建国" is the one answer.
    chen.choose(f"c:take:{NUMBER}")
    assert chen.replies == []
    # After a turn of her own (she has seen it), a take is answered again.
    chen.clock.advance(timedelta(minutes=1))
    chen.text("/cases")
    chen.text(f"/take {NUMBER}")
    assert chen.keys == ["claims.refusal.already_taken"]
    assert "王建国 has already taken" in chen.texts[0]


def test_a_take_refused_to_an_adjuster_who_was_not_told_is_answered(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    wang.text(f"/take {NUMBER}")
    late = Adjuster(3, "ADJ-BJ-01", "李雷", "北京", party_id=23)  # not of the claim's region
    uow.staff = FakeStaffRepository([WANG, CHEN, late])
    uow.staff.regions[claim_of(uow).policy_number] = "上海"
    li = party(uow, 23, owner)
    li.text(f"/take {NUMBER}")
    assert li.keys == ["claims.refusal.already_taken"]


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
        (f"/loss {NUMBER} part 后保险杠 好多钱", "claims.refusal.bad_amount"),
        (f"/loss {NUMBER} part 后保险杠 12.345", "claims.refusal.bad_amount"),
        (f"/loss {NUMBER} part 后保险杠 0", "claims.refusal.bad_amount"),
        (f"/loss {NUMBER} part 后保险杠 1亿", "claims.refusal.bad_amount"),  # over the cap
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
    assert owner.keys == ["idle.media_kept", "intent.menu"]  # nobody asked: kept for a report
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


def repair(
    uow: FakeUnitOfWork, status: BookingStatus, kind: BookingKind = BookingKind.REPAIR
) -> int:
    """A booking of the claim's repair at the given stage (its id)."""
    start = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    booking = Booking(
        kind=kind,
        shop_id=PUDONG.id,
        owner_id=1,
        slot=TimeSlot(start, start + timedelta(hours=1)),
        created_at=start - timedelta(hours=20),
        status=status,
        claim_number=NUMBER,
    )
    uow.bookings.add(booking)
    assert booking.id is not None
    return booking.id


def settle(wang: DialogDriver) -> None:
    wang.text(f"/take {NUMBER}")
    wang.text(f"/survey {NUMBER} remote")
    wang.text(f"/liability {NUMBER} 主责 对方变道")
    wang.text(f"/loss {NUMBER} part 后保险杠 1200.00")
    complete_documents(wang.uow, NUMBER, "owner")
    wang.text(f"/settle {NUMBER} owner")


def test_settle_dispute_revise_accept_and_pay(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    settle(wang)
    proposal = wang.replies[1]
    assert (proposal.to_party, proposal.key) == (1, "claims.owner.settlement")
    assert [c.value for c in proposal.choices] == [f"c:acc:{NUMBER}:1", f"c:dis:{NUMBER}:1"]
    assert "本公司赔付：1,200.00 元" in wang.texts[1]
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
    complete_documents(wang.uow, NUMBER, "shop")
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
    repair(uow, BookingStatus.ACCEPTED)  # direct repair: paid once the owner accepted it
    wang.text(f"/paid {NUMBER} 1000.00 REF-1")
    assert wang.keys == ["claims.refusal.amount_mismatch"]
    wang.text(f"/paid {NUMBER} 1350.00 REF-2026-0001")
    assert addressed(wang.replies) == [(None, "claims.adjuster.paid"), (1, "claims.owner.paid")]
    assert claim_of(uow).status is ClaimStatus.PAID
    wang.text(f"/loss {NUMBER} part 轮毂 100")
    assert wang.keys == ["claims.refusal.wrong_stage"]
    assert "现在不能录入损失" in wang.texts[0]
    wang.text(f"/case {NUMBER}")
    assert "理赔款已支付" in wang.texts[0] and "REF-2026-0001" in wang.texts[0]


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


def reject_with_approval(uow: FakeUnitOfWork, wang: DialogDriver, reason: str) -> DialogDriver:
    """Wang's rejection, approved by the supervisor 赵主管 (核赔); returns the supervisor."""
    uow.staff.by_id[ZHAO.id] = ZHAO
    zhao = party(uow, ZHAO.party_id or 0, wang)
    wang.text(f"/reject {NUMBER} {reason}")
    assert addressed(wang.replies) == [(None, "approval.held"), (23, "approval.card")]
    zhao.choose(f"ap:ok:{NUMBER}")
    return zhao


def test_reject_tells_the_owner_the_reason(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    wang.text(f"/take {NUMBER}")
    zhao = reject_with_approval(uow, wang, "事故不在保险责任范围内")
    assert addressed(zhao.replies) == [
        (None, "approval.done"),
        (1, "approval.owner_rejected"),
        (21, "approval.approved"),
    ]
    assert "不在保险责任范围内" in zhao.texts[1]


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
    assert chen.texts[0].startswith("For a normal case tap the buttons")


# --- fixes after the first QA pass ---------------------------------------------------------


def assessed(wang: DialogDriver, amount: str = "1200.00") -> None:
    """Taken, surveyed, assessed: 全责, one item (a part) of ``amount``."""
    wang.text(f"/take {NUMBER}")
    wang.text(f"/survey {NUMBER} remote")
    wang.text(f"/liability {NUMBER} 全责")
    wang.text(f"/loss {NUMBER} part 后保险杠 {amount}")


def agreed(wang: DialogDriver, owner: DialogDriver, route: str) -> None:
    """Assessed, proposed by ``route``, accepted."""
    assessed(wang)
    complete_documents(wang.uow, NUMBER, route)
    wang.text(f"/settle {NUMBER} {route}")
    owner.text(f"/accept {NUMBER}")
    assert owner.keys[0] == "claims.owner.accepted"


def test_a_direct_repair_is_paid_once_the_owner_accepted_the_repair(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    agreed(wang, owner, "shop")
    assert "您在修理厂验收维修后，本公司直接支付给修理厂" in owner.texts[0]
    wang.text(f"/paid {NUMBER} 1200.00 REF-1")
    assert wang.keys == ["claims.refusal.repair_not_accepted"]
    assert "车主还没有为本案预约修理厂维修" in wang.texts[0]
    # Neither a cancelled booking nor a maintenance booking is the accepted repair.
    repair(uow, BookingStatus.CANCELLED)
    repair(uow, BookingStatus.RATED, BookingKind.MAINTENANCE)
    in_shop = repair(uow, BookingStatus.IN_REPAIR)
    wang.text(f"/paid {NUMBER} 1200.00 REF-1")
    assert wang.keys == ["claims.refusal.repair_not_accepted"]
    assert f"维修预约 #{in_shop} 目前为「维修中」" in wang.texts[0]
    assert claim_of(uow).status is ClaimStatus.AGREED
    assert claim_of(uow).adjudication.payment is None
    # Accepted, paid by the insurer at the shop, then rated (closed, no longer open): paid.
    booking = uow.bookings.get(in_shop)
    assert booking is not None
    booking.status = BookingStatus.RATED
    uow.bookings.save(booking)
    wang.text(f"/paid {NUMBER} 1200.00 REF-1")
    assert wang.keys == ["claims.adjuster.paid", "claims.owner.paid"]
    assert claim_of(uow).status is ClaimStatus.PAID


def test_a_cash_settlement_is_paid_without_any_booking(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    agreed(wang, owner, "owner")
    assert "支付后会通知您" in owner.texts[0]
    wang.text(f"/paid {NUMBER} 1200.00 REF-1")
    assert wang.keys == ["claims.adjuster.paid", "claims.owner.paid"]


def test_english_refusal_of_an_early_direct_repair_payment(
    owner: DialogDriver, chen: DialogDriver, uow: FakeUnitOfWork
) -> None:
    agreed(chen, owner, "shop")
    repair(uow, BookingStatus.READY)
    chen.text(f"/paid {NUMBER} 1200.00 REF-1")
    assert chen.keys == ["claims.refusal.repair_not_accepted"]
    assert "Booking #1 is at “" in chen.texts[0] and "has not accepted the repair" in chen.texts[0]


def test_the_owner_hears_of_the_loss_in_the_proposal_not_item_by_item(
    owner: DialogDriver, wang: DialogDriver
) -> None:
    wang.text(f"/take {NUMBER}")
    wang.text(f"/survey {NUMBER} remote")
    wang.text(f"/loss {NUMBER} part 后保险杠 1200.00")
    assert addressed(wang.replies) == [(None, "claims.adjuster.loss")]
    wang.text(f"/liability {NUMBER} 全责")
    liability = wang.replies[1]
    assert (liability.to_party, liability.key) == (1, "claims.owner.liability")
    assert liability.choices == ()  # no "book a repair" yet: nothing is proposed
    # the loss is already recorded: worded for that state, not "once it is assessed"
    assert "损失已录入，理赔员将据此提出理赔方案" in wang.texts[1]
    assert "损失评估完成后" not in wang.texts[1]
    wang.text(f"/loss {NUMBER} labour 拆装 300")
    wang.text(f"/loss {NUMBER} del 2")
    assert addressed(wang.replies) == [(None, "claims.adjuster.loss")]
    assert "车主会在方案中看到损失清单" in wang.texts[0]

    complete_documents(wang.uow, NUMBER, "owner")
    wang.text(f"/settle {NUMBER} owner")
    proposal = wang.replies[1]
    assert [c.value for c in proposal.choices] == [f"c:acc:{NUMBER}:1", f"c:dis:{NUMBER}:1"]
    text = wang.texts[1]
    assert "1. 配件 后保险杠：1,200.00 元" in text
    assert "如需在合作修理厂维修，可以点菜单里的“预约维修”" in text

    # A revision withdraws the pending proposal: the owner is told once.
    wang.text(f"/loss {NUMBER} paint 喷漆 200")
    assert addressed(wang.replies) == [
        (None, "claims.adjuster.loss"),
        (1, "claims.owner.proposal_withdrawn"),
    ]
    assert "第 1 版" in wang.texts[1]
    wang.text(f"/loss {NUMBER} del 2")
    assert addressed(wang.replies) == [(None, "claims.adjuster.loss")]

    complete_documents(wang.uow, NUMBER, "shop")
    wang.text(f"/settle {NUMBER} shop")
    direct = wang.replies[1]
    assert [c.value for c in direct.choices] == [
        f"c:acc:{NUMBER}:2",
        f"c:dis:{NUMBER}:2",
        f"start:book:{NUMBER}",
    ]
    assert "直赔：请点“预约维修”预约修理厂维修" in wang.texts[1]
    wang.text(f"/liability {NUMBER} 主责")
    assert "此前的理赔方案（第 2 版）因此撤回" in wang.texts[1]


def test_the_proposal_says_whose_share_the_amount_is(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    assessed(wang, "1950.50")
    complete_documents(wang.uow, NUMBER, "owner")
    wang.text(f"/settle {NUMBER} owner")
    assert "车损险（本公司）：1,950.50 元" in wang.texts[0]
    # the adjuster reads the owner's part as the owner's, not as "you"
    assert "车主自行承担：0.00 元" in wang.texts[0] and "您自行承担" not in wang.texts[0]
    zh = wang.texts[1]
    # one line per payer and cover, the owner's own part on a line of its own
    assert "车损险（本公司）：1,950.50 元" in zh and "您自行承担：0.00 元" in zh
    assert "本公司赔付：1,950.50 元" in zh
    owner.conv.locale = "en"  # the same notice, as an English-speaking owner reads it
    en = owner.render(wang.replies[1])
    assert "Own damage (ours): 1,950.50 yuan" in en and "You pay yourself: 0.00 yuan" in en
    assert "1. Part – 后保险杠: 1,950.50 yuan" in en


def test_the_dispute_notice_carries_the_buttons_that_propose_again(
    owner: DialogDriver, wang: DialogDriver
) -> None:
    assessed(wang)
    complete_documents(wang.uow, NUMBER, "shop")
    wang.text(f"/settle {NUMBER} shop")
    owner.text(f"/dispute {NUMBER} 价格偏低")
    notice = owner.replies[1]
    assert "点“方案：赔付车主”或“方案：直赔修理厂”重新提出方案" in owner.render(notice)
    values = [choice.value for choice in notice.choices]
    assert f"cs:shop:{NUMBER}" in values and f"cs:owner:{NUMBER}" in values
    wang.choose(f"cs:shop:{NUMBER}")
    assert wang.keys[0] == "claims.adjuster.settlement_proposed"


def test_help_is_per_role_and_staff_are_not_asked_to_report(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    owner.text("/help")
    assert owner.keys == ["help.idle", "intent.menu"]
    assert "/" not in owner.texts[0]  # an owner is shown words and buttons, not commands
    for words in ("撞车了", "查进度", "修车", "我的预约", "接受", "有异议", "转人工"):
        assert words in owner.texts[0]
    wang.text("/help")
    assert wang.keys == ["claims.help.staff"]
    wang.text("/lang en")
    assert wang.keys == ["lang.changed"]
    wang.text("hello")
    assert wang.keys == ["help.staff_prompt"] and wang.offered == []
    shop_staff = party(uow, 2, owner)  # 周师傅 of 浦东安心汽修
    shop_staff.text("/help")
    assert shop_staff.keys == ["help.shop"] and "/bookings" in shop_staff.texts[0]
    assert "/report" not in shop_staff.texts[0]
    shop_staff.text("/start")
    assert shop_staff.keys == ["welcome"]


@pytest.mark.parametrize(
    ("close", "said"),
    [
        (f"/withdraw {NUMBER} 已私了", "已撤销，案件已结束"),
        (f"/reject {NUMBER} 不在保险责任范围内", "已拒赔，案件已结束"),
    ],
)
def test_booking_a_closed_claim_says_it_is_closed(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork, close: str, said: str
) -> None:
    wang.text(f"/take {NUMBER}")
    if close.startswith("/withdraw"):
        owner.text(close)
    else:
        reject_with_approval(uow, wang, close.split(maxsplit=2)[2])
    owner.text(f"/book {NUMBER}")
    assert owner.keys == ["booking.refusal.claim_not_ready"]
    assert said in owner.texts[0]
    # To anyone else the number is as unknown as ever.
    other = party(uow, 7, owner)
    other.text(f"/book {NUMBER}")
    assert "还不能预约维修" in other.texts[0]


def test_case_shows_what_the_owner_reported(
    owner: DialogDriver, wang: DialogDriver, chen: DialogDriver
) -> None:
    wang.text(f"/take {NUMBER}")
    wang.text(f"/case {NUMBER}")
    text = wang.texts[0]
    for shown in (
        "人员受伤：无",
        "车辆可以行驶",
        "对方车辆：无",
        "报警编号：无",
        "照片 3 张，视频 0 段",
    ):
        assert shown in text
    assert "时间：" in text and "保单：" in text
    assert "理赔员已接案 · ADJ-SH-01" in text


def test_english_words_for_loss_kinds_timeline_and_stages(
    owner: DialogDriver, chen: DialogDriver
) -> None:
    chen.text(f"/take {NUMBER}")
    chen.text(f"/loss {NUMBER} part 后保险杠 100")
    assert "it is not the time to record the loss" in chen.texts[0]
    chen.text(f"/survey {NUMBER} remote")
    chen.text(f"/loss {NUMBER} labour 拆装 300")
    assert "1. Labour – 拆装: 300.00 yuan" in chen.texts[0]
    chen.text(f"/case {NUMBER}")
    assert "Taken by an adjuster · ADJ-SH-02" in chen.texts[0]
    assert "Survey scheduled" in chen.texts[0]


def test_status_of_a_paid_claim_says_it_once(owner: DialogDriver, wang: DialogDriver) -> None:
    agreed(wang, owner, "owner")
    wang.text(f"/paid {NUMBER} 1200.00 REF-1")
    owner.text("/status")
    assert owner.texts[0].endswith("：已赔付结案。")  # the stage, and no "已结案。" after it


def test_case_shows_the_timeline_notes_in_words(owner: DialogDriver, wang: DialogDriver) -> None:
    wang.text(f"/take {NUMBER}")
    wang.text(f"/survey {NUMBER} onsite 2026-11-27 10:00 漕溪北路300号")
    wang.text(f"/liability {NUMBER} 次责 对方追尾")
    wang.text(f"/loss {NUMBER} paint 后杠喷漆 800.50")
    wang.text(f"/case {NUMBER}")
    text = wang.texts[0]
    assert "现场查勘 · 2026年11月27日 10:00 · 漕溪北路300号" in text
    assert "新增喷漆：后杠喷漆 800.50 元" in text
    # no other vehicle: the share shown is the one the settlement applies
    assert "次责（无可追偿的对方车辆，按 100% 计算）" in text
    assert "T10:00:00" not in text and "+ paint" not in text and "minor 30%" not in text


def test_equal_liability_without_another_vehicle_states_the_applied_share(
    owner: DialogDriver, wang: DialogDriver
) -> None:
    wang.text(f"/take {NUMBER}")
    wang.text(f"/survey {NUMBER} remote")
    wang.text(f"/liability {NUMBER} 同责")
    assert "同责（无可追偿的对方车辆，按 100% 计算）" in wang.texts[0]
    assert "同责（无可追偿的对方车辆，按您承担 100% 计算）" in wang.texts[1]
    assert "50%" not in wang.texts[0] + wang.texts[1]


def test_a_liability_change_after_a_dispute_says_the_proposal_is_revised(
    owner: DialogDriver, wang: DialogDriver
) -> None:
    settle(wang)
    owner.text(f"/dispute {NUMBER} 太低了")
    wang.text(f"/liability {NUMBER} 全责")
    assert wang.keys[1] == "claims.owner.liability"
    assert "理赔员将据此调整理赔方案" in wang.texts[1]
