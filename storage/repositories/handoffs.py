"""The human handoff queue: conversations handed to a person, and their chat.

The dialogs reach it as ``uow.handoffs`` (``dialogs/human.py``); the dashboard reads the
open ones with their messages and writes the staff's replies (``bot/web/dashboard/handoffs.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from domain.handoffs import Handoff, HandoffMessage
from domain.scheduler_ports import HandoffStore
from storage._sql import AnyRow
from storage.tables.handoff import handoff_message_t, handoff_t

__all__ = ["Handoff", "HandoffMessage", "HandoffRepository"]

_h = handoff_t.c
_m = handoff_message_t.c


class HandoffRepository(HandoffStore):
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def open_for(self, party_id: int) -> int | None:
        """The party's open handoff, if any."""
        query = select(_h.id).where(_h.party_id == party_id, _h.closed_at.is_(None))
        found = self._conn.execute(query.order_by(_h.id.desc()).limit(1)).scalar()
        return None if found is None else int(found)

    def open(
        self,
        party_id: int,
        channel: str,
        chat_id: str,
        locale: str,
        reason: str,
        now: datetime,
    ) -> int:
        """Open a handoff for the party (or return the one already open)."""
        existing = self.open_for(party_id)
        if existing is not None:
            return existing
        values = {
            "party_id": party_id,
            "channel": channel,
            "chat_id": chat_id,
            "locale": locale,
            "reason": reason,
            "opened_at": now,
        }
        key = self._conn.execute(insert(handoff_t).values(values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def add_message(
        self, handoff_id: int, now: datetime, text: str, *, from_owner: bool, author: str | None
    ) -> None:
        values = {
            "handoff_id": handoff_id,
            "at": now,
            "from_owner": from_owner,
            "author": author,
            "text": text,
        }
        self._conn.execute(insert(handoff_message_t).values(values))

    def close(self, handoff_id: int, now: datetime, by: str) -> bool:
        """Close an open handoff; False when it was not open."""
        result = self._conn.execute(
            update(handoff_t)
            .where(_h.id == handoff_id, _h.closed_at.is_(None))
            .values(closed_at=now, closed_by=by[:60])
        )
        return result.rowcount == 1

    def unanswered(self, opened_before: datetime, limit: int = 100) -> list[Handoff]:
        """Open handoffs opened before the cut-off with no staff reply whose supervisors
        were not told yet, oldest first."""
        replied = select(_m.handoff_id).where(_m.from_owner.is_(False))
        rows = self._conn.execute(
            select(handoff_t)
            .where(
                _h.closed_at.is_(None),
                _h.paged_at.is_(None),
                _h.opened_at <= opened_before,
                _h.id.not_in(replied),
            )
            .order_by(_h.opened_at, _h.id)
            .limit(limit)
        ).all()
        return [self._with_messages(row) for row in rows]

    def mark_paged(self, handoff_id: int, now: datetime) -> None:
        self._conn.execute(update(handoff_t).where(_h.id == handoff_id).values(paged_at=now))

    def get(self, handoff_id: int) -> Handoff | None:
        row = self._conn.execute(select(handoff_t).where(_h.id == handoff_id)).first()
        return None if row is None else self._with_messages(row)

    def waiting(self, limit: int = 50) -> list[Handoff]:
        """The open handoffs, oldest first, each with its chat."""
        rows = self._conn.execute(
            select(handoff_t)
            .where(_h.closed_at.is_(None))
            .order_by(_h.opened_at, _h.id)
            .limit(limit)
        ).all()
        return [self._with_messages(row) for row in rows]

    def _with_messages(self, row: AnyRow) -> Handoff:
        handoff_id = int(row.id)
        messages = self._conn.execute(
            select(handoff_message_t).where(_m.handoff_id == handoff_id).order_by(_m.id)
        ).all()
        return Handoff(
            id=handoff_id,
            party_id=row.party_id,
            channel=row.channel,
            chat_id=row.chat_id,
            locale=row.locale,
            reason=row.reason,
            opened_at=row.opened_at,
            closed_at=row.closed_at,
            messages=tuple(
                HandoffMessage(m.at, bool(m.from_owner), m.author, m.text) for m in messages
            ),
        )
