"""The figures an operator watches (served as JSON on ``GET /metrics``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.scheduler_ports import ReadingDatabase


def _age(now: datetime, since: datetime | None) -> float | None:
    return None if since is None else round(max((now - since).total_seconds(), 0.0), 3)


def metrics(database: ReadingDatabase, now: datetime) -> dict[str, Any]:
    """Outbox backlog and oldest due timer, with their ages in seconds.

    ``outbox.backlog``: messages due and not yet sent; ``outbox.oldest_due_age_seconds``:
    how long the oldest of them has waited. ``timers.due``: timers due and not fired;
    ``timers.oldest_due_age_seconds``: how late the most overdue one is. Both ages should
    stay near zero; a growing one means the workers are down or cannot keep up.
    """
    with database.reading() as uow:
        outbox = uow.outbox_stats(now)
        timers = uow.timer_stats(now)
    return {
        "now": now.isoformat(),
        "outbox": {
            "backlog": outbox.backlog,
            "oldest_due_age_seconds": _age(now, outbox.oldest_due_at),
            "failed": outbox.failed,
        },
        "timers": {
            "due": timers.due,
            "oldest_due_age_seconds": _age(now, timers.oldest_due_at),
            "oldest_due_at": None
            if timers.oldest_due_at is None
            else timers.oldest_due_at.isoformat(),
            "firing": timers.firing,
            "failed": timers.failed,
        },
    }
