"""Timers: reminders, escalations and sweeps as rows, keyed by a unique dedupe key.

The API a feature calls, inside the unit of work that changes its state (so that the
timer lands, moves or goes away with that change, or not at all):

- ``add(spec)``: arm a timer once. If the key exists in any state (even fired), nothing
  happens: "nudge once" is a key that is added once.
- ``set(spec)``: arm or re-arm: whatever the key's state, it becomes ``pending`` at the
  new time with the new payload (rescheduling an appointment reminder).
- ``move(key, due_at)``: move a pending timer; ``cancel(key)`` / ``cancel_subject(s)``:
  remove pending timers (they stay as ``cancelled`` rows).

The runner's side: ``claim_due`` (``pending`` → ``firing`` for one claim token; ``FOR
UPDATE SKIP LOCKED`` on PostgreSQL, one ``UPDATE .. RETURNING`` under ``BEGIN IMMEDIATE``
on SQLite), ``hold`` (re-check a claim before firing it), ``finish`` / ``defer`` /
``fail``, and ``release_stale`` (the reaper).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, literal, select, update

from domain.scheduler_ports import TimerStore
from domain.timers import (
    CANCELLED,
    DROPPED,
    FAILED,
    FINISHED,
    FIRED,
    FIRING,
    PENDING,
    Timer,
    TimerSpec,
    TimerStats,
)
from storage._sql import AnyRow, per_dialect, pick, require_aware, utcnow
from storage.tables.timers import timer_t

__all__ = [
    "CANCELLED",
    "DROPPED",
    "FAILED",
    "FINISHED",
    "FIRED",
    "FIRING",
    "PENDING",
    "Timer",
    "TimerRepository",
    "TimerSpec",
    "TimerStats",
]

MAX_OUTCOME = 1000

_c = timer_t.c
_COLUMNS = (
    _c.id,
    _c.kind,
    _c.dedupe_key,
    _c.subject,
    _c.payload,
    _c.due_at,
    _c.status,
    _c.attempts,
    _c.fires,
    _c.claimed_by,
    _c.created_at,
)


def _timer(row: AnyRow) -> Timer:
    return Timer(
        id=row.id,
        kind=row.kind,
        key=row.dedupe_key,
        subject=row.subject,
        payload=row.payload,
        due_at=row.due_at,
        status=row.status,
        attempts=row.attempts,
        fires=row.fires,
        claimed_by=row.claimed_by,
        created_at=row.created_at,
    )


def _values(spec: TimerSpec, now: datetime) -> dict[str, Any]:
    return {
        "kind": spec.kind,
        "dedupe_key": spec.key,
        "subject": spec.subject,
        "payload": spec.payload,
        "due_at": require_aware(spec.due_at, "due_at"),
        "status": PENDING,
        "attempts": 0,
        "fires": 0,
        "created_at": now,
        "updated_at": now,
    }


_ADD = per_dialect(
    lambda ins: ins(timer_t).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(_c.id)
)


def _build_set(ins: Any, only_finished: bool) -> Any:
    statement = ins(timer_t)
    rearm = {
        "kind": statement.excluded.kind,
        "subject": statement.excluded.subject,
        "payload": statement.excluded.payload,
        "due_at": statement.excluded.due_at,
        "status": PENDING,
        "attempts": 0,
        "claimed_by": None,
        "claimed_at": None,
        "finished_at": None,
        "outcome": None,
        "updated_at": statement.excluded.updated_at,
    }
    where = _c.status.in_(FINISHED) if only_finished else None
    return statement.on_conflict_do_update(
        index_elements=["dedupe_key"], set_=rearm, where=where
    ).returning(_c.id)


_SET = per_dialect(lambda ins: _build_set(ins, only_finished=False))
_REVIVE = per_dialect(lambda ins: _build_set(ins, only_finished=True))

_GET = select(*_COLUMNS).where(_c.dedupe_key == bindparam("key"))
_MOVE = (
    update(timer_t)
    .where(_c.dedupe_key == bindparam("key"), _c.status == PENDING)
    .values(
        due_at=bindparam("due_at", type_=_c.due_at.type),
        updated_at=bindparam("now", type_=_c.updated_at.type),
    )
)
_CANCEL_VALUES = {
    "status": CANCELLED,
    "claimed_by": None,
    "claimed_at": None,
    "finished_at": bindparam("now", type_=_c.finished_at.type),
    "updated_at": bindparam("now", type_=_c.updated_at.type),
    "outcome": "cancelled",
}
_CANCEL = (
    update(timer_t)
    .where(_c.dedupe_key == bindparam("key"), _c.status.in_((PENDING, FIRING)))
    .values(**_CANCEL_VALUES)
)
_CANCEL_SUBJECT = (
    update(timer_t)
    .where(_c.subject == bindparam("b_subject"), _c.status.in_((PENDING, FIRING)))
    .values(**_CANCEL_VALUES)
)
_CANCEL_SUBJECT_KINDS = _CANCEL_SUBJECT.where(_c.kind.in_(bindparam("kinds", expanding=True)))


def _build_claim(postgres: bool) -> Any:
    now = bindparam("now", type_=_c.due_at.type)
    candidates = (
        select(_c.id)
        .where(_c.status == PENDING, _c.due_at <= now)
        .order_by(_c.due_at, _c.id)
        .limit(bindparam("limit"))
    )
    if postgres:
        candidates = candidates.with_for_update(skip_locked=True)
    return (
        update(timer_t)
        .where(_c.id.in_(candidates.scalar_subquery()))
        .values(
            status=FIRING,
            claimed_by=bindparam("token"),
            claimed_at=now,
            updated_at=now,
            attempts=_c.attempts + literal(1),
        )
        .returning(*_COLUMNS)
    )


_CLAIM = {"postgresql": _build_claim(True), "sqlite": _build_claim(False)}

# Re-check a claim right before firing: still ours? (PostgreSQL: and locked until commit.)
_HOLD = (
    update(timer_t)
    .where(_c.id == bindparam("timer_id"), _c.status == FIRING, _c.claimed_by == bindparam("token"))
    .values(updated_at=bindparam("now", type_=_c.updated_at.type))
)
_HOLD_MANY = (
    update(timer_t)
    .where(
        _c.id.in_(bindparam("ids", expanding=True)),
        _c.status == FIRING,
        _c.claimed_by == bindparam("token"),
    )
    .values(updated_at=bindparam("now", type_=_c.updated_at.type))
    .returning(_c.id)
)
_FINISH_MANY = (
    update(timer_t)
    .where(_c.id.in_(bindparam("ids", expanding=True)), _c.status == FIRING)
    .values(
        status=FIRED,
        fires=_c.fires + 1,
        finished_at=bindparam("now", type_=_c.finished_at.type),
        updated_at=bindparam("now", type_=_c.updated_at.type),
        outcome=None,
    )
)
_FINISH = (
    update(timer_t)
    .where(_c.id == bindparam("timer_id"), _c.status == FIRING)
    .values(
        status=bindparam("new_status"),
        fires=_c.fires + bindparam("fired"),
        finished_at=bindparam("now", type_=_c.finished_at.type),
        updated_at=bindparam("now", type_=_c.updated_at.type),
        outcome=bindparam("outcome"),
    )
)
_DEFER = (
    update(timer_t)
    .where(_c.id == bindparam("timer_id"), _c.status == FIRING)
    .values(
        status=PENDING,
        due_at=bindparam("until", type_=_c.due_at.type),
        attempts=bindparam("attempts"),
        claimed_by=None,
        claimed_at=None,
        updated_at=bindparam("now", type_=_c.updated_at.type),
        outcome=bindparam("outcome"),
    )
)
_RELEASE_STALE = (
    update(timer_t)
    .where(_c.status == FIRING, _c.claimed_at < bindparam("older_than", type_=_c.claimed_at.type))
    .values(status=PENDING, claimed_by=None, claimed_at=None)
)
_NEXT_DUE = select(func.min(_c.due_at)).where(_c.status == PENDING)


class TimerRepository(TimerStore):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # --- the features' API ------------------------------------------------------------

    def add(self, spec: TimerSpec, now: datetime | None = None) -> bool:
        """Arm the timer unless its key exists (in any state); True if inserted."""
        row = self._conn.execute(pick(_ADD, self._conn), _values(spec, now or utcnow())).first()
        return row is not None

    def add_many(self, specs: Sequence[TimerSpec], now: datetime | None = None) -> int:
        """``add`` for many; returns how many were inserted (existing keys are skipped)."""
        if not specs:
            return 0
        moment = now or utcnow()
        rows = [_values(spec, moment) for spec in specs]
        return len(self._conn.execute(pick(_ADD, self._conn), rows).all())

    def set(self, spec: TimerSpec, now: datetime | None = None) -> None:
        """Arm, or re-arm whatever its state: pending at ``spec.due_at`` with ``spec.payload``.

        A claim in flight on the old row is voided (its ``hold`` fails), so the old
        version does not fire after this commits.
        """
        self._conn.execute(pick(_SET, self._conn), _values(spec, now or utcnow()))

    def ensure(self, spec: TimerSpec, now: datetime | None = None) -> bool:
        """Arm it unless it is already pending or firing (recurring sweeps at start-up).

        True if the timer was inserted or revived from a finished state.
        """
        statement = pick(_REVIVE, self._conn)
        return self._conn.execute(statement, _values(spec, now or utcnow())).first() is not None

    def move(self, key: str, due_at: datetime, now: datetime | None = None) -> bool:
        """Move a pending timer to ``due_at``; False if there is no pending timer by that key."""
        params = {"key": key, "due_at": require_aware(due_at, "due_at"), "now": now or utcnow()}
        return self._conn.execute(_MOVE, params).rowcount == 1

    def cancel(self, key: str, now: datetime | None = None) -> bool:
        """Cancel a pending (or firing, not yet committed) timer; False if none."""
        return self._conn.execute(_CANCEL, {"key": key, "now": now or utcnow()}).rowcount == 1

    def cancel_subject(
        self, subject: str, kinds: Iterable[str] | None = None, now: datetime | None = None
    ) -> int:
        """Cancel every pending timer about ``subject`` (optionally of some kinds only)."""
        params: dict[str, Any] = {"b_subject": subject, "now": now or utcnow()}
        if kinds is None:
            return self._conn.execute(_CANCEL_SUBJECT, params).rowcount
        params["kinds"] = list(kinds)
        return self._conn.execute(_CANCEL_SUBJECT_KINDS, params).rowcount

    def get(self, key: str) -> Timer | None:
        row = self._conn.execute(_GET, {"key": key}).first()
        return None if row is None else _timer(row)

    # --- the runner's side ------------------------------------------------------------

    def claim_due(self, token: str, now: datetime, limit: int) -> list[Timer]:
        """Claim up to ``limit`` due timers for the claim ``token``, earliest first."""
        params = {"now": require_aware(now, "now"), "token": token, "limit": limit}
        statement = pick(_CLAIM, self._conn)
        timers = [_timer(row) for row in self._conn.execute(statement, params)]
        timers.sort(key=lambda t: (t.due_at, t.id))
        return timers

    def hold(self, timer: Timer, now: datetime) -> bool:
        """True if ``timer`` is still claimed by its token (then fire it in this transaction).

        False when the claim was reaped and taken by another worker, cancelled, or
        re-armed by ``set`` in the meantime: the caller must not fire it.
        """
        params = {"timer_id": timer.id, "token": timer.claimed_by, "now": now}
        return self._conn.execute(_HOLD, params).rowcount == 1

    def hold_many(self, timers: Sequence[Timer], now: datetime) -> frozenset[int]:
        """``hold`` for many timers at once: the ids whose claim is still theirs."""
        held: list[int] = []
        by_token: dict[str | None, list[int]] = {}
        for timer in timers:
            by_token.setdefault(timer.claimed_by, []).append(timer.id)
        for token, ids in by_token.items():
            params = {"ids": ids, "token": token, "now": now}
            held.extend(self._conn.execute(_HOLD_MANY, params).scalars())
        return frozenset(held)

    def fired(self, ids: Sequence[int], now: datetime) -> int:
        """Finish held timers as ``fired`` (no outcome note), all in one statement."""
        if not ids:
            return 0
        return self._conn.execute(_FINISH_MANY, {"ids": list(ids), "now": now}).rowcount

    def finish(self, timer: Timer, status: str, now: datetime, outcome: str | None = None) -> None:
        """``fired`` (counts a fire), ``dropped`` or ``failed``.

        ``claimed_by`` keeps the token of the claim that finished it: who fired it.
        """
        if status not in (FIRED, DROPPED, FAILED):
            raise ValueError(f"not a final status: {status!r}")
        self._conn.execute(
            _FINISH,
            {
                "timer_id": timer.id,
                "new_status": status,
                "fired": 1 if status == FIRED else 0,
                "now": now,
                "outcome": None if outcome is None else outcome[:MAX_OUTCOME],
            },
        )

    def defer(
        self,
        timer: Timer,
        until: datetime,
        now: datetime,
        reason: str,
        *,
        count_attempt: bool = False,
    ) -> None:
        """Back to pending at ``until`` (quiet hours, owner active again, a retry)."""
        self._conn.execute(
            _DEFER,
            {
                "timer_id": timer.id,
                "until": require_aware(until, "until"),
                "attempts": timer.attempts if count_attempt else max(timer.attempts - 1, 0),
                "now": now,
                "outcome": reason[:MAX_OUTCOME],
            },
        )

    def release_stale(self, older_than: datetime) -> int:
        """Hand back claims taken before ``older_than`` (a worker that died mid-fire)."""
        params = {"older_than": require_aware(older_than, "older_than")}
        return self._conn.execute(_RELEASE_STALE, params).rowcount

    def next_due(self) -> datetime | None:
        """The earliest due time of a pending timer (the runner sleeps until then)."""
        value: datetime | None = self._conn.execute(_NEXT_DUE).scalar_one()
        return value

    def stats(self, now: datetime) -> TimerStats:
        moment = require_aware(now, "now")
        due_count, oldest = self._conn.execute(
            select(func.count(), func.min(_c.due_at)).where(
                _c.status == PENDING, _c.due_at <= moment
            )
        ).one()
        firing = self._conn.execute(
            select(func.count()).select_from(timer_t).where(_c.status == FIRING)
        ).scalar_one()
        failed = self._conn.execute(
            select(func.count()).select_from(timer_t).where(_c.status == FAILED)
        ).scalar_one()
        return TimerStats(int(due_count), oldest, int(firing), int(failed))
