"""Signing keys generated once and shared by every worker through the database.

Used only when no key is configured (``CLAIMBOT_SECRET_KEY``): the first worker to ask
stores a random key, every other worker reads the same one.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Connection, select

from storage._sql import per_dialect, pick, require_aware
from storage.tables.security import server_secret_t

_t = server_secret_t.c
_ADD = per_dialect(lambda ins: ins(server_secret_t).on_conflict_do_nothing(index_elements=["name"]))
KEY_BYTES = 32


def shared_secret(conn: Connection, name: str, now: datetime) -> str:
    """The key called ``name``, created (random) by whichever caller comes first."""
    require_aware(now, "now")
    value = secrets.token_urlsafe(KEY_BYTES)
    conn.execute(pick(_ADD, conn), {"name": name, "value": value, "created_at": now})
    stored: str = conn.execute(select(_t.value).where(_t.name == name)).scalar_one()
    return stored
