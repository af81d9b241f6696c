"""Booking use cases on hand-written fakes: who may act, capacity, timers, direct repair."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain import booking_services as svc
from domain.adjudication import (
    PaymentRoute,
    ProposalOutcome,
    Settlement,
    SettlementFigures,
)
from domain.booking import (
    AlreadyBooked,
    BookingKind,
    BookingNotFound,
    BookingRules,
    BookingStatus,
    ClaimNotReady,
    NotShopStaff,
    Payer,
    RepairComplete,
    ShopUnknown,
    SlotFull,
    SlotUnavailable,
)
from domain.claim import Claim, ClaimStatus
from domain.money import Money
from domain.ranking import Need
from domain.report import ReportDraft
from tests.booking_fakes import PUDONG, PUDONG_STAFF, XUHUI, XUHUI_STAFF, booking_uow
from tests.fakes import FakeUnitOfWork

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai
RULES = BookingRules()
OWNER, STRANGER = 7, 8


def first_free(uow: FakeUnitOfWork, shop_code: str = "SHOP-PD-01") -> datetime:
    shop = uow.shops.by_code(shop_code)
    assert shop is not None
    return svc.shop_slots(uow, shop, NOW, RULES, limit=1)[0].slot.start


def request(
    uow: FakeUnitOfWork, start: datetime, owner: int = OWNER, **changes: object
) -> svc.BookingRequest:
    base = svc.BookingRequest(BookingKind.MAINTENANCE, "SHOP-PD-01", start, plate="沪A12345")
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_request_holds_the_slot_and_arms_its_timers() -> None:
    uow = booking_uow()
    start = first_free(uow)
    booking = svc.request_booking(uow, request(uow, start), OWNER, NOW, RULES)
    assert booking.status is BookingStatus.HELD and booking.id == 1
    assert booking.hold_expires_at == NOW + RULES.hold
    assert uow.bookings.locked_shops == [PUDONG.id]
    kinds = {plan.kind for plan in uow.booking_timers.armed["booking:1"]}
    assert kinds == {"booking_hold_expiry", "booking_shop_nudge"}
    with pytest.raises(AlreadyBooked):  # the same car, while the first is open
        svc.request_booking(uow, request(uow, start), OWNER, NOW, RULES)


def test_a_full_slot_is_refused_and_nothing_is_stored() -> None:
    uow = booking_uow()
    start = first_free(uow)
    for owner in range(PUDONG.bays):
        svc.request_booking(uow, request(uow, start, plate=f"沪A0000{owner}"), owner, NOW, RULES)
    with pytest.raises(SlotFull):
        svc.request_booking(uow, request(uow, start), OWNER, NOW, RULES)
    assert len(uow.bookings.rows) == PUDONG.bays
    assert first_free(uow) > start  # the full slot is no longer offered


@pytest.mark.parametrize("offset", [timedelta(hours=-3), timedelta(minutes=30)])
def test_past_and_too_soon_slots_are_refused(offset: timedelta) -> None:
    uow = booking_uow()
    start = NOW.replace(minute=30) + offset
    with pytest.raises(SlotUnavailable):
        svc.request_booking(uow, request(uow, start), OWNER, NOW, RULES)
    assert uow.bookings.rows == {}


def test_shops_nobody_answers_for_are_not_offered() -> None:
    unstaffed = replace(XUHUI, staffed=False)
    uow = booking_uow(shops=(PUDONG, unstaffed))
    found = svc.search_shops(uow, Need("maintenance"), NOW, RULES)
    assert [r.shop.code for r in found] == ["SHOP-PD-01"]
    with pytest.raises(ShopUnknown):
        svc.request_booking(uow, request(uow, NOW, shop_code=XUHUI.code), OWNER, NOW, RULES)


def test_shop_staff_act_only_on_their_own_shops_bookings() -> None:
    uow = booking_uow()
    booking = svc.request_booking(uow, request(uow, first_free(uow)), OWNER, NOW, RULES)
    assert booking.id is not None
    with pytest.raises(BookingNotFound):
        svc.confirm(uow, booking.id, XUHUI_STAFF, NOW, RULES)
    with pytest.raises(NotShopStaff):
        svc.shop_staff(uow, OWNER)
    assert svc.shop_staff(uow, PUDONG_STAFF.party_id or 0) == PUDONG_STAFF
    confirmed = svc.confirm(uow, booking.id, PUDONG_STAFF, NOW, RULES)
    assert confirmed.status is BookingStatus.CONFIRMED


def test_owners_act_only_on_their_own_bookings() -> None:
    uow = booking_uow()
    booking = svc.request_booking(uow, request(uow, first_free(uow)), OWNER, NOW, RULES)
    assert booking.id is not None
    with pytest.raises(BookingNotFound):
        svc.cancel(uow, booking.id, STRANGER, NOW, RULES)
    with pytest.raises(BookingNotFound):
        svc.cancel(uow, 999, OWNER, NOW, RULES)
    assert uow.bookings.rows[booking.id].status is BookingStatus.HELD


def test_a_proposal_needs_a_free_bay_too() -> None:
    uow = booking_uow(shops=(replace(PUDONG, bays=1), XUHUI))
    start = first_free(uow)
    first = svc.request_booking(uow, request(uow, start), OWNER, NOW, RULES)
    later = start + timedelta(hours=1)
    svc.request_booking(uow, request(uow, later, plate="沪B00001"), STRANGER, NOW, RULES)
    assert first.id is not None
    with pytest.raises(SlotFull):
        svc.propose(uow, first.id, PUDONG_STAFF, later, NOW, RULES)
    proposed = svc.propose(uow, first.id, PUDONG_STAFF, later + timedelta(hours=1), NOW, RULES)
    assert proposed.status is BookingStatus.PROPOSED
    assert first_free(uow) == start  # the slot first asked for is free again


def test_a_hold_expires_only_when_unanswered_past_its_deadline() -> None:
    uow = booking_uow()
    booking = svc.request_booking(uow, request(uow, first_free(uow)), OWNER, NOW, RULES)
    assert booking.id is not None
    assert svc.expire_hold(uow, booking.id, NOW + timedelta(minutes=59), RULES) is None
    expired = svc.expire_hold(uow, booking.id, NOW + timedelta(minutes=60), RULES)
    assert expired is not None and expired.status is BookingStatus.EXPIRED
    assert uow.booking_timers.armed["booking:1"] == []
    alternatives = svc.alternatives(uow, expired, NOW, RULES)
    assert [r.shop.code for r in alternatives] == ["SHOP-XH-02"]

    answered = svc.request_booking(uow, request(uow, first_free(uow)), OWNER, NOW, RULES)
    assert answered.id is not None
    svc.confirm(uow, answered.id, PUDONG_STAFF, NOW, RULES)
    assert svc.expire_hold(uow, answered.id, NOW + timedelta(hours=2), RULES) is None


def claim(status: ClaimStatus, route: PaymentRoute | None = None) -> Claim:
    made = Claim(
        number="BA2026112500001",
        policy_number="PDAA20260001",
        owner_id=OWNER,
        report=ReportDraft(plate="沪A12345"),
        reported_at=NOW,
        status=status,
    )
    if route is not None:
        figures = SettlementFigures(
            Money(150_000), 100, Money(150_000), Money(150_000), Money(0), Money(0), Money(150_000)
        )
        settlement = Settlement(1, route, figures, "adjuster:X", NOW, ProposalOutcome.ACCEPTED)
        made.adjudication.settlements.append(settlement)
    return made


def repaired(uow: FakeUnitOfWork, claim_number: str | None) -> int:
    booking = svc.request_booking(
        uow, request(uow, first_free(uow), claim_number=claim_number), OWNER, NOW, RULES
    )
    assert booking.id is not None
    for step in (svc.confirm, svc.arrive):
        step(uow, booking.id, PUDONG_STAFF, NOW, RULES)
    svc.start_repair(uow, booking.id, PUDONG_STAFF, NOW + timedelta(days=1), NOW, RULES)
    svc.mark_ready(uow, booking.id, PUDONG_STAFF, NOW, RULES)
    return booking.id


def test_a_direct_repair_is_paid_by_the_insurer_at_acceptance() -> None:
    uow = booking_uow()
    uow.claims.add(claim(ClaimStatus.AGREED, PaymentRoute.SHOP))
    booking = svc.accept_repair(uow, repaired(uow, "BA2026112500001"), OWNER, NOW, RULES)
    assert booking.status is BookingStatus.PAID
    assert (booking.payer, booking.paid) == (Payer.INSURER, Money(150_000))


def test_otherwise_the_owner_records_the_payment() -> None:
    uow = booking_uow()
    uow.claims.add(claim(ClaimStatus.AGREED, PaymentRoute.OWNER))
    booking_id = repaired(uow, "BA2026112500001")
    assert svc.accept_repair(uow, booking_id, OWNER, NOW, RULES).status is BookingStatus.ACCEPTED
    paid = svc.pay(uow, booking_id, OWNER, Money.from_yuan("980"), NOW, RULES)
    assert (paid.payer, paid.paid) == (Payer.OWNER, Money(98_000))
    assert {p.kind for p in uow.booking_timers.armed[paid.subject]} == {"booking_maintenance"}


def test_a_claim_repair_is_booked_once_assessed_and_only_by_its_owner() -> None:
    uow = booking_uow()
    uow.claims.add(claim(ClaimStatus.SURVEYING))
    with pytest.raises(ClaimNotReady):
        svc.claim_for_booking(uow, "BA2026112500001", OWNER)
    uow.claims.claims["BA2026112500001"].status = ClaimStatus.ASSESSED
    with pytest.raises(ClaimNotReady):
        svc.claim_for_booking(uow, "BA2026112500001", STRANGER)
    assert svc.claim_for_booking(uow, "ba2026112500001", OWNER).number == "BA2026112500001"
    assert [c.number for c in svc.bookable_claims(uow, OWNER)] == ["BA2026112500001"]
    svc.request_booking(
        uow, request(uow, first_free(uow), claim_number="BA2026112500001"), OWNER, NOW, RULES
    )
    assert svc.bookable_claims(uow, OWNER) == []


def test_a_claim_whose_repair_was_accepted_is_not_booked_again() -> None:
    uow = booking_uow()
    uow.claims.add(claim(ClaimStatus.AGREED, PaymentRoute.SHOP))
    booking_id = repaired(uow, "BA2026112500001")
    svc.rate(
        uow, svc.accept_repair(uow, booking_id, OWNER, NOW, RULES).id or 0, OWNER, 5, NOW, RULES
    )
    assert svc.bookable_claims(uow, OWNER) == []
    with pytest.raises(RepairComplete) as refused:
        svc.claim_for_booking(uow, "BA2026112500001", OWNER)
    assert refused.value.params == {"number": "BA2026112500001", "booking": booking_id}
    with pytest.raises(RepairComplete):
        svc.request_booking(
            uow, request(uow, first_free(uow), claim_number="BA2026112500001"), OWNER, NOW, RULES
        )


def test_a_direct_repair_leaves_the_owner_the_loss_the_payout_does_not_cover() -> None:
    uow = booking_uow()
    made = claim(ClaimStatus.AGREED, PaymentRoute.SHOP)
    figures = SettlementFigures(
        Money(180_000), 100, Money(180_000), Money(180_000), Money(0), Money(50_000), Money(130_000)
    )
    made.adjudication.settlements[0] = replace(made.adjudication.settlements[0], figures=figures)
    uow.claims.add(made)
    booking = svc.accept_repair(uow, repaired(uow, "BA2026112500001"), OWNER, NOW, RULES)
    assert booking.paid == Money(130_000)
    assert svc.direct_repair_figures(uow, booking) == figures
