"""What an operator watches: the outbox backlog and the oldest due timer (read-only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, func, or_, select

from domain.outbox import OutboxStats
from domain.timers import TimerStats
from storage._sql import require_aware
from storage.repositories.timers import TimerRepository
from storage.tables.core import outbox_t

_o = outbox_t.c


def outbox_stats(conn: Connection, now: datetime) -> OutboxStats:
    moment = require_aware(now, "now")
    waiting = or_(_o.status == "sending", and_(_o.status == "pending", _o.available_at <= moment))
    backlog, oldest = conn.execute(
        select(func.count(), func.min(_o.available_at)).where(waiting)
    ).one()
    failed = conn.execute(
        select(func.count()).select_from(outbox_t).where(_o.status == "failed")
    ).scalar_one()
    return OutboxStats(int(backlog), oldest, int(failed))


def timer_stats(conn: Connection, now: datetime) -> TimerStats:
    return TimerRepository(conn).stats(now)
