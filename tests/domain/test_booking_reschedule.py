"""A confirmed booking the owner asks to move keeps its confirmed slot until the shop
agrees: a decline or an unanswered request leaves the appointment where it was, its bay
reserved all along and its reminders armed. Also: which reminders a confirmation may
promise, and the one rating owners and clients see."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain import booking_services as svc
from domain.booking import (
    Booking,
    BookingKind,
    BookingRules,
    BookingStatus,
    PastCutoff,
    SlotFull,
    TooManyReschedules,
)
from domain.booking_params import lead_params, reminder_params, shop_params
from domain.booking_timers import APPOINTMENT_REMINDER
from domain.shop import blend_rating, shown_rating
from domain.slots import TimeSlot
from tests.booking_fakes import PUDONG, PUDONG_STAFF, booking_uow
from tests.fakes import FakeUnitOfWork

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai
RULES = BookingRules()
OWNER = 7
THU_1030 = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
FRI_1030 = THU_1030 + timedelta(days=1)


def confirmed(uow: FakeUnitOfWork, start: datetime = THU_1030, owner: int = OWNER) -> Booking:
    request = svc.BookingRequest(
        BookingKind.MAINTENANCE, PUDONG.code, start, plate=f"沪A0000{owner}"
    )
    booking = svc.request_booking(uow, request, owner, NOW, RULES)
    assert booking.id is not None
    return svc.confirm(uow, booking.id, PUDONG_STAFF, NOW, RULES)


def reminder_keys(uow: FakeUnitOfWork, booking: Booking) -> set[str]:
    plans = uow.booking_timers.armed[booking.subject]
    return {p.key for p in plans if p.kind == APPOINTMENT_REMINDER}


def test_a_declined_reschedule_keeps_the_confirmed_appointment() -> None:
    uow = booking_uow()
    booking = confirmed(uow)
    assert booking.id is not None
    reminders = reminder_keys(uow, booking)
    asked = svc.reschedule(uow, booking.id, OWNER, FRI_1030, NOW, RULES)
    assert asked.status is BookingStatus.HELD and asked.slot.start == FRI_1030
    assert asked.kept_slot is not None and asked.kept_slot.start == THU_1030
    assert reminder_keys(uow, asked) == reminders  # the confirmed time still stands

    kept = svc.decline(uow, booking.id, PUDONG_STAFF, "周六配件不到", NOW, RULES)
    assert kept.status is BookingStatus.CONFIRMED
    assert (kept.slot.start, kept.kept_slot, kept.hold_expires_at) == (THU_1030, None, None)
    assert kept.decline_reason is None  # the booking was not declined, the move was
    last = kept.timeline[-1]
    assert (last.from_status, last.to_status) == (BookingStatus.HELD, BookingStatus.CONFIRMED)
    assert last.note == f"{asked.slot.key} declined: 周六配件不到"
    assert kept.reschedules == 1  # a declined request counts towards the limit
    assert reminder_keys(uow, kept) == reminders
    assert {p.kind for p in uow.booking_timers.armed[kept.subject]} == {APPOINTMENT_REMINDER}
    stored = uow.bookings.get(booking.id)
    assert stored is not None and stored.slot.start == THU_1030 and stored.kept_slot is None


def test_a_booking_never_confirmed_is_still_declined_outright() -> None:
    uow = booking_uow()
    request = svc.BookingRequest(BookingKind.MAINTENANCE, PUDONG.code, THU_1030, plate="沪A1")
    booking = svc.request_booking(uow, request, OWNER, NOW, RULES)
    assert booking.id is not None
    held = svc.reschedule(uow, booking.id, OWNER, FRI_1030, NOW, RULES)
    assert held.kept_slot is None  # nothing was confirmed: nothing to keep
    declined = svc.decline(uow, booking.id, PUDONG_STAFF, "没有配件", NOW, RULES)
    assert declined.status is BookingStatus.DECLINED and declined.decline_reason == "没有配件"


def test_the_old_slot_stays_reserved_while_the_shop_answers() -> None:
    uow = booking_uow()  # PUDONG has 3 bays
    booking = confirmed(uow)
    assert booking.id is not None
    svc.reschedule(uow, booking.id, OWNER, FRI_1030, NOW, RULES)
    slot = TimeSlot(THU_1030, THU_1030 + timedelta(hours=1))
    assert uow.bookings.overlapping(PUDONG.id, slot) == 1
    for owner in (20, 21):
        confirmed(uow, THU_1030, owner)
    with pytest.raises(SlotFull):  # the third bay is the one kept for the first owner
        confirmed(uow, THU_1030, 22)
    free = svc.shop_slots(uow, PUDONG, NOW, RULES, after=THU_1030 - timedelta(hours=1))
    assert THU_1030 not in [s.slot.start for s in free]

    kept = svc.decline(uow, booking.id, PUDONG_STAFF, "周六配件不到", NOW, RULES)
    assert kept.slot == slot
    assert uow.bookings.overlapping(PUDONG.id, slot) == PUDONG.bays  # never overbooked
    friday = TimeSlot(FRI_1030, FRI_1030 + timedelta(hours=1))
    assert uow.bookings.overlapping(PUDONG.id, friday) == 0  # the time asked for is free


def test_an_unanswered_reschedule_lapses_back_to_the_confirmed_time() -> None:
    uow = booking_uow()
    booking = confirmed(uow)
    assert booking.id is not None
    asked = svc.reschedule(uow, booking.id, OWNER, FRI_1030, NOW, RULES)
    assert asked.hold_expires_at == NOW + RULES.hold
    lapsed = svc.expire_hold(uow, booking.id, NOW + RULES.hold, RULES)
    assert lapsed is not None and lapsed.status is BookingStatus.CONFIRMED
    assert lapsed.slot.start == THU_1030 and lapsed.kept_slot is None
    assert lapsed.timeline[-1].note == f"{asked.slot.key} lapsed"
    assert {p.kind for p in uow.booking_timers.armed[lapsed.subject]} == {APPOINTMENT_REMINDER}


def test_a_counter_proposal_to_a_reschedule_lapses_back_too() -> None:
    uow = booking_uow()
    booking = confirmed(uow)
    assert booking.id is not None
    svc.reschedule(uow, booking.id, OWNER, FRI_1030, NOW, RULES)
    offered = FRI_1030 + timedelta(hours=2)
    proposed = svc.propose(uow, booking.id, PUDONG_STAFF, offered, NOW, RULES)
    assert proposed.status is BookingStatus.PROPOSED and proposed.kept_slot is not None
    lapsed = svc.expire_hold(uow, booking.id, NOW + RULES.hold, RULES)
    assert lapsed is not None and lapsed.status is BookingStatus.CONFIRMED
    assert lapsed.slot.start == THU_1030

    again = svc.reschedule(uow, booking.id, OWNER, FRI_1030, NOW, RULES)
    svc.propose(uow, booking.id, PUDONG_STAFF, offered, NOW, RULES)
    taken = svc.accept_proposal(uow, booking.id, OWNER, NOW, RULES)
    assert (taken.slot.start, taken.kept_slot) == (offered, None)
    assert again.reschedules == 2


def test_the_limit_and_the_cut_off_hold_while_a_move_is_asked() -> None:
    uow = booking_uow()
    booking = confirmed(uow)
    assert booking.id is not None
    svc.reschedule(uow, booking.id, OWNER, FRI_1030, NOW, RULES)
    with pytest.raises(PastCutoff):  # the confirmed time is 30 minutes away: too late
        svc.cancel(uow, booking.id, OWNER, THU_1030 - timedelta(minutes=30), RULES)
    svc.decline(uow, booking.id, PUDONG_STAFF, "没有空位", NOW, RULES)
    svc.reschedule(uow, booking.id, OWNER, FRI_1030, NOW, RULES)
    svc.decline(uow, booking.id, PUDONG_STAFF, "没有空位", NOW, RULES)
    with pytest.raises(TooManyReschedules):
        svc.reschedule(uow, booking.id, OWNER, FRI_1030, NOW, RULES)
    cancelled = svc.cancel(uow, booking.id, OWNER, NOW, RULES)
    assert cancelled.status is BookingStatus.CANCELLED


def test_a_hold_on_a_move_ends_before_the_confirmed_time() -> None:
    slow = replace(RULES, hold=timedelta(hours=30), cutoff=timedelta(hours=1))
    uow = booking_uow()
    booking = confirmed(uow)
    assert booking.id is not None
    asked = svc.reschedule(uow, booking.id, OWNER, FRI_1030, NOW, slow)
    assert asked.hold_expires_at == THU_1030


@pytest.mark.parametrize(
    ("ahead", "promised"),
    [
        (timedelta(hours=30), [{"unit": "days", "n": 1}, {"unit": "hours", "n": 2}]),
        (timedelta(hours=3), [{"unit": "hours", "n": 2}]),
        (timedelta(minutes=110), []),
    ],
)
def test_a_confirmation_promises_only_the_reminders_still_to_come(
    ahead: timedelta, promised: list[dict[str, object]]
) -> None:
    start = NOW + ahead
    booking = Booking(
        BookingKind.MAINTENANCE,
        PUDONG.id,
        OWNER,
        TimeSlot(start, start + timedelta(hours=1)),
        NOW,
        status=BookingStatus.CONFIRMED,
        id=1,
    )
    assert reminder_params(booking, RULES, NOW) == {"reminders": promised}
    assert reminder_params(booking, replace(RULES, reminders=()), NOW) == {"reminders": []}


def test_lead_times_are_named_in_the_largest_whole_unit() -> None:
    assert lead_params(timedelta(hours=48)) == {"unit": "days", "n": 2}
    assert lead_params(timedelta(hours=5)) == {"unit": "hours", "n": 5}
    assert lead_params(timedelta(minutes=90)) == {"unit": "minutes", "n": 90}


def test_one_rating_blends_the_directory_with_the_owners_stars() -> None:
    rated = replace(PUDONG, ratings_count=1, ratings_sum=2)
    assert rated.rating == pytest.approx((4.7 * 5 + 2) / 6)
    assert shop_params(rated)["rating"] == 4.2 == shown_rating(blend_rating(4.7, 1, 2))
    assert blend_rating(None, 2, 9) == 4.5 and blend_rating(None, 0, 0) is None
    assert shown_rating(None) is None


def test_cancelling_while_a_move_is_asked_keeps_the_appointment_that_stood() -> None:
    uow = booking_uow()
    booking = confirmed(uow)
    assert booking.id is not None
    asked = svc.reschedule(uow, booking.id, OWNER, FRI_1030, NOW, RULES)
    assert asked.pending_move is not None and asked.pending_move.start == FRI_1030
    cancelled = svc.cancel(uow, booking.id, OWNER, NOW, RULES)
    assert cancelled.status is BookingStatus.CANCELLED
    assert (cancelled.slot.start, cancelled.kept_slot) == (THU_1030, None)
    assert cancelled.timeline[-1].note == f"{asked.slot.key} withdrawn"
    assert uow.booking_timers.armed.get(cancelled.subject, []) == []
    for first, start in ((20, THU_1030), (40, FRI_1030)):  # both bays are free again
        for owner in range(first, first + PUDONG.bays):
            confirmed(uow, start, owner)
