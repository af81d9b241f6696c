"""The payment clock (保险法 第二十三条): the supervisors are paged at 80 % and at breach,
exactly once each (two passes, a restart), and not at all once the claim is paid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.adjudication import (
    Liability,
    LiabilityFinding,
    LossItem,
    LossKind,
    PaymentRoute,
    Survey,
    SurveyMode,
)
from domain.claim import Claim
from domain.money import Money
from domain.statutory_clocks import ClockRules
from locales.catalog import Catalogs
from scheduler.kinds import Registry
from scheduler.runner import TimerRunner
from scheduler.statutory_clocks import ClockPageConfig, clock_timer_kinds
from storage.db import Database
from tests.fakes import FixedClock
from tests.scheduler.helpers import config, outbox, timers
from tests.storage.helpers import complete_report, evidence_for, import_example, media, new_owner

AGREED = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
ZHAO = ("telegram", "900002")  # the supervisor of the example directory
NUMBER = "BA2026060100001"
CATALOGS = Catalogs(ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def agreed_claim(database: Database, directory_data: dict[str, Any]) -> str:
    """A claim assessed and agreed (paid to the owner), as the adjuster's steps leave it."""
    import_example(database, directory_data)
    owner = new_owner(database)
    actor = "adjuster:ADJ-SH-01"
    filed = AGREED - timedelta(days=2)
    with database.unit_of_work() as uow:
        files = [media(i) for i in range(3)]
        report = complete_report(evidence_for([(uow.media.add(f), f) for f in files]))
        report.accident_at = filed - timedelta(hours=2)
        policy = uow.policies.by_number("PDAA20260001")
        assert policy is not None
        claim = Claim.file(NUMBER, report, policy, owner, filed, f"party:{owner}")
        uow.claims.add(claim)
        claim.take(1, filed, actor)
        claim.schedule_survey(Survey(SurveyMode.REMOTE, None, None), filed, actor)
        claim.record_liability(LiabilityFinding(Liability.FULL, 100), filed, actor)
        claim.add_loss_item(LossItem(LossKind.PART, "后保险杠", Money(120_000)), filed, actor)
        settlement = claim.propose_settlement(PaymentRoute.OWNER, policy.coverage, filed, actor)
        claim.answer_settlement(settlement.version, True, "", AGREED, f"party:{owner}")
        uow.claims.save(claim)
        uow.commit()
    return NUMBER


def _runner(database: Database, clock: FixedClock, rules: ClockRules | None = None) -> TimerRunner:
    kinds = clock_timer_kinds(ClockPageConfig(rules or ClockRules()))
    run = TimerRunner(database, Registry(kinds), clock, config(), worker="test")
    run.ensure_recurring()
    return run


def _at(clock: FixedClock, run: TimerRunner, days: float) -> None:
    clock.current = AGREED + timedelta(days=days)
    run.run_due()


def _pages(database: Database) -> list[tuple[str, str, str]]:
    return [(r.payload["key"], r.channel, r.chat_id) for r in outbox(database)]


def test_paged_at_80_percent_and_at_breach_once_each(
    database: Database, agreed_claim: str
) -> None:
    clock = FixedClock(AGREED)
    run = _runner(database, clock)
    _at(clock, run, 0.01)  # the sweep arms both pages
    armed = timers(database)
    assert armed[f"clock_warn:payment:{agreed_claim}"]["due_at"] == AGREED + timedelta(days=8)
    assert armed[f"clock_breach:payment:{agreed_claim}"]["due_at"] == AGREED + timedelta(days=10)
    _at(clock, run, 7.9)
    assert _pages(database) == []

    _at(clock, run, 8)
    assert _pages(database) == [("rulebook.page.at_risk", *ZHAO)]
    row = outbox(database)[0]
    text = CATALOGS.render(row.locale, row.payload["key"], row.payload["params"])
    assert agreed_claim in text and "赔付时限" in text and "2026年06月11日 10:00" in text
    assert "十日内" in text

    run = _runner(database, clock)  # a restart: nothing is sent twice
    _at(clock, run, 9.99)
    _at(clock, run, 10)
    _at(clock, run, 30)
    assert _pages(database) == [("rulebook.page.at_risk", *ZHAO), ("rulebook.page.breached", *ZHAO)]
    for key in (f"clock_warn:payment:{agreed_claim}", f"clock_breach:payment:{agreed_claim}"):
        assert timers(database)[key]["fires"] == 1


def test_nothing_once_the_claim_is_paid(database: Database, agreed_claim: str) -> None:
    clock = FixedClock(AGREED)
    run = _runner(database, clock)
    _at(clock, run, 0.01)
    with database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(agreed_claim)
        assert claim is not None
        claim.record_payment(Money(120_000), "TX-1", AGREED + timedelta(days=3), "adjuster:X")
        uow.claims.save(claim)
        uow.commit()
    _at(clock, run, 8)
    _at(clock, run, 10)
    assert _pages(database) == []
    statuses = {t["status"] for k, t in timers(database).items() if k.startswith("clock_")}
    assert statuses == {"dropped"}  # skipped: nothing to send


def test_a_warning_come_due_after_the_breach_is_left_to_the_breach_page(
    database: Database, agreed_claim: str
) -> None:
    clock = FixedClock(AGREED)
    run = _runner(database, clock)
    _at(clock, run, 0.01)
    _at(clock, run, 12)  # the process was down from day 0 to day 12
    assert _pages(database) == [("rulebook.page.breached", *ZHAO)]
