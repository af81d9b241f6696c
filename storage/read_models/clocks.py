"""The query behind the statutory-clock pages: claims whose clock timers are not armed.

A claim counts as armed once a timer keyed ``{key_prefix}{claim number}`` exists, in
whatever state (scheduler/statutory_clocks.py arms them; compare
storage/read_models/escalations.py).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, String, bindparam, exists, select

from domain.claim import ClaimStatus
from domain.scheduler_ports import ClockReads
from storage.tables.core import claim_status_change_t, claim_t
from storage.tables.timers import timer_t

_c = claim_t.c
_s = claim_status_change_t.c
_ARMED = exists().where(timer_t.c.dedupe_key == bindparam("prefix", type_=String()) + _c.number)


class ClockQueries(ClockReads):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def unarmed(
        self,
        statuses: Collection[ClaimStatus],
        key_prefix: str,
        limit: int,
        after_action: str | None = None,
    ) -> list[str]:
        """Numbers of claims in one of ``statuses`` without a timer keyed
        ``{key_prefix}{number}`` (and, with ``after_action``, whose timeline has that
        action: the decision clock's claims have complete documents)."""
        query = select(_c.number).where(_c.status.in_([s.value for s in statuses]), ~_ARMED)
        if after_action is not None:
            query = query.where(exists().where(_s.claim_id == _c.id, _s.action == after_action))
        rows = self._conn.execute(query.order_by(_c.id).limit(limit), {"prefix": key_prefix})
        return [row.number for row in rows]
