"""The query behind claim escalations: claims nobody took whose SLA timers are not armed.

The report dialog files a claim; the escalation sweep (scheduler/escalation.py) finds it
here and arms its re-page and escalation timers. A claim counts as armed once a timer
with the key ``{key_prefix}{claim number}`` exists, in whatever state.
"""

from __future__ import annotations

from sqlalchemy import Connection, String, bindparam, exists, select

from domain.claim import ClaimStatus
from domain.scheduler_ports import EscalationReads, UntakenClaim
from storage.tables.core import claim_t
from storage.tables.timers import timer_t

_c = claim_t.c


_ARMED = exists().where(timer_t.c.dedupe_key == bindparam("prefix", type_=String()) + _c.number)
_UNARMED = (
    select(_c.number, _c.reported_at, _c.urgent)
    .where(_c.adjuster_id.is_(None), _c.status == ClaimStatus.REPORTED.value, ~_ARMED)
    .order_by(_c.reported_at, _c.id)
    .limit(bindparam("limit"))
)


class EscalationQueries(EscalationReads):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def untaken_unarmed(self, key_prefix: str, limit: int) -> list[UntakenClaim]:
        """Reported claims without an adjuster and without a timer keyed
        ``{key_prefix}{number}``, oldest report first."""
        rows = self._conn.execute(_UNARMED, {"prefix": key_prefix, "limit": limit})
        return [UntakenClaim(row.number, row.reported_at, bool(row.urgent)) for row in rows]
