"""Failed-attempt counters in the database (``domain.attempts.AttemptStore``).

``fail`` makes sure the subject's row exists (an insert that yields to an existing row)
and then counts in one UPDATE whose new values are computed from the row's current
ones: on PostgreSQL two workers failing at once serialise on the row lock and both
failures count, exactly as two failures in one process would.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, case, select, update

from domain.attempts import CLEAR, AttemptRule, AttemptState, AttemptStore, current
from storage._sql import per_dialect, pick, require_aware
from storage.tables.security import attempt_counter_t

_t = attempt_counter_t.c
_ENSURE = per_dialect(
    lambda ins: ins(attempt_counter_t).on_conflict_do_nothing(index_elements=["subject"])
)
MAX_SUBJECT = 200
_STATES = select(_t.subject, _t.window_start, _t.failures, _t.blocked_until).where(
    _t.subject.in_(bindparam("subjects", expanding=True))
)


class SqlAttemptStore(AttemptStore):
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def state(self, key: str, rule: AttemptRule, now: datetime) -> AttemptState:
        return self.states((key,), rule, now)[0]

    def states(
        self, keys: tuple[str, ...], rule: AttemptRule, now: datetime
    ) -> list[AttemptState]:
        subjects = [key[:MAX_SUBJECT] for key in keys]
        rows = {row.subject: row for row in self._conn.execute(_STATES, {"subjects": subjects})}
        return [
            CLEAR
            if (row := rows.get(subject)) is None
            else current(
                AttemptState(failures=row.failures, blocked_until=row.blocked_until),
                row.window_start,
                rule,
                now,
            )
            for subject in subjects
        ]

    def fail(self, key: str, rule: AttemptRule, now: datetime) -> AttemptState:
        require_aware(now, "now")
        subject = key[:MAX_SUBJECT]
        self._conn.execute(
            pick(_ENSURE, self._conn),
            {"subject": subject, "window_start": now, "failures": 0, "blocked_until": None},
        )
        expired = _t.window_start <= now - rule.window
        failures = case((expired, 1), else_=_t.failures + 1)
        row = self._conn.execute(
            update(attempt_counter_t)
            .where(_t.subject == subject)
            .values(
                failures=failures,
                window_start=case((expired, now), else_=_t.window_start),
                blocked_until=case(
                    (failures >= rule.limit, now + rule.cooldown), else_=_t.blocked_until
                ),
            )
            .returning(_t.failures, _t.blocked_until)
        ).one()
        stored = AttemptState(failures=row.failures, blocked_until=row.blocked_until)
        return current(stored, now, rule, now)
