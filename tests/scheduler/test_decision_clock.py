"""The decision clock (保险法 第二十三条): it starts when the documents checklist is
complete; the supervisors are paged at 80 % and at breach, once each, and not once the
decision (a proposal) is made. Claims whose documents are not complete arm nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.adjudication import PaymentRoute, Survey, SurveyMode
from domain.claim import Claim
from domain.claim_documents import ask_documents, file_document, waive_document
from domain.documents import Document, Handling, Route, checklist
from domain.statutory_clocks import ClockRules
from scheduler.kinds import Registry
from scheduler.runner import TimerRunner
from scheduler.statutory_clocks import ClockPageConfig, clock_timer_kinds
from storage.db import Database
from tests.fakes import FixedClock
from tests.scheduler.helpers import config, outbox, timers
from tests.storage.helpers import complete_report, evidence_for, import_example, media, new_owner

COMPLETE = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
ZHAO = ("telegram", "900002")
NUMBER = "BA2026060100001"
ACTOR = "adjuster:ADJ-SH-01"
ROUTE = Route(PaymentRoute.OWNER, False, Handling.POLICE)


@pytest.fixture
def asked_claim(database: Database, directory_data: dict[str, Any]) -> str:
    """A claim being surveyed whose checklist was asked for and is missing one item."""
    import_example(database, directory_data)
    owner = new_owner(database)
    filed = COMPLETE - timedelta(days=2)
    with database.unit_of_work() as uow:
        files = [media(i) for i in range(3)]
        report = complete_report(evidence_for([(uow.media.add(f), f) for f in files]))
        report.accident_at = filed - timedelta(hours=2)
        policy = uow.policies.by_number("PDAA20260001")
        assert policy is not None
        claim = Claim.file(NUMBER, report, policy, owner, filed, f"party:{owner}")
        uow.claims.add(claim)
        claim.take(1, filed, ACTOR)
        claim.schedule_survey(Survey(SurveyMode.REMOTE, None, None), filed, ACTOR)
        ask_documents(claim, ROUTE, filed, ACTOR)
        for item in checklist(ROUTE):
            if item is not Document.BANK_CARD:
                file_document(claim, item, [1], filed, f"party:{owner}")
        uow.claims.save(claim)
        uow.commit()
    return NUMBER


def _complete(database: Database) -> None:
    with database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(NUMBER)
        assert claim is not None
        waive_document(claim, Document.BANK_CARD, "赔款转入保单预留账户", COMPLETE, ACTOR)
        uow.claims.save(claim)
        uow.commit()


def _runner(database: Database, clock: FixedClock) -> TimerRunner:
    kinds = clock_timer_kinds(ClockPageConfig(ClockRules()))
    run = TimerRunner(database, Registry(kinds), clock, config(), worker="test")
    run.ensure_recurring()
    return run


def _at(clock: FixedClock, run: TimerRunner, days: float) -> None:
    clock.current = COMPLETE + timedelta(days=days)
    run.run_due()


def test_paged_from_complete_documents(database: Database, asked_claim: str) -> None:
    clock = FixedClock(COMPLETE - timedelta(hours=1))
    run = _runner(database, clock)
    run.run_due()
    assert not any(key.startswith("clock_") and NUMBER in key for key in timers(database))
    _complete(database)
    _at(clock, run, 0.01)
    armed = timers(database)
    assert armed[f"clock_warn:decision:{asked_claim}"]["due_at"] == COMPLETE + timedelta(days=24)
    assert armed[f"clock_breach:decision:{asked_claim}"]["due_at"] == COMPLETE + timedelta(
        days=30
    )
    _at(clock, run, 23.9)
    assert outbox(database) == []
    _at(clock, run, 24)
    _at(clock, run, 30)
    _at(clock, run, 40)
    pages = [(r.payload["key"], r.payload["params"]["clock"]) for r in outbox(database)]
    assert pages == [("rulebook.page.at_risk", "decision"), ("rulebook.page.breached", "decision")]
    assert {(r.channel, r.chat_id) for r in outbox(database)} == {ZHAO}


def test_nothing_once_the_claim_is_decided(database: Database, asked_claim: str) -> None:
    clock = FixedClock(COMPLETE)
    run = _runner(database, clock)
    _complete(database)
    _at(clock, run, 0.01)
    with database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(asked_claim)
        assert claim is not None
        claim.reject("非保险责任", COMPLETE + timedelta(days=3), ACTOR)
        uow.claims.save(claim)
        uow.commit()
    _at(clock, run, 24)
    _at(clock, run, 30)
    assert outbox(database) == []
