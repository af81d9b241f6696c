"""The query behind the statutory-clock pages: agreed claims whose clock timers are not armed.

A claim counts as armed once a timer keyed ``{key_prefix}{claim number}`` exists, in
whatever state (scheduler/statutory_clocks.py arms them; compare storage/escalations.py).
"""

from __future__ import annotations

from sqlalchemy import Connection, String, bindparam, exists, select

from domain.claim import ClaimStatus
from storage.tables import claim_t
from storage.tables_timers import timer_t

_c = claim_t.c
_ARMED = exists().where(timer_t.c.dedupe_key == bindparam("prefix", type_=String()) + _c.number)
_UNARMED = (
    select(_c.number)
    .where(_c.status == bindparam("status"), ~_ARMED)
    .order_by(_c.id)
    .limit(bindparam("limit"))
)


class ClockQueries:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def unarmed(self, status: ClaimStatus, key_prefix: str, limit: int) -> list[str]:
        """Numbers of claims in ``status`` without a timer keyed ``{key_prefix}{number}``."""
        rows = self._conn.execute(
            _UNARMED, {"status": status.value, "prefix": key_prefix, "limit": limit}
        )
        return [row.number for row in rows]
