"""Bookings through the real engine and storage (SQLite and PostgreSQL), two web users:
the owner and the shop's staff, each in their own chat; timers fired by the real runner."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.bootstrap import Container
from bot.rendering import render
from domain.adjudication import (
    Liability,
    LiabilityFinding,
    LossItem,
    LossKind,
    PaymentRoute,
    Survey,
    SurveyMode,
)
from domain.booking import BookingStatus
from domain.money import Money
from storage.tables.core import adjuster_t, identity_t
from storage.tables.timers import timer_t
from tests.booking_support import (
    OTHER_STAFF_USER,
    STAFF_USER,
    WebUser,
    agree_direct_repair,
    bind_staff_to_web,
    book_maintenance,
    file_claim,
)
from tests.fakes import FixedClock


@pytest.fixture
def owner(container: Container) -> WebUser:
    return WebUser(container, user_id="owner-0001")


@pytest.fixture
def staff(container: Container) -> WebUser:
    return bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)


def status_of(container: Container, booking_id: int) -> BookingStatus:
    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get(booking_id)
    assert booking is not None
    return booking.status


def pending_timers(container: Container, subject: str) -> dict[str, str]:
    with container.database.unit_of_work() as uow:
        rows = uow.connection.execute(
            select(timer_t.c.kind, timer_t.c.dedupe_key).where(
                timer_t.c.subject == subject, timer_t.c.status == "pending"
            )
        ).all()
    return {key: kind for kind, key in rows}


def fire_due_timers(container: Container) -> int:
    assert container.scheduler is not None
    return container.scheduler.runner.run_due()


def test_a_maintenance_booking_from_request_to_rating(
    container: Container, owner: WebUser, staff: WebUser, clock: FixedClock
) -> None:
    book_maintenance(owner)
    card = staff.last("booking.shop.request")
    assert card.choices[0].value == "sh:1:ok"
    assert "【新预约 #1】保养，车辆 沪A1**45（大众）" in staff.rendered()[-1]

    assert staff.choose("sh:1:ok") == ["booking.shop.done.confirmed"]
    confirmed = owner.rendered()[-1]
    assert "到店请携带：保险单、行驶证" in confirmed
    assert set(pending_timers(container, "booking:1").values()) == {"booking_reminder"}

    assert staff.choose("sh:1:in") == ["booking.shop.done.arrived"]
    assert staff.choose("sh:1:start") == ["booking.shop.ask.estimate"]
    assert staff.text("明天 17:00") == ["booking.shop.ask.quote"]
    assert staff.text("两千一百五") == ["booking.shop.done.in_repair"]
    assert "预计 11-26（周四）17:00 完工。修理厂报价 2,150.00 元" in owner.rendered()[-1]
    assert staff.choose("sh:1:ready") == ["booking.shop.ask.final"]
    assert staff.choices("booking.shop.ask.final")[0] == "s:final:same"
    assert staff.text("2150.5元") == ["booking.shop.done.ready"]
    assert "最终金额 2,150.50 元" in owner.rendered()[-1]
    assert owner.choices("booking.ready") == ["bk:1:accept", "bk:1:problem"]

    assert owner.choose("bk:1:accept") == ["booking.accepted"]
    assert owner.choose("bk:1:pay") == ["booking.ask.amount"]
    assert owner.choices("booking.ask.amount") == ["b:due", "b:keep"]
    assert "最终金额是 2,150.50 元" in owner.rendered()[-1]
    assert owner.text("很多") == ["booking.error.amount", "booking.ask.amount"]
    assert owner.text("2150.5元") == ["booking.ask.rating"]
    assert staff.last("booking.shop.paid").params["amount"] == "2,150.50"
    assert owner.choose("bk:1:rate:2") == ["booking.rated"]
    assert owner.text("等了很久，前台态度一般") == ["booking.thanks"]

    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get(1)
        shop = uow.shops.by_code("SHOP-PD-01")
    assert booking is not None and shop is not None
    assert booking.status is BookingStatus.RATED
    assert booking.paid == Money.from_yuan("2150.50")
    assert booking.comment == "等了很久，前台态度一般"
    assert shop.rating == pytest.approx((4.7 * 5 + 2) / 6)  # the rating fed the shop's
    changes = [(c.to_status.value, c.note) for c in booking.timeline][-4:]
    assert changes == [
        ("accepted", ""),
        ("paid", "owner 2150.50"),
        ("rated", "2"),
        ("rated", "等了很久，前台态度一般"),  # the comment, on the timeline too
    ]
    assert "booking:1:maintenance" in pending_timers(container, "booking:1")
    assert staff.last("booking.shop.comment").params["comment"] == "等了很久，前台态度一般"


def test_a_low_rating_is_flagged_to_the_regions_adjusters(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    book_maintenance(owner)
    for action in ("ok", "in"):
        staff.choose(f"sh:1:{action}")
    staff.choose("sh:1:start")
    staff.text("明天 17:00")
    staff.text("1800")
    staff.choose("sh:1:ready")
    staff.choose("s:final:same")
    owner.choose("bk:1:accept")
    owner.choose("bk:1:pay")
    owner.text("500")
    owner.choose("bk:1:rate:1")
    with container.database.unit_of_work() as uow:
        adjusters = uow.connection.execute(select(adjuster_t.c.party_id)).scalars().all()
        flagged = [
            row
            for party in adjusters
            for row in uow.connection.execute(
                select(identity_t.c.channel, identity_t.c.external_id).where(
                    identity_t.c.party_id == party
                )
            )
        ]
        sent = {
            (row.channel, row.chat_id)
            for chat in flagged
            for row in uow.outbox.for_chat(chat.channel, chat.external_id, 0)
            if row.payload["key"] == "booking.insurer.low_rating"
        }
    assert sent == {("telegram", "900001"), ("wechat", "oADJ_chenjing")}


def test_the_shop_proposes_another_time_and_the_owner_takes_it(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    asked = book_maintenance(owner)
    assert staff.choose("sh:1:prop") == ["booking.shop.ask.propose"]
    offered = staff.choices("booking.shop.ask.propose")
    assert f"s:at:{asked}" not in offered  # the time asked for is not proposed back
    assert staff.choose(offered[2]) == ["booking.shop.done.proposed"]
    assert owner.choices("booking.proposed") == ["bk:1:take", "bk:1:resched", "bk:1:cancel"]
    assert owner.choose("bk:1:take") == ["booking.proposal_taken"]
    assert status_of(container, 1) is BookingStatus.CONFIRMED
    assert staff.last("booking.shop.proposal_taken").params["ref"] == "#1"


def test_a_decline_offers_the_next_shops(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    book_maintenance(owner)
    assert staff.choose("sh:1:no") == ["booking.shop.ask.reason"]
    assert staff.text("配件缺货") == ["booking.shop.done.declined"]
    declined = owner.last("booking.declined")
    assert declined.params["reason"] == "配件缺货"
    assert [c.value for c in declined.choices] == ["bk:1:alt:SHOP-XH-02", "bk:1:others"]
    assert owner.choose("bk:1:alt:SHOP-XH-02") == ["booking.ask.slot"]
    assert "徐汇诚信车服" in owner.rendered()[-1]


def test_an_unanswered_request_expires_and_the_owner_gets_alternatives(
    container: Container, owner: WebUser, staff: WebUser, clock: FixedClock
) -> None:
    book_maintenance(owner)
    clock.advance(timedelta(minutes=31))
    fire_due_timers(container)
    assert staff.received()[-1] == "booking.shop.nudge"
    assert status_of(container, 1) is BookingStatus.HELD
    clock.advance(timedelta(minutes=30))
    fire_due_timers(container)
    assert status_of(container, 1) is BookingStatus.EXPIRED
    assert owner.choices("booking.expired") == ["bk:1:alt:SHOP-XH-02", "bk:1:others"]
    assert staff.received()[-1] == "booking.shop.expired"
    assert staff.choose("sh:1:ok") == ["booking.refusal.wrong_stage"]  # a stale card
    assert status_of(container, 1) is BookingStatus.EXPIRED
    assert owner.choose("bk:1:others") == ["booking.ask.shop"]
    assert owner.choices("booking.ask.shop")[0] == "b:shop:SHOP-XH-02"


def test_reminders_move_with_a_reschedule_and_vanish_with_a_cancel(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    book_maintenance(owner, slot=7)  # Thursday 10:30: both reminders lie ahead
    staff.choose("sh:1:ok")
    before = pending_timers(container, "booking:1")
    assert sorted(before) == [
        "booking:1:202611260230:remind:120",
        "booking:1:202611260230:remind:1440",
    ]
    assert owner.choose("bk:1:resched") == ["booking.ask.slot"]
    assert owner.choose(owner.choices("booking.ask.slot")[6]) == ["booking.rescheduled"]
    assert staff.received()[-1] == "booking.shop.rescheduled"
    asking = pending_timers(container, "booking:1")  # the confirmed time's stay armed
    assert set(asking.values()) == {
        "booking_hold_expiry",
        "booking_shop_nudge",
        "booking_reminder",
    }
    assert asking.keys() >= before.keys()
    staff.choose("sh:1:ok")
    after = pending_timers(container, "booking:1")
    assert after.keys().isdisjoint(before.keys())  # new reminders for the new time
    assert owner.choose("bk:1:cancel") == ["booking.ask.cancel"]
    assert owner.choose("bk:1:cancel_yes") == ["booking.cancelled"]
    assert pending_timers(container, "booking:1") == {}
    assert staff.received()[-1] == "booking.shop.cancelled"


def test_staff_act_only_on_their_own_shops_bookings(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    book_maintenance(owner)
    other = bind_staff_to_web(container, "SHOP-XH-02", OTHER_STAFF_USER)
    assert other.choose("sh:1:ok") == ["booking.refusal.not_found"]
    assert owner.choose("sh:1:ok") == ["booking.refusal.not_shop_staff"]
    assert other.choose("bk:1:cancel_yes") == ["booking.refusal.not_found"]
    assert status_of(container, 1) is BookingStatus.HELD
    assert other.text("/bookings") == ["booking.shop.list_empty"]
    assert staff.text("/bookings") == ["booking.shop.list"]


def test_a_claim_repair_lists_the_claim_documents_and_the_insurer_pays_directly(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    number = file_claim(owner)
    assert owner.text(f"/book {number}") == ["booking.refusal.claim_not_ready"]
    agree_direct_repair(container, number, payout_fen=120_000)
    assert owner.text("/book") == ["booking.ask.purpose"]
    assert owner.choose(f"b:claim:{number}") == ["booking.started_claim", "booking.ask.shop"]
    owner.choose("b:shop:SHOP-PD-01")
    owner.choose(owner.choices("booking.ask.slot")[0])
    assert "报案号 " + number in owner.rendered()[-1]
    assert "定损单" in owner.rendered()[-1]
    owner.choose("b:send")
    assert "定损金额：1,200.00 元（1 项）" in staff.rendered()[-1]
    for action in ("ok", "in"):
        staff.choose(f"sh:1:{action}")
    staff.choose("sh:1:start")
    staff.text("明天 17:00")
    staff.text("1800")
    staff.choose("sh:1:ready")
    staff.choose("s:final:same")
    assert owner.choose("bk:1:accept") == ["booking.accepted_direct"]
    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get(1)
    assert booking is not None
    assert booking.status is BookingStatus.PAID
    assert booking.payer is not None and booking.payer.value == "insurer"
    assert booking.paid == Money(120_000)
    assert owner.text(f"/book {number}") == ["booking.refusal.repair_complete"]


def test_reminders_reach_the_owner_before_the_appointment_and_months_after(
    container: Container, owner: WebUser, staff: WebUser, clock: FixedClock
) -> None:
    book_maintenance(owner, slot=7)  # Thursday 10:30
    staff.choose("sh:1:ok")
    clock.advance(timedelta(minutes=29))
    fire_due_timers(container)
    assert "booking.reminder" not in owner.received()
    clock.advance(timedelta(minutes=1))  # Wednesday 10:30: the day before
    fire_due_timers(container)
    assert owner.received()[-1] == "booking.reminder"
    assert owner.choices("booking.reminder") == ["bk:1:resched", "bk:1:cancel"]
    clock.advance(timedelta(hours=22))  # Thursday 08:30: two hours before
    fire_due_timers(container)
    assert owner.received().count("booking.reminder") == 2
    assert "请携带：保险单、行驶证" in owner.rendered()[-1]

    staff.choose("sh:1:in")
    staff.choose("sh:1:start")
    staff.text("今天 17:00")
    staff.text("1800")
    staff.choose("sh:1:ready")
    staff.choose("s:final:same")
    owner.choose("bk:1:accept")
    clock.advance(timedelta(days=182))  # six months after the repair was accepted
    fire_due_timers(container)
    assert owner.received()[-1] == "booking.maintenance"
    assert owner.choices("booking.maintenance") == ["start:book:maint"]
    assert owner.choose("start:book:maint") == ["booking.ask.vehicle"]


def test_a_declined_reschedule_keeps_the_confirmed_appointment(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    book_maintenance(owner, slot=7)  # Thursday 11-26 10:30
    staff.choose("sh:1:ok")
    reminders = pending_timers(container, "booking:1")
    assert owner.choose("bk:1:resched") == ["booking.ask.slot"]
    offered = owner.choices("booking.ask.slot")
    assert "b:slot:202611260230" not in offered  # its own time is no new time
    assert owner.choose(offered[6]) == ["booking.rescheduled"]  # Thursday 09:30
    assert "原定的 11-26（周四）10:30 仍然有效" in owner.rendered()[-1]
    assert "原定 11-26（周四）10:30" in staff.rendered()[-1]
    # the lists show the time that stands, and the move asked
    assert owner.text("/bookings") == ["booking.list"]
    assert "11-26（周四）10:30（申请改到 11-26（周四）09:30，待修理厂答复）" in owner.rendered()[-1]
    assert staff.text("/bookings") == ["booking.shop.list"]
    assert "#1 11-26（周四）10:30" in staff.rendered()[-1]
    assert "车主申请改到 11-26（周四）09:30，待您答复" in staff.rendered()[-1]

    assert staff.choose("sh:1:no") == ["booking.shop.ask.reason"]
    assert "婉拒改期的原因（会告知车主；预约 #1 保持原定的 11-26（周四）10:30）" in (
        staff.rendered()[-1]
    )
    assert staff.text("周六配件不到") == ["booking.shop.done.reschedule_declined"]
    assert "booking.declined" not in owner.received()
    notice = owner.last("booking.reschedule_declined")
    assert [c.value for c in notice.choices] == ["bk:1:resched", "bk:1:cancel"]
    told = owner.rendered()[-1]
    assert "无法把预约 #1 改到 11-26（周四）09:30（原因：周六配件不到）" in told
    assert "原定的 11-26（周四）10:30 保持不变，到店前一天和前两小时会提醒您" in told
    assert staff.choices("booking.shop.done.reschedule_declined") == ["sh:1:in"]
    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get(1)
    assert booking is not None and booking.status is BookingStatus.CONFIRMED
    assert (booking.slot.key, booking.kept_slot, booking.reschedules) == ("202611260230", None, 1)
    assert [(c.from_status, c.to_status) for c in booking.timeline][-2:] == [
        (BookingStatus.CONFIRMED, BookingStatus.HELD),
        (BookingStatus.HELD, BookingStatus.CONFIRMED),
    ]
    assert pending_timers(container, "booking:1") == reminders
    assert owner.choose("bk:1:resched") == ["booking.ask.slot"]  # another try is allowed


def test_an_unanswered_reschedule_leaves_the_confirmed_appointment(
    container: Container, owner: WebUser, staff: WebUser, clock: FixedClock
) -> None:
    book_maintenance(owner, slot=7)  # Thursday 11-26 10:30
    staff.choose("sh:1:ok")
    reminders = pending_timers(container, "booking:1")
    owner.choose("bk:1:resched")
    owner.choose(owner.choices("booking.ask.slot")[6])  # Thursday 09:30
    clock.advance(timedelta(minutes=30))  # Wednesday 10:30: the day before 10:30
    fire_due_timers(container)
    assert owner.received()[-1] == "booking.reminder"
    reminder = owner.rendered()[-1]
    assert "11-26（周四）10:30（预约 #1）" in reminder
    assert "改到 11-26（周四）09:30 的申请仍在等待修理厂答复" in reminder
    assert staff.received()[-1] == "booking.shop.nudge"
    assert "后将保持原定的 11-26（周四）10:30" in staff.rendered()[-1]
    clock.advance(timedelta(minutes=31))
    fire_due_timers(container)
    assert owner.received()[-1] == "booking.reschedule_lapsed"
    assert owner.choices("booking.reschedule_lapsed") == ["bk:1:resched", "bk:1:cancel"]
    assert "预约 #1 保持原定的 11-26（周四）10:30" in owner.rendered()[-1]
    assert staff.received()[-1] == "booking.shop.reschedule_lapsed"
    assert staff.choices("booking.shop.reschedule_lapsed") == ["sh:1:in"]
    assert status_of(container, 1) is BookingStatus.CONFIRMED
    left = pending_timers(container, "booking:1")
    assert left == {k: v for k, v in reminders.items() if k.endswith(":remind:120")}


def test_a_confirmation_promises_only_the_reminders_that_will_come(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    book_maintenance(owner, slot=0)  # Wednesday 12:30, two and a half hours away
    staff.choose("sh:1:ok")
    confirmed = owner.rendered()[-1]
    assert "到店前两小时会提醒您" in confirmed and "前一天" not in confirmed
    assert list(pending_timers(container, "booking:1")) == ["booking:1:202611250430:remind:120"]


def test_cancelling_during_a_reschedule_names_the_appointment_that_stood(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    book_maintenance(owner, slot=7)  # Thursday 11-26 10:30
    staff.choose("sh:1:ok")
    owner.choose("bk:1:resched")
    owner.choose(owner.choices("booking.ask.slot")[6])  # Thursday 09:30
    assert owner.choose("bk:1:cancel") == ["booking.ask.cancel"]
    assert owner.rendered()[-1] == (
        "确定取消预约 #1（浦东安心汽修，11-26（周四）10:30）吗？"
        "改到 11-26（周四）09:30 的申请也会一并撤回。"
    )
    assert owner.choose("bk:1:cancel_yes") == ["booking.cancelled"]
    assert "改到 11-26（周四）09:30 的申请也已撤回" in owner.rendered()[-1]
    assert staff.rendered()[-1] == (
        "车主已取消预约 #1（11-26（周四）10:30），改到 11-26（周四）09:30 的申请也已撤回，"
        "时段已释放。"
    )
    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get(1)
    assert booking is not None and booking.status is BookingStatus.CANCELLED
    assert (booking.slot.key, booking.kept_slot) == ("202611260230", None)


def test_a_counter_proposal_to_a_move_names_both_times(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    book_maintenance(owner, slot=7)  # Thursday 11-26 10:30
    staff.choose("sh:1:ok")
    owner.choose("bk:1:resched")
    owner.choose(owner.choices("booking.ask.slot")[6])  # Thursday 09:30
    assert staff.choose("sh:1:prop") == ["booking.shop.ask.propose"]
    assert "（原定 11-26（周四）10:30，车主申请改到 11-26（周四）09:30）" in staff.rendered()[-1]


def agree_with_deductible(container: Container, number: str) -> None:
    """Direct repair (直赔) of an 1800-yuan loss under a 500-yuan deductible: payout 1300."""
    now = container.clock.now()
    actor = "adjuster:ADJ-SH-01"
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(number)
        policy = uow.policies.by_number(claim.policy_number) if claim else None
        assert claim is not None and policy is not None
        coverage = replace(policy.coverage, deductible=Money(50_000))
        claim.take(1, now, actor)
        claim.schedule_survey(Survey(SurveyMode.REMOTE, None, None), now, actor)
        claim.record_liability(LiabilityFinding(Liability.FULL, 100), now, actor)
        claim.add_loss_item(LossItem(LossKind.PART, "后保险杠", Money(180_000)), now, actor)
        settlement = claim.propose_settlement(PaymentRoute.SHOP, coverage, now, actor)
        claim.answer_settlement(settlement.version, True, "", now, f"party:{claim.owner_id}")
        uow.claims.save(claim)
        uow.commit()


def adjuster_notices(container: Container, adjuster_id: int, key: str) -> list[str]:
    """The rendered notices with ``key`` sent to every chat of the adjuster."""
    with container.database.unit_of_work() as uow:
        party = uow.connection.execute(
            select(adjuster_t.c.party_id).where(adjuster_t.c.id == adjuster_id)
        ).scalar_one()
        chats = uow.connection.execute(
            select(identity_t.c.channel, identity_t.c.external_id).where(
                identity_t.c.party_id == party
            )
        ).all()
        rows = [row for chat in chats for row in uow.outbox.for_chat(*chat, 0, limit=1000)]
    return [
        render(container.catalogs, row.locale, row.payload).text
        for row in rows
        if row.payload["key"] == key
    ]


def repair_claim(owner: WebUser, staff: WebUser, number: str) -> None:
    owner.text(f"/book {number}")
    owner.choose("b:shop:SHOP-PD-01")
    owner.choose(owner.choices("booking.ask.slot")[0])
    owner.choose("b:send")
    for action in ("ok", "in"):
        staff.choose(f"sh:1:{action}")
    staff.choose("sh:1:start")
    staff.text("明天 17:00")
    staff.text("1800")
    staff.choose("sh:1:ready")
    staff.choose("s:final:same")


def test_an_accepted_direct_repair_tells_who_pays_what_and_the_adjuster_may_record_it(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    number = file_claim(owner)
    agree_with_deductible(container, number)
    repair_claim(owner, staff, number)
    card = staff.rendered()[staff.received().index("booking.shop.request")]
    assert "直赔：保险公司支付 1,300.00 元，车主支付其余 500.00 元" in card
    assert adjuster_notices(container, 1, "booking.insurer.repair_accepted") == []
    assert owner.choose("bk:1:accept") == ["booking.accepted_direct"]
    told = owner.rendered()[-1]
    assert "保险公司将直接向修理厂支付 1,300.00 元" in told and "已记录" not in told
    assert "其中您自行承担的 500.00 元（免赔额等）请支付给修理厂" in told
    assert "保险公司将直接向您支付 1,300.00 元；定损金额 1,800.00 元，其余 500.00 元由车主" in (
        staff.rendered()[-1]
    )
    notices = adjuster_notices(container, 1, "booking.insurer.repair_accepted")
    assert notices and all(f"/paid {number} 1,300.00 支付参考号" in n for n in notices)
    assert all("其余 500.00 元由车主支付给修理厂" in n for n in notices)


def test_a_claim_whose_repair_is_done_is_not_booked_again(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    number = file_claim(owner)
    agree_direct_repair(container, number, payout_fen=120_000)
    repair_claim(owner, staff, number)
    owner.choose("bk:1:accept")
    owner.choose("bk:1:rate:5")
    owner.choose("b:skip")
    assert owner.text("/book") == ["booking.no_claim_to_repair", "booking.ask.vehicle"]
    owner.text("/cancel")
    assert owner.text(f"/book {number}") == ["booking.refusal.repair_complete"]
    assert owner.rendered()[-1].startswith(f"报案 {number} 的维修已经完成，不能再次预约：#1，浦东")
    assert owner.choose(f"start:book:{number}") == ["booking.refusal.repair_complete"]
