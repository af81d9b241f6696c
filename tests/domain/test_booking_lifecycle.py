"""The booking lifecycle: only allowed transitions, cut-off, reschedule limit, the timers
a booking should have in each state, and the bounds on what people type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.booking import (
    ALLOWED_TRANSITIONS,
    BadAmount,
    BadEstimate,
    BadRating,
    BadText,
    Booking,
    BookingKind,
    BookingRules,
    BookingStatus,
    BookingWrongStage,
    PastCutoff,
    Payer,
    TooManyReschedules,
    documents,
)
from domain.booking_timers import (
    APPOINTMENT_REMINDER,
    HOLD_EXPIRY,
    MAINTENANCE_REMINDER,
    SHOP_NUDGE,
    add_months,
    timer_plans,
)
from domain.money import Money
from domain.slots import TimeSlot

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
SLOT = TimeSlot(NOW + timedelta(days=2), NOW + timedelta(days=2, hours=1))
OTHER = TimeSlot(NOW + timedelta(days=3), NOW + timedelta(days=3, hours=1))
RULES = BookingRules()
S = BookingStatus


def booking(status: BookingStatus = S.REQUESTED, **changes: object) -> Booking:
    made = Booking(
        kind=BookingKind.REPAIR,
        shop_id=1,
        owner_id=7,
        slot=SLOT,
        created_at=NOW,
        status=status,
        id=42,
        claim_number="BA2026112500001",
    )
    for name, value in changes.items():
        setattr(made, name, value)
    return made


ACTIONS: dict[str, tuple[Callable[[Booking], None], BookingStatus]] = {
    "hold": (lambda b: b.hold(NOW, NOW + timedelta(hours=1), "o"), S.HELD),
    "confirm": (lambda b: b.confirm(NOW, "s"), S.CONFIRMED),
    "propose": (lambda b: b.propose(OTHER, NOW, NOW + timedelta(hours=1), "s"), S.PROPOSED),
    "decline": (lambda b: b.decline("配件缺货", NOW, "s"), S.DECLINED),
    "expire": (lambda b: b.expire(NOW), S.EXPIRED),
    "accept_proposal": (lambda b: b.accept_proposal(NOW, "o"), S.CONFIRMED),
    "reschedule": (lambda b: b.reschedule(OTHER, NOW, NOW, RULES, "o"), S.HELD),
    "cancel": (lambda b: b.cancel(NOW, RULES, "o"), S.CANCELLED),
    "arrive": (lambda b: b.arrive(NOW, "s"), S.ARRIVED),
    "start_repair": (
        lambda b: b.start_repair(NOW + timedelta(days=1), NOW, RULES, "s"),
        S.IN_REPAIR,
    ),
    "ready": (lambda b: b.mark_ready(NOW, "s"), S.READY),
    "accept": (lambda b: b.accept_repair(NOW, "o"), S.ACCEPTED),
    "problem": (lambda b: b.report_problem("左后门有划痕", NOW, "o"), S.PROBLEM),
    "pay": (lambda b: b.record_payment(Payer.OWNER, Money(88000), NOW, RULES, "o"), S.PAID),
    "rate": (lambda b: b.rate(4, NOW, "o"), S.RATED),
}


def test_every_change_follows_the_lifecycle_and_every_step_can_happen() -> None:
    realised: set[tuple[BookingStatus, BookingStatus]] = set()
    for status in BookingStatus:
        for name, (act, target) in ACTIONS.items():
            subject = booking(status)
            try:
                act(subject)
            except BookingWrongStage:
                assert subject.status is status and subject.timeline == [], (status, name)
                continue
            assert subject.status is target, (status, name)
            assert target in ALLOWED_TRANSITIONS[status], (status, name)
            assert subject.timeline[-1].from_status is status
            realised.add((status, target))
    allowed = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert realised == allowed


def test_a_booking_from_request_to_rating() -> None:
    b = booking()
    for name in ("hold", "confirm", "arrive", "start_repair", "ready"):
        ACTIONS[name][0](b)
    ACTIONS["problem"][0](b)
    for name in ("start_repair", "ready", "accept", "pay", "rate"):
        ACTIONS[name][0](b)
    b.add_comment("师傅很专业", NOW, "o")
    assert b.status is S.RATED and b.rating == 4 and b.comment == "师傅很专业"
    assert b.accepted_at == NOW and b.problem is None
    assert [c.to_status for c in b.timeline][:3] == [S.HELD, S.CONFIRMED, S.ARRIVED]
    with pytest.raises(BookingWrongStage):
        b.add_comment("again", NOW, "o")


def test_a_confirmed_slot_changes_only_up_to_the_cutoff() -> None:
    rules = BookingRules(cutoff=timedelta(hours=2))
    late = SLOT.start - timedelta(hours=1)
    for act in (
        lambda b: b.cancel(late, rules, "o"),
        lambda b: b.reschedule(OTHER, late, late, rules, "o"),
    ):
        confirmed = booking(S.CONFIRMED)
        with pytest.raises(PastCutoff):
            act(confirmed)
        assert confirmed.status is S.CONFIRMED
    waiting = booking(S.HELD)  # not yet the shop's commitment: always cancellable
    waiting.cancel(late, rules, "o")
    assert waiting.status is S.CANCELLED
    in_time = booking(S.CONFIRMED)
    in_time.cancel(SLOT.start - timedelta(hours=2), rules, "o")
    assert in_time.status is S.CANCELLED


def test_the_reschedule_limit_and_answers_to_proposals() -> None:
    rules = BookingRules(max_reschedules=2)
    b = booking(S.CONFIRMED)
    for _ in range(2):
        b.reschedule(OTHER, NOW, NOW, rules, "o")
        b.confirm(NOW, "s")
    assert b.reschedules == 2
    with pytest.raises(TooManyReschedules):
        b.reschedule(SLOT, NOW, NOW, rules, "o")
    assert b.slot == OTHER and b.status is S.CONFIRMED
    proposed = booking(S.PROPOSED, reschedules=2)  # picking again after a proposal is free
    proposed.reschedule(SLOT, NOW, NOW, rules, "o")
    assert proposed.status is S.HELD and proposed.reschedules == 2


def test_a_hold_lasts_the_hold_time_but_never_past_the_slot() -> None:
    rules = BookingRules(hold=timedelta(minutes=60))
    assert rules.hold_until(NOW, SLOT) == NOW + timedelta(minutes=60)
    soon = TimeSlot(NOW + timedelta(minutes=30), NOW + timedelta(minutes=90))
    assert rules.hold_until(NOW, soon) == soon.start
    b = booking(S.HELD, hold_expires_at=NOW + timedelta(minutes=60))
    assert not b.hold_lapsed(NOW + timedelta(minutes=59))
    assert b.hold_lapsed(NOW + timedelta(minutes=60))
    assert not booking(S.CONFIRMED, hold_expires_at=NOW).hold_lapsed(NOW + timedelta(days=1))


def test_the_timers_of_each_state() -> None:
    held = booking()
    held.hold(NOW, NOW + timedelta(minutes=60), "o")
    plans = {p.kind: p for p in timer_plans(held, RULES, NOW)}
    assert plans.keys() == {HOLD_EXPIRY, SHOP_NUDGE}
    assert plans[HOLD_EXPIRY].due_at == NOW + timedelta(minutes=60)
    assert plans[SHOP_NUDGE].due_at == NOW + timedelta(minutes=30)

    held.confirm(NOW, "s")
    reminders = timer_plans(held, RULES, NOW)
    assert {p.kind for p in reminders} == {APPOINTMENT_REMINDER}
    assert sorted(p.due_at for p in reminders) == [
        SLOT.start - timedelta(hours=24),
        SLOT.start - timedelta(hours=2),
    ]
    assert all(p.payload["expires_at"] == SLOT.start.isoformat() for p in reminders)
    late = SLOT.start - timedelta(hours=3)  # the day-before reminder is past: not armed
    assert len(timer_plans(held, RULES, late)) == 1

    held.reschedule(OTHER, NOW, NOW + timedelta(minutes=60), RULES, "o")
    asking = timer_plans(held, RULES, NOW)  # the confirmed time still stands: its reminders
    assert [p for p in asking if p.kind == APPOINTMENT_REMINDER] == reminders
    assert {p.kind for p in asking} == {APPOINTMENT_REMINDER, HOLD_EXPIRY, SHOP_NUDGE}
    held.confirm(NOW, "s")  # the shop agreed: reminders for the new time only
    moved = timer_plans(held, RULES, NOW)
    assert {p.key for p in moved}.isdisjoint(p.key for p in reminders)
    assert all(p.payload["slot"] == OTHER.key for p in moved)

    done = booking(S.READY)
    done.accept_repair(NOW, "o")
    (maintenance,) = timer_plans(done, RULES, NOW)
    assert maintenance.kind == MAINTENANCE_REMINDER
    assert maintenance.due_at == datetime(2027, 5, 25, 2, 0, tzinfo=UTC)
    assert timer_plans(booking(S.CANCELLED), RULES, NOW) == []
    assert timer_plans(done, BookingRules(maintenance_after_months=0), NOW) == []


def test_months_later_on_short_months() -> None:
    assert add_months(datetime(2026, 8, 31, 10, tzinfo=UTC), 6) == datetime(
        2027, 2, 28, 10, tzinfo=UTC
    )
    assert add_months(datetime(2026, 11, 25, tzinfo=UTC), 2).month == 1


@pytest.mark.parametrize(
    ("act", "error"),
    [
        (lambda b: b.start_repair(NOW - timedelta(minutes=1), NOW, RULES, "s"), BadEstimate),
        (lambda b: b.start_repair(NOW + timedelta(days=61), NOW, RULES, "s"), BadEstimate),
    ],
)
def test_an_estimate_lies_ahead_and_not_too_far(
    act: Callable[[Booking], None], error: type[Exception]
) -> None:
    b = booking(S.ARRIVED)
    with pytest.raises(error):
        act(b)
    assert b.status is S.ARRIVED


def test_ratings_amounts_and_texts_are_bounded() -> None:
    paid = booking(S.PAID)
    for stars in (0, 6):
        with pytest.raises(BadRating):
            paid.rate(stars, NOW, "o")
    accepted = booking(S.ACCEPTED)
    with pytest.raises(BadAmount):
        accepted.record_payment(Payer.OWNER, Money(-1), NOW, RULES, "o")
    with pytest.raises(BadAmount):
        accepted.record_payment(Payer.OWNER, Money.from_yuan("1000000.01"), NOW, RULES, "o")
    held = booking(S.HELD)
    for text in ("", " x ", "长" * 501):
        with pytest.raises(BadText):
            held.decline(text, NOW, "s")
    assert (paid.status, accepted.status, held.status) == (S.PAID, S.ACCEPTED, S.HELD)


def test_what_to_bring() -> None:
    assert documents(booking()) == ["policy", "licence", "claim_number", "assessment"]
    maintenance = booking(kind=BookingKind.MAINTENANCE, claim_number=None)
    assert documents(maintenance) == ["policy", "licence"]
