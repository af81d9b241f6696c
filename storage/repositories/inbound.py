"""The log of processed inbound messages: each (channel, message id) is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete

from domain.ports import ProcessedInbound
from storage._sql import per_dialect, pick, require_aware
from storage.tables.core import processed_inbound_t

_RECORD = per_dialect(
    lambda ins: (
        ins(processed_inbound_t)
        .on_conflict_do_nothing(index_elements=["channel", "message_id"])
        .returning(processed_inbound_t.c.channel)
    )
)
_PRUNE = delete(processed_inbound_t).where(processed_inbound_t.c.processed_at < bindparam("before"))


class InboundLog(ProcessedInbound):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def first_time(self, channel: str, message_id: str, at: datetime) -> bool:
        """Record the message; False if it was recorded before (a redelivery).

        A duplicate does not raise, so the transaction stays usable.
        """
        inserted = self._conn.execute(
            pick(_RECORD, self._conn),
            {"channel": channel, "message_id": message_id, "processed_at": at},
        ).first()
        return inserted is not None

    def prune(self, before: datetime) -> int:
        """Forget messages processed before ``before`` (channels redeliver for minutes only)."""
        result = self._conn.execute(_PRUNE, {"before": require_aware(before, "before")})
        return result.rowcount
