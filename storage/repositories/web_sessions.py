"""Browser sessions of the web chat and the dashboard, kept as hashes of their ids.

``issue`` returns the raw id once (for the cookie); ``find`` answers the live session a
raw id stands for. ``rotate`` replaces a session by a new one and leaves the old id valid
for a short grace (requests already sent with it); only one of two concurrent rotations
wins (the row's ``rotated_at`` is set once).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, delete, insert, select, update

from storage._sql import AnyRow, require_aware
from storage.repositories.api_tokens import hash_token
from storage.tables.api import api_token_t
from storage.tables.security import web_session_t

SESSION_BYTES = 32
MAX_SESSION_ID = 100
Kind = Literal["chat", "dashboard"]

_t = web_session_t.c
_COLUMNS = (_t.id, _t.kind, _t.chat_user, _t.api_token_id, _t.created_at, _t.expires_at)


@dataclass(frozen=True)
class WebSession:
    id: int
    kind: Kind
    chat_user: str | None
    api_token_id: int | None
    created_at: datetime
    expires_at: datetime


def _session(row: AnyRow) -> WebSession:
    return WebSession(
        id=row.id,
        kind="dashboard" if row.kind == "dashboard" else "chat",
        chat_user=row.chat_user,
        api_token_id=row.api_token_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


class WebSessionRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def issue(
        self,
        kind: Kind,
        now: datetime,
        expires_at: datetime,
        *,
        chat_user: str | None = None,
        api_token_id: int | None = None,
    ) -> tuple[str, WebSession]:
        """A new session: (the raw id, for the cookie only; its record)."""
        require_aware(now, "now")
        raw = secrets.token_urlsafe(SESSION_BYTES)
        values = {
            "session_hash": hash_token(raw),
            "kind": kind,
            "chat_user": chat_user,
            "api_token_id": api_token_id,
            "created_at": now,
            "expires_at": expires_at,
        }
        session_id = self._conn.execute(insert(web_session_t).returning(_t.id), values).scalar_one()
        return raw, WebSession(session_id, kind, chat_user, api_token_id, now, expires_at)

    def find(self, raw: str, kind: Kind, now: datetime) -> WebSession | None:
        """The unexpired session of this kind the raw id stands for; a dashboard session
        only while its API token is not revoked."""
        if not raw or len(raw) > MAX_SESSION_ID:
            return None
        query = select(*_COLUMNS).where(
            _t.session_hash == hash_token(raw), _t.kind == kind, _t.expires_at > now
        )
        if kind == "dashboard":
            token = api_token_t.c
            query = query.join(api_token_t, token.id == _t.api_token_id).where(
                token.revoked_at.is_(None)
            )
        row = self._conn.execute(query).first()
        return None if row is None else _session(row)

    def retire(self, session_id: int, now: datetime, grace: timedelta) -> bool:
        """Mark a session replaced; it lives on for ``grace`` at most. False when it was
        replaced already (another request rotated it first)."""
        result = self._conn.execute(
            update(web_session_t)
            .where(_t.id == session_id, _t.rotated_at.is_(None))
            .values(rotated_at=now)
        )
        if result.rowcount != 1:
            return False
        self._conn.execute(
            update(web_session_t)
            .where(_t.id == session_id, _t.expires_at > now + grace)
            .values(expires_at=now + grace)
        )
        return True

    def end(self, raw: str) -> None:
        """Forget the session (logout)."""
        if raw and len(raw) <= MAX_SESSION_ID:
            self._conn.execute(delete(web_session_t).where(_t.session_hash == hash_token(raw)))

    def purge_expired(self, now: datetime) -> int:
        """Delete the sessions that have expired; how many."""
        return self._conn.execute(delete(web_session_t).where(_t.expires_at <= now)).rowcount
