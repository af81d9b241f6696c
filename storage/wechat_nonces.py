"""The (timestamp, nonce) pairs WeChat callbacks were signed with, kept for the window in
which the pair could be accepted. The primary key makes "first to insert wins" hold
across workers on PostgreSQL; a repeat is told apart from a replay by the body digest."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import bindparam, delete, select

from storage._sql import per_dialect, pick
from storage.db import Database
from storage.tables_security import wechat_nonce_t

PURGE_EVERY = 200  # inserts between two purges of pairs past their window

_c = wechat_nonce_t.c
_REMEMBER = per_dialect(
    lambda ins: (
        ins(wechat_nonce_t)
        .on_conflict_do_nothing(index_elements=["timestamp", "nonce"])
        .returning(_c.nonce)
    )
)
_DIGEST = select(_c.body_sha256).where(
    _c.timestamp == bindparam("timestamp"), _c.nonce == bindparam("nonce")
)
_PURGE = delete(wechat_nonce_t).where(_c.timestamp < bindparam("before"))


class Seen(StrEnum):
    NEW = "new"  # first time: go on
    SAME = "same"  # the same pair with the same body: WeChat's retry, harmless (deduped)
    REPLAY = "replay"  # the same pair with another body: refuse


class WeChatNonces:
    def __init__(self, database: Database, window_seconds: int) -> None:
        self._database = database
        self._window = window_seconds
        self._inserted = 0

    def remember(self, timestamp: int, nonce: str, body_sha256: str, now: datetime) -> Seen:
        with self._database.engine.begin() as conn:
            inserted = conn.execute(
                pick(_REMEMBER, conn),
                {
                    "timestamp": timestamp,
                    "nonce": nonce,
                    "body_sha256": body_sha256,
                    "seen_at": now,
                },
            ).first()
            if inserted is None:
                digest = conn.execute(_DIGEST, {"timestamp": timestamp, "nonce": nonce}).scalar()
                return Seen.SAME if digest == body_sha256 else Seen.REPLAY
            self._inserted += 1
            if self._inserted % PURGE_EVERY == 0:
                # Pairs whose timestamp is older than twice the window can no longer pass
                # the freshness check: nobody can replay them.
                conn.execute(_PURGE, {"before": int(now.timestamp()) - 2 * self._window})
        return Seen.NEW
