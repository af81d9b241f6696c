"""Typed numbers answer the buttons of cards pushed into a chat from outside its own turns
(another party's notice, a timer's reminder), through the real engine and storage on SQLite
and PostgreSQL.

A web user here stands for a user of a channel without buttons: what they type is text,
and a card counts as seen once its row is delivered (``deliver`` plays the channel).
Between parties' turns the clock moves on, as it does between real messages.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.bootstrap import Container
from domain.booking import BookingStatus
from domain.claim import ClaimStatus
from domain.services import create_invite
from domain.staff import StaffRole
from tests.booking_support import (
    STAFF_USER,
    WebUser,
    bind_staff_to_web,
    book_maintenance,
    file_claim,
)
from tests.documents_support import complete_documents_in
from tests.fakes import FixedClock

ADJUSTER_USER = "adjuster-web-0001"


@pytest.fixture
def owner(container: Container) -> WebUser:
    return WebUser(container, user_id="owner-0001")


def deliver(user: WebUser) -> None:
    """The channel delivered everything queued for the user: it is on their screen."""
    with user.container.database.unit_of_work() as uow:
        rows = uow.outbox.for_chat("web", user.user_id, 0, limit=1000)
        uow.outbox.mark_sent([r.id for r in rows if r.sent_at is None], user.container.clock.now())
        uow.commit()


def later(clock: FixedClock) -> None:
    clock.advance(timedelta(minutes=1))


def bound_adjuster(container: Container) -> WebUser:
    with container.database.unit_of_work() as uow:
        code, _ = create_invite(
            uow, role=StaffRole.ADJUSTER, name="王建国", now=container.clock.now()
        )
        uow.commit()
    adjuster = WebUser(container, user_id=ADJUSTER_USER)
    assert adjuster.text(f"/bind {code}") == ["claims.adjuster.bound"]
    return adjuster


def paged(container: Container, owner: WebUser, clock: FixedClock) -> tuple[WebUser, str]:
    """A bound adjuster, then a claim the owner filed (its card in the adjuster's chat)."""
    adjuster = bound_adjuster(container)
    later(clock)
    number = file_claim(owner)
    later(clock)
    return adjuster, number


def assess(adjuster: WebUser, number: str) -> None:
    adjuster.text(f"/take {number}")
    adjuster.text(f"/survey {number} remote")
    adjuster.text(f"/liability {number} 全责")
    adjuster.text(f"/loss {number} part 后保险杠 1200.00")


def report_until_time(owner: WebUser) -> None:
    """Another report, waiting for the accident time ("1. 刚刚")."""
    owner.text("/report")
    owner.text("沪A12345")
    assert owner.text("8001") == ["report.policy_found", "report.ask.time"]
    assert owner.choices("report.ask.time")[0] == "r:time:now"


def claim_status(container: Container, number: str) -> ClaimStatus:
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get(number)
    assert claim is not None
    return claim.status


def booking_status(container: Container, booking_id: int = 1) -> BookingStatus:
    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get(booking_id)
    assert booking is not None
    return booking.status


def test_an_adjuster_takes_a_paged_card_by_typing_its_number(
    container: Container, owner: WebUser, clock: FixedClock
) -> None:
    adjuster, number = paged(container, owner, clock)
    assert adjuster.received()[-1] == "claims.handoff.card"
    assert adjuster.choices("claims.handoff.card") == [f"c:take:{number}"]
    deliver(adjuster)
    assert adjuster.text("1") == ["claims.adjuster.took"]
    assert owner.received()[-1] == "claims.owner.taken"
    assert claim_status(container, number) is ClaimStatus.ASSIGNED


def test_a_card_not_delivered_yet_is_not_what_a_number_answers(
    container: Container, owner: WebUser, clock: FixedClock
) -> None:
    adjuster, number = paged(container, owner, clock)
    assert adjuster.text("1") == ["help.staff_prompt"]  # the card is still queued, unseen
    assert claim_status(container, number) is ClaimStatus.REPORTED


def test_the_owners_report_in_progress_survives_a_pushed_proposal(
    container: Container, owner: WebUser, clock: FixedClock
) -> None:
    adjuster, number = paged(container, owner, clock)
    assess(adjuster, number)
    later(clock)
    report_until_time(owner)
    later(clock)
    complete_documents_in(container, number, "shop")
    adjuster.text(f"/settle {number} shop")
    assert owner.choices("claims.owner.settlement") == [
        f"c:acc:{number}:1",
        f"c:dis:{number}:1",
        f"start:book:{number}",
    ]
    deliver(owner)
    later(clock)
    # The proposal is the latest numbered list on the owner's screen: "1" accepts it, and
    # the report asks its question again.
    assert owner.text("1") == ["claims.owner.accepted", "report.ask.time"]
    assert claim_status(container, number) is ClaimStatus.AGREED
    later(clock)
    # Now the report's question is the latest: "1" answers it again.
    assert owner.text("1")[-1] == "report.ask.location"


def test_a_pushed_card_does_not_make_the_dialogs_own_buttons_stale(
    container: Container, owner: WebUser, clock: FixedClock
) -> None:
    adjuster, number = paged(container, owner, clock)
    report_until_time(owner)
    later(clock)
    assess(adjuster, number)
    complete_documents_in(container, number, "shop")
    adjuster.text(f"/settle {number} shop")
    assert owner.choices("claims.owner.settlement")[-1] == f"start:book:{number}"
    deliver(owner)
    later(clock)
    assert owner.choose("r:time:now")[-1] == "report.ask.location"


def test_the_shop_and_the_owner_answer_each_others_cards_by_number(
    container: Container, owner: WebUser, clock: FixedClock
) -> None:
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    book_maintenance(owner)
    assert owner.text("/help")[-1] == "intent.menu"  # the owner's own last list: 1. report
    assert staff.choices("booking.shop.request") == ["sh:1:ok", "sh:1:prop", "sh:1:no"]
    deliver(staff)
    later(clock)
    # The staff member never chatted before: the request card is all they have seen.
    assert staff.text("1") == ["booking.shop.done.confirmed"]
    assert booking_status(container) is BookingStatus.CONFIRMED
    assert owner.choices("booking.confirmed") == ["bk:1:resched", "bk:1:cancel"]
    deliver(owner)
    later(clock)
    assert owner.text("2") == ["booking.ask.cancel"]
    later(clock)
    assert owner.text("1") == ["booking.cancelled"]  # the owner's own last offer again
    assert booking_status(container) is BookingStatus.CANCELLED


def test_a_reminder_from_the_timers_is_answered_by_number(
    container: Container, owner: WebUser, clock: FixedClock
) -> None:
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    book_maintenance(owner, slot=7)  # Thursday 10:30
    owner.text("/help")
    later(clock)
    staff.choose("sh:1:ok")
    clock.advance(timedelta(minutes=30))  # Wednesday 10:30: the day before
    assert container.scheduler is not None
    container.scheduler.runner.run_due()
    assert owner.received()[-1] == "booking.reminder"
    deliver(owner)
    later(clock)
    assert owner.text("2") == ["booking.ask.cancel"]


def test_a_later_card_without_buttons_leaves_the_numbered_one_in_force(
    container: Container, owner: WebUser, clock: FixedClock
) -> None:
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    book_maintenance(owner)
    owner.text("/help")
    later(clock)
    staff.choose("sh:1:ok")  # the confirmation: 1. reschedule 2. cancel
    later(clock)
    staff.choose("sh:1:in")  # checked in: a notice without buttons
    assert owner.last("booking.arrived").choices == ()
    deliver(owner)
    later(clock)
    # "2" still means the confirmation's "cancel", checked against the booking, which
    # has moved on: refused as out of date, nothing changes.
    assert owner.text("2") == ["booking.refusal.wrong_stage"]
    assert booking_status(container) is BookingStatus.ARRIVED
