"""The scheduler's timer store behaves the same behind the test fake
(tests/fakes_scheduler.py) and the SQL implementation on SQLite and PostgreSQL: one case
per method of ``domain.scheduler_ports.TimerStore``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

import pytest

from domain.claim import Action, Claim, ClaimStatus, format_claim_number
from domain.handoffs import Handoff
from domain.ports import UnitOfWork
from domain.scheduler_ports import ClockReads, EscalationReads, TimerStore
from domain.timers import CANCELLED, DROPPED, FIRED, FIRING, PENDING, Timer, TimerSpec
from storage.db import Database
from storage.repositories.directory import import_directory
from tests.conftest import _truncate
from tests.engine_harness import sample_directory
from tests.fakes import FakeUnitOfWork
from tests.fakes_scheduler import (
    FakeClockReads,
    FakeEscalationReads,
    FakeHandoffQueue,
    FakeTimerStore,
)
from tests.storage.helpers import complete_report, evidence_for, media

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def timers(request: pytest.FixtureRequest) -> Iterator[TimerStore]:
    if request.param == "fake":
        yield FakeTimerStore()
        return
    if request.param == "sqlite":
        database: Database = request.getfixturevalue("sqlite_database")
    else:
        database = request.getfixturevalue("_postgres_database")
        _truncate(database)
    with database.unit_of_work() as uow:
        yield uow.timers
        uow.rollback()


def _spec(key: str, minutes: int = 0, subject: str | None = None, kind: str = "k") -> TimerSpec:
    return TimerSpec(kind, key, NOW + timedelta(minutes=minutes), {"n": key}, subject)


def _claimed(timers: TimerStore, key: str, token: str = "w#1") -> Timer:
    timers.add(_spec(key))
    (timer,) = timers.claim_due(token, NOW, 10)
    return timer


def test_a_timer_is_added_once_per_key(timers: TimerStore) -> None:
    assert timers.add(_spec("a", 5, "s"), NOW) is True
    assert timers.add(_spec("a", 9), NOW) is False
    timer = timers.get("a")
    assert timer is not None
    assert (timer.kind, timer.subject, timer.payload, timer.status) == (
        "k",
        "s",
        {"n": "a"},
        PENDING,
    )
    assert timer.due_at == NOW + timedelta(minutes=5) and (timer.attempts, timer.fires) == (0, 0)


def test_add_many_counts_only_new_keys(timers: TimerStore) -> None:
    timers.add(_spec("a"), NOW)
    assert timers.add_many([_spec("a"), _spec("b"), _spec("c")], NOW) == 2
    assert timers.add_many([], NOW) == 0


def test_set_rearms_whatever_the_state_and_voids_a_claim(timers: TimerStore) -> None:
    timer = _claimed(timers, "a")
    timers.set(_spec("a", 30, kind="k2"), NOW)
    again = timers.get("a")
    assert again is not None and (again.status, again.kind, again.attempts) == (PENDING, "k2", 0)
    assert again.due_at == NOW + timedelta(minutes=30)
    assert timers.hold(timer, NOW) is False
    timers.set(_spec("new", 1), NOW)
    assert timers.get("new") is not None


def test_ensure_leaves_a_pending_timer_and_revives_a_finished_one(timers: TimerStore) -> None:
    assert timers.ensure(_spec("a", 5), NOW) is True
    assert timers.ensure(_spec("a", 60), NOW) is False
    timer = timers.get("a")
    assert timer is not None and timer.due_at == NOW + timedelta(minutes=5)
    timers.cancel("a", NOW)
    assert timers.ensure(_spec("a", 60), NOW) is True
    revived = timers.get("a")
    assert revived is not None and revived.status == PENDING


def test_only_a_pending_timer_moves(timers: TimerStore) -> None:
    timers.add(_spec("a"), NOW)
    assert timers.move("a", NOW + timedelta(hours=1), NOW) is True
    moved = timers.get("a")
    assert moved is not None and moved.due_at == NOW + timedelta(hours=1)
    assert timers.move("missing", NOW, NOW) is False
    timers.cancel("a", NOW)
    assert timers.move("a", NOW, NOW) is False


def test_cancel_ends_a_pending_or_firing_timer_once(timers: TimerStore) -> None:
    _claimed(timers, "a")
    assert timers.cancel("a", NOW) is True
    assert timers.cancel("a", NOW) is False and timers.cancel("missing", NOW) is False
    cancelled = timers.get("a")
    assert cancelled is not None and cancelled.status == CANCELLED


def test_cancel_subject_by_kind_or_all(timers: TimerStore) -> None:
    timers.add_many([_spec("a", 0, "s", "x"), _spec("b", 0, "s", "y"), _spec("c", 0, "t")], NOW)
    assert timers.cancel_subject("s", ["x"], NOW) == 1
    assert timers.cancel_subject("s", None, NOW) == 1
    assert timers.cancel_subject("s", None, NOW) == 0
    statuses = [t.status for k in "abc" if (t := timers.get(k))]
    assert statuses == [CANCELLED, CANCELLED, PENDING]


def test_get_an_unknown_key(timers: TimerStore) -> None:
    assert timers.get("nothing") is None


def test_claim_takes_due_timers_earliest_first_once(timers: TimerStore) -> None:
    timers.add_many([_spec("late", -1), _spec("early", -5), _spec("later", 5)], NOW)
    first = timers.claim_due("w#1", NOW, 1)
    assert [(t.key, t.status, t.claimed_by, t.attempts) for t in first] == [
        ("early", FIRING, "w#1", 1)
    ]
    assert [t.key for t in timers.claim_due("w#2", NOW, 10)] == ["late"]
    assert timers.claim_due("w#3", NOW, 10) == []


def test_hold_is_true_only_for_the_claim_that_holds_it(timers: TimerStore) -> None:
    timer = _claimed(timers, "a")
    assert timers.hold(timer, NOW) is True
    assert timers.hold(replace(timer, claimed_by="someone else"), NOW) is False


def test_hold_many_returns_the_ids_still_held(timers: TimerStore) -> None:
    timers.add_many([_spec("a"), _spec("b")], NOW)
    a, b = timers.claim_due("w#1", NOW, 10)
    timers.cancel("b", NOW)
    assert timers.hold_many([a, b], NOW) == frozenset({a.id})
    assert timers.hold_many([], NOW) == frozenset()


def test_fired_finishes_held_timers_and_counts_a_fire(timers: TimerStore) -> None:
    timer = _claimed(timers, "a")
    assert timers.fired([timer.id], NOW) == 1
    assert timers.fired([timer.id], NOW) == 0 and timers.fired([], NOW) == 0
    done = timers.get("a")
    assert done is not None and (done.status, done.fires) == (FIRED, 1)


def test_finish_drops_without_a_fire_and_refuses_other_statuses(timers: TimerStore) -> None:
    timer = _claimed(timers, "a")
    with pytest.raises(ValueError):
        timers.finish(timer, PENDING, NOW)
    timers.finish(timer, DROPPED, NOW, "late")
    done = timers.get("a")
    assert done is not None and (done.status, done.fires) == (DROPPED, 0)


def test_defer_puts_a_timer_back_with_its_attempts_counted_or_not(timers: TimerStore) -> None:
    timer = _claimed(timers, "a")
    timers.defer(timer, NOW + timedelta(minutes=10), NOW, "quiet hours")
    back = timers.get("a")
    assert back is not None and (back.status, back.attempts, back.claimed_by) == (PENDING, 0, None)
    assert timers.claim_due("w#2", NOW, 10) == []
    (again,) = timers.claim_due("w#3", NOW + timedelta(minutes=10), 10)
    timers.defer(again, NOW + timedelta(minutes=20), NOW, "retry", count_attempt=True)
    retried = timers.get("a")
    assert retried is not None and retried.attempts == 1


def test_release_stale_hands_back_only_old_claims(timers: TimerStore) -> None:
    timer = _claimed(timers, "a")
    assert timers.release_stale(NOW) == 0
    assert timers.release_stale(NOW + timedelta(seconds=1)) == 1
    assert timers.hold(timer, NOW) is False
    released = timers.get("a")
    assert released is not None and (released.status, released.claimed_by) == (PENDING, None)


def test_next_due_is_the_earliest_pending(timers: TimerStore) -> None:
    assert timers.next_due() is None
    timers.add_many([_spec("a", 9), _spec("b", 3)], NOW)
    assert timers.next_due() == NOW + timedelta(minutes=3)
    timers.cancel("b", NOW)
    assert timers.next_due() == NOW + timedelta(minutes=9)


# --- handoffs as the answer-time check sees them (HandoffQueue) --------------------------


class SeededHandoffs(Protocol):
    """A ``HandoffQueue`` with storage's ``open`` and ``add_message`` to seed it."""

    def open(
        self, party_id: int, channel: str, chat_id: str, locale: str, reason: str, now: datetime
    ) -> int: ...

    def add_message(
        self, handoff_id: int, now: datetime, text: str, *, from_owner: bool, author: str | None
    ) -> None: ...

    def unanswered(self, opened_before: datetime, limit: int = 100) -> list[Handoff]: ...

    def mark_paged(self, handoff_id: int, now: datetime) -> None: ...

    def close(self, handoff_id: int, now: datetime, by: str) -> bool: ...


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def handoffs(request: pytest.FixtureRequest) -> Iterator[tuple[SeededHandoffs, list[int]]]:
    if request.param == "fake":
        yield FakeHandoffQueue(), [101, 102, 103]
        return
    if request.param == "sqlite":
        database: Database = request.getfixturevalue("sqlite_database")
    else:
        database = request.getfixturevalue("_postgres_database")
        _truncate(database)
    with database.unit_of_work() as uow:
        parties = [uow.parties.resolve("test", f"handoff-{n}").id for n in range(3)]
        yield uow.handoffs, parties
        uow.rollback()


def test_unanswered_handoffs_are_old_unreplied_and_not_paged(
    handoffs: tuple[SeededHandoffs, list[int]],
) -> None:
    queue, (a, b, c) = handoffs
    old = queue.open(a, "test", "1", "zh_CN", "asked", NOW - timedelta(minutes=30))
    queue.add_message(old, NOW - timedelta(minutes=29), "hello?", from_owner=True, author=None)
    answered = queue.open(b, "test", "2", "en", "asked", NOW - timedelta(minutes=40))
    queue.add_message(answered, NOW, "here", from_owner=False, author="Li")
    queue.open(c, "test", "3", "en", "asked", NOW)
    late = queue.unanswered(NOW - timedelta(minutes=10))
    assert [(h.id, h.party_id, h.reason) for h in late] == [(old, a, "asked")]
    assert [m.text for m in late[0].messages] == ["hello?"]


def test_a_paged_handoff_is_not_unanswered_again(
    handoffs: tuple[SeededHandoffs, list[int]],
) -> None:
    queue, (a, b, _) = handoffs
    first = queue.open(a, "test", "1", "en", "asked", NOW - timedelta(minutes=30))
    second = queue.open(b, "test", "2", "en", "asked", NOW - timedelta(minutes=20))
    queue.mark_paged(first, NOW)
    assert [h.id for h in queue.unanswered(NOW, limit=5)] == [second]


# --- the escalation sweep's query (EscalationReads) ---------------------------------------


@dataclass
class Filing:
    uow: UnitOfWork
    timers: TimerStore
    queries: EscalationReads
    clocks: ClockReads
    owner: int
    media: Callable[[int], int]  # a stored photo's media id


def _filing_fake() -> Filing:
    uow = FakeUnitOfWork()
    timers = FakeTimerStore()
    claims = uow.claims.claims
    escalation, clocks = FakeEscalationReads(claims, timers), FakeClockReads(claims, timers)
    return Filing(uow, timers, escalation, clocks, 7, lambda n: n)


def _filing_sql(database: Database) -> Iterator[Filing]:
    with database.unit_of_work() as uow:
        import_directory(uow, sample_directory())
        owner = uow.parties.resolve("test", "escalation-owner").id
        yield Filing(
            uow,
            uow.timers,
            uow.escalation_queries,
            uow.clock_queries,
            owner,
            lambda n: uow.media.add(media(n)),
        )
        uow.rollback()


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def filing(request: pytest.FixtureRequest) -> Iterator[Filing]:
    if request.param == "fake":
        yield _filing_fake()
        return
    if request.param == "sqlite":
        database: Database = request.getfixturevalue("sqlite_database")
    else:
        database = request.getfixturevalue("_postgres_database")
        _truncate(database)
    yield from _filing_sql(database)


def _file(filing: Filing, sequence: int, at: datetime, action: Action | None = None) -> Claim:
    stored = [(filing.media(sequence * 10 + i), media(sequence * 10 + i)) for i in range(3)]
    policy = filing.uow.policies.by_number("PDAA20260001")
    assert policy is not None
    number = format_claim_number(at.date(), sequence)
    claim = Claim.file(number, complete_report(evidence_for(stored)), policy, filing.owner, at, "o")
    if action is not None:
        claim.record(action, at, "o")
    filing.uow.claims.add(claim)
    return claim


def test_untaken_claims_without_their_timer_oldest_first(filing: Filing) -> None:
    late = _file(filing, 1, NOW)
    early = _file(filing, 2, NOW - timedelta(hours=1))
    armed = _file(filing, 3, NOW - timedelta(hours=2))
    filing.timers.add(TimerSpec("escalate", f"esc:{armed.number}", NOW), NOW)
    found = filing.queries.untaken_unarmed("esc:", 10)
    assert [(c.number, c.reported_at, c.urgent) for c in found] == [
        (early.number, early.reported_at, early.urgent),
        (late.number, late.reported_at, late.urgent),
    ]
    assert [c.number for c in filing.queries.untaken_unarmed("esc:", 1)] == [early.number]


def test_clock_claims_by_status_unarmed_and_after_an_action(filing: Filing) -> None:
    first = _file(filing, 1, NOW)
    replied = _file(filing, 2, NOW, Action.REPLY)
    armed = _file(filing, 3, NOW)
    filing.timers.add(TimerSpec("clock", f"clk:{armed.number}", NOW), NOW)
    reported = [ClaimStatus.REPORTED]
    assert filing.clocks.unarmed(reported, "clk:", 10) == [first.number, replied.number]
    assert filing.clocks.unarmed(reported, "clk:", 1) == [first.number]
    assert filing.clocks.unarmed(reported, "clk:", 10, Action.REPLY.value) == [replied.number]
    others = [s for s in ClaimStatus if s != ClaimStatus.REPORTED]
    assert filing.clocks.unarmed(others, "clk:", 10) == []


def test_a_handoff_is_open_until_closed_once_then_a_new_one_opens(
    handoffs: tuple[SeededHandoffs, list[int]],
) -> None:
    queue, (a, _, _) = handoffs
    first = queue.open(a, "test", "1", "zh_CN", "asked", NOW)
    assert queue.open(a, "test", "1", "zh_CN", "asked", NOW) == first  # still open
    assert queue.close(first, NOW, "owner") is True
    assert queue.close(first, NOW, "owner") is False  # closed already
    assert queue.open(a, "test", "1", "zh_CN", "asked", NOW) != first
