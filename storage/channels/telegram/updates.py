"""Telegram polling mode's inbox (``telegram_update``).

Each batch from getUpdates is recorded in one ``INSERT … ON CONFLICT DO NOTHING``, committed
before the next getUpdates moves the offset past it (which confirms the batch to Telegram),
together with the marks of the updates processed since the previous batch. What is not
marked processed when the bot stops (or is killed) is processed again at the next start;
the engine's dedupe makes a second pass over an update that did get through harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from storage._sql import per_dialect, pick, require_aware
from storage.channels.telegram.tables import telegram_update_t

_c = telegram_update_t.c
_RECORD = per_dialect(
    lambda ins: (
        ins(telegram_update_t)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(_c.update_id)
    )
)
_PROCESSED = (
    update(telegram_update_t)
    .where(_c.update_id.in_(bindparam("ids", expanding=True)), _c.processed_at.is_(None))
    .values(processed_at=bindparam("at", type_=_c.processed_at.type))
)
_UNPROCESSED = (
    select(_c.payload).where(_c.processed_at.is_(None)).order_by(_c.update_id).limit(bindparam("n"))
)


class UpdateInbox:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def record(self, updates: Sequence[tuple[int, dict[str, Any]]], now: datetime) -> set[int]:
        """Record a batch in one statement; the ids that were new."""
        if not updates:
            return set()
        at = require_aware(now, "now")
        rows = [{"update_id": uid, "payload": body, "received_at": at} for uid, body in updates]
        statement = pick(_RECORD, self._conn).values(rows)
        return set(self._conn.execute(statement).scalars())

    def processed(self, ids: Sequence[int], now: datetime) -> None:
        if ids:
            self._conn.execute(_PROCESSED, {"ids": list(ids), "at": require_aware(now, "now")})

    def unprocessed(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Updates recorded and not processed, oldest first (after a restart)."""
        return [dict(body) for body in self._conn.execute(_UNPROCESSED, {"n": limit}).scalars()]

    def prune(self, processed_before: datetime) -> int:
        moment = require_aware(processed_before, "processed_before")
        return self._conn.execute(
            delete(telegram_update_t).where(_c.processed_at < moment)
        ).rowcount
