"""An in-memory timer store with the semantics of storage/repositories/timers.py;
tests/test_timer_port_contract.py runs the same cases against both."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from domain.claim import Claim, ClaimStatus
from domain.handoffs import Handoff, HandoffMessage
from domain.scheduler_ports import (
    ClockReads,
    EscalationReads,
    HandoffStore,
    TimerStore,
    UntakenClaim,
)
from domain.timers import DROPPED, FAILED, FINISHED, FIRED, FIRING, PENDING, Timer, TimerSpec


@dataclass
class _Row:
    timer: Timer
    claimed_at: datetime | None = None
    outcome: str | None = None


def _new(timer_id: int, spec: TimerSpec, now: datetime) -> Timer:
    return Timer(
        id=timer_id,
        kind=spec.kind,
        key=spec.key,
        subject=spec.subject,
        payload=dict(spec.payload),
        due_at=spec.due_at,
        status=PENDING,
        attempts=0,
        fires=0,
        claimed_by=None,
        created_at=now,
    )


class FakeTimerStore(TimerStore):
    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}
        self._ids = itertools.count(1)

    def _update(self, key: str, **changes: Any) -> None:
        self.rows[key].timer = replace(self.rows[key].timer, **changes)

    def _by_id(self, timer_id: int) -> _Row | None:
        return next((r for r in self.rows.values() if r.timer.id == timer_id), None)

    def add(self, spec: TimerSpec, now: datetime | None = None) -> bool:
        if spec.key in self.rows:
            return False
        self.rows[spec.key] = _Row(_new(next(self._ids), spec, now or datetime.now(UTC)))
        return True

    def add_many(self, specs: Sequence[TimerSpec], now: datetime | None = None) -> int:
        return sum(self.add(spec, now) for spec in specs)

    def _rearm(self, spec: TimerSpec) -> None:
        row = self.rows[spec.key]
        row.claimed_at, row.outcome = None, None
        self._update(
            spec.key,
            kind=spec.kind,
            subject=spec.subject,
            payload=dict(spec.payload),
            due_at=spec.due_at,
            status=PENDING,
            attempts=0,
            claimed_by=None,
        )

    def set(self, spec: TimerSpec, now: datetime | None = None) -> None:
        if not self.add(spec, now):
            self._rearm(spec)

    def ensure(self, spec: TimerSpec, now: datetime | None = None) -> bool:
        if self.add(spec, now):
            return True
        if self.rows[spec.key].timer.status not in FINISHED:
            return False
        self._rearm(spec)
        return True

    def move(self, key: str, due_at: datetime, now: datetime | None = None) -> bool:
        row = self.rows.get(key)
        if row is None or row.timer.status != PENDING:
            return False
        self._update(key, due_at=due_at)
        return True

    def _cancel(self, row: _Row) -> None:
        row.claimed_at, row.outcome = None, "cancelled"
        row.timer = replace(row.timer, status="cancelled", claimed_by=None)

    def cancel(self, key: str, now: datetime | None = None) -> bool:
        row = self.rows.get(key)
        if row is None or row.timer.status not in (PENDING, FIRING):
            return False
        self._cancel(row)
        return True

    def cancel_subject(
        self, subject: str, kinds: Iterable[str] | None = None, now: datetime | None = None
    ) -> int:
        wanted = None if kinds is None else set(kinds)
        hits = [
            r
            for r in self.rows.values()
            if r.timer.subject == subject
            and r.timer.status in (PENDING, FIRING)
            and (wanted is None or r.timer.kind in wanted)
        ]
        for row in hits:
            self._cancel(row)
        return len(hits)

    def get(self, key: str) -> Timer | None:
        row = self.rows.get(key)
        return None if row is None else row.timer

    def claim_due(self, token: str, now: datetime, limit: int) -> list[Timer]:
        due = sorted(
            (r for r in self.rows.values() if r.timer.status == PENDING and r.timer.due_at <= now),
            key=lambda r: (r.timer.due_at, r.timer.id),
        )[:limit]
        for row in due:
            row.claimed_at = now
            row.timer = replace(
                row.timer, status=FIRING, claimed_by=token, attempts=row.timer.attempts + 1
            )
        return [row.timer for row in due]

    def hold(self, timer: Timer, now: datetime) -> bool:
        row = self._by_id(timer.id)
        return (
            row is not None
            and row.timer.status == FIRING
            and (row.timer.claimed_by == timer.claimed_by)
        )

    def hold_many(self, timers: Sequence[Timer], now: datetime) -> frozenset[int]:
        return frozenset(t.id for t in timers if self.hold(t, now))

    def _finish(self, row: _Row, status: str, outcome: str | None) -> None:
        fires = row.timer.fires + (1 if status == FIRED else 0)
        row.outcome = outcome
        row.timer = replace(row.timer, status=status, fires=fires)

    def fired(self, ids: Sequence[int], now: datetime) -> int:
        rows = [r for i in ids if (r := self._by_id(i)) and r.timer.status == FIRING]
        for row in rows:
            self._finish(row, FIRED, None)
        return len(rows)

    def finish(self, timer: Timer, status: str, now: datetime, outcome: str | None = None) -> None:
        if status not in (FIRED, DROPPED, FAILED):
            raise ValueError(f"not a final status: {status!r}")
        row = self._by_id(timer.id)
        if row is not None and row.timer.status == FIRING:
            self._finish(row, status, outcome)

    def defer(
        self,
        timer: Timer,
        until: datetime,
        now: datetime,
        reason: str,
        *,
        count_attempt: bool = False,
    ) -> None:
        row = self._by_id(timer.id)
        if row is None or row.timer.status != FIRING:
            return
        attempts = timer.attempts if count_attempt else max(timer.attempts - 1, 0)
        row.claimed_at, row.outcome = None, reason
        row.timer = replace(
            row.timer, status=PENDING, due_at=until, attempts=attempts, claimed_by=None
        )

    def release_stale(self, older_than: datetime) -> int:
        stale = [
            r
            for r in self.rows.values()
            if r.timer.status == FIRING and r.claimed_at is not None and r.claimed_at < older_than
        ]
        for row in stale:
            row.claimed_at = None
            row.timer = replace(row.timer, status=PENDING, claimed_by=None)
        return len(stale)

    def next_due(self) -> datetime | None:
        due = [r.timer.due_at for r in self.rows.values() if r.timer.status == PENDING]
        return min(due, default=None)


class FakeHandoffQueue(HandoffStore):
    """Handoffs in memory; ``open`` and ``add_message`` as storage's, to seed them."""

    def __init__(self) -> None:
        self.handoffs: dict[int, Handoff] = {}
        self.paged: dict[int, datetime] = {}
        self._ids = itertools.count(1)

    def open(
        self, party_id: int, channel: str, chat_id: str, locale: str, reason: str, now: datetime
    ) -> int:
        existing = [
            h.id for h in self.handoffs.values() if h.party_id == party_id and h.closed_at is None
        ]
        if existing:
            return existing[-1]
        handoff_id = next(self._ids)
        handoff = Handoff(handoff_id, party_id, channel, chat_id, locale, reason, now, None)
        self.handoffs[handoff_id] = handoff
        return handoff_id

    def add_message(
        self, handoff_id: int, now: datetime, text: str, *, from_owner: bool, author: str | None
    ) -> None:
        handoff = self.handoffs[handoff_id]
        message = HandoffMessage(now, from_owner, author, text)
        self.handoffs[handoff_id] = replace(handoff, messages=(*handoff.messages, message))

    def unanswered(self, opened_before: datetime, limit: int = 100) -> list[Handoff]:
        late = [
            h
            for h in self.handoffs.values()
            if h.closed_at is None
            and h.id not in self.paged
            and h.opened_at <= opened_before
            and all(m.from_owner for m in h.messages)
        ]
        return sorted(late, key=lambda h: (h.opened_at, h.id))[:limit]

    def mark_paged(self, handoff_id: int, now: datetime) -> None:
        self.paged[handoff_id] = now

    def close(self, handoff_id: int, now: datetime, by: str) -> bool:
        handoff = self.handoffs.get(handoff_id)
        if handoff is None or handoff.closed_at is not None:
            return False
        self.handoffs[handoff_id] = replace(handoff, closed_at=now)
        return True


class FakeEscalationReads(EscalationReads):
    """The escalation sweep's query over fake claims and a fake timer store."""

    def __init__(self, claims: dict[str, Claim], timers: FakeTimerStore) -> None:
        self._claims = claims
        self._timers = timers

    def untaken_unarmed(self, key_prefix: str, limit: int) -> list[UntakenClaim]:
        untaken = [
            c
            for c in self._claims.values()
            if c.adjuster_id is None
            and c.status == ClaimStatus.REPORTED
            and f"{key_prefix}{c.number}" not in self._timers.rows
        ]
        untaken.sort(key=lambda c: (c.reported_at, c.number))
        return [UntakenClaim(c.number, c.reported_at, c.urgent) for c in untaken[:limit]]


class FakeClockReads(ClockReads):
    """The statutory clocks' query over fake claims (in the order they were added)."""

    def __init__(self, claims: dict[str, Claim], timers: FakeTimerStore) -> None:
        self._claims = claims
        self._timers = timers

    def unarmed(
        self,
        statuses: Collection[ClaimStatus],
        key_prefix: str,
        limit: int,
        after_action: str | None = None,
    ) -> list[str]:
        found = [
            c.number
            for c in self._claims.values()
            if c.status in statuses
            and f"{key_prefix}{c.number}" not in self._timers.rows
            and (after_action is None or any(s.action == after_action for s in c.timeline))
        ]
        return found[:limit]
