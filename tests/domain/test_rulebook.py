"""Statutory clocks (保险法 第二十二—二十五条) and the documents checklist per route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.adjudication import PaymentRoute
from domain.documents import (
    Document,
    FastHandlingWithInjuries,
    Handling,
    Route,
    checklist,
    complete,
    missing,
)
from domain.statutory_clocks import (
    ClaimClockEvents,
    ClockKind,
    ClockRules,
    ClockState,
    claim_clocks,
    share_within_time,
)

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
RULES = ClockRules()


def _by_kind(events: ClaimClockEvents) -> dict[ClockKind, object]:
    return {clock.kind: clock for clock in claim_clocks(events, RULES)}


def test_no_clock_before_the_documents_are_complete() -> None:
    assert claim_clocks(ClaimClockEvents(), RULES) == []


def test_the_decision_is_due_30_days_after_complete_documents_warned_at_80_percent() -> None:
    clocks = {c.kind: c for c in claim_clocks(ClaimClockEvents(documents_complete_at=T0), RULES)}
    decision = clocks[ClockKind.DECISION]
    assert decision.due_at == T0 + timedelta(days=30)
    assert decision.warn_at == T0 + timedelta(days=24)
    assert decision.state(T0 + timedelta(days=23)) is ClockState.RUNNING
    assert decision.state(T0 + timedelta(days=24)) is ClockState.AT_RISK
    assert decision.state(T0 + timedelta(days=30)) is ClockState.BREACHED
    assert clocks[ClockKind.ADVANCE_PAYMENT].due_at == T0 + timedelta(days=60)


def test_a_simple_claim_has_the_shorter_decision_clock() -> None:
    events = ClaimClockEvents(documents_complete_at=T0, simple=True)
    decision = next(c for c in claim_clocks(events, RULES) if c.kind is ClockKind.DECISION)
    assert decision.due_at == T0 + timedelta(days=5)


def test_payment_is_due_10_days_after_agreement() -> None:
    agreed = T0 + timedelta(days=3)
    events = ClaimClockEvents(
        documents_complete_at=T0, decided_at=T0 + timedelta(days=2), agreed_at=agreed
    )
    clocks = {c.kind: c for c in claim_clocks(events, RULES)}
    payment = clocks[ClockKind.PAYMENT]
    assert payment.due_at == agreed + timedelta(days=10)
    assert payment.warn_at == agreed + timedelta(days=8)
    assert clocks[ClockKind.DECISION].state(agreed) is ClockState.MET
    assert clocks[ClockKind.ADVANCE_PAYMENT].stopped_at == agreed
    paid_late = ClaimClockEvents(
        documents_complete_at=T0, decided_at=T0, agreed_at=agreed, paid_at=agreed + timedelta(11)
    )
    late = next(c for c in claim_clocks(paid_late, RULES) if c.kind is ClockKind.PAYMENT)
    assert late.state(agreed + timedelta(days=40)) is ClockState.LATE


def test_a_rejection_notice_is_due_3_days_after_the_decision_to_reject() -> None:
    decided = T0 + timedelta(days=10)
    events = ClaimClockEvents(documents_complete_at=T0, decided_at=decided, rejected_at=decided)
    clocks = {c.kind: c for c in claim_clocks(events, RULES)}
    notice = clocks[ClockKind.REJECTION_NOTICE]
    assert notice.due_at == decided + timedelta(days=3)
    assert notice.state(decided + timedelta(days=3, seconds=1)) is ClockState.BREACHED
    assert ClockKind.PAYMENT not in clocks
    assert clocks[ClockKind.ADVANCE_PAYMENT].stopped_at == decided


def test_share_within_time_counts_finished_clocks() -> None:
    on_time = ClaimClockEvents(documents_complete_at=T0, decided_at=T0 + timedelta(days=29))
    late = ClaimClockEvents(documents_complete_at=T0, decided_at=T0 + timedelta(days=31))
    open_ = ClaimClockEvents(documents_complete_at=T0)
    clocks = [c for e in (on_time, late, open_) for c in claim_clocks(e, RULES)]
    assert share_within_time(clocks, ClockKind.DECISION) == (1, 2)


def test_clock_rules_are_checked() -> None:
    with pytest.raises(ValueError):
        ClockRules(decision_simple=timedelta(days=31))
    with pytest.raises(ValueError):
        ClockRules(warn_fraction=1.0)


def test_checklists_per_route() -> None:
    reimbursed = Route(PaymentRoute.OWNER, injuries=False, handling=Handling.FAST)
    assert checklist(reimbursed) == (
        Document.DRIVING_LICENCE,
        Document.VEHICLE_LICENCE,
        Document.ID_CARD,
        Document.AGREEMENT,
        Document.REPAIR_INVOICE,
        Document.BANK_CARD,
    )
    direct = Route(PaymentRoute.SHOP, injuries=True, handling=Handling.POLICE)
    items = checklist(direct)
    assert Document.POLICE_FINDING in items and Document.AGREEMENT not in items
    assert Document.DIRECT_PAY_AUTHORISATION in items and Document.BANK_CARD not in items
    assert {Document.MEDICAL_RECORDS, Document.MEDICAL_INVOICES} <= set(items)
    with pytest.raises(FastHandlingWithInjuries):
        Route(PaymentRoute.OWNER, injuries=True, handling=Handling.FAST)


def test_missing_items_in_order_and_waivers_count() -> None:
    route = Route(PaymentRoute.OWNER, injuries=False, handling=Handling.POLICE)
    received = {Document.ID_CARD, Document.DRIVING_LICENCE}
    assert missing(route, received)[:2] == (Document.VEHICLE_LICENCE, Document.POLICE_FINDING)
    everything_but_invoice = set(checklist(route)) - {Document.REPAIR_INVOICE}
    assert not complete(route, everything_but_invoice)
    assert complete(route, everything_but_invoice, waived={Document.REPAIR_INVOICE})
