"""The (timestamp, nonce) pairs WeChat callbacks were signed with, kept for the window in
which the pair could be accepted. The primary key makes "first to insert wins" hold
across workers on PostgreSQL; a repeat is told apart from a replay by the body digest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, and_, bindparam, delete, or_, select

from storage._sql import per_dialect, pick, require_aware
from storage.tables.abuse import wechat_nonce_t

_c = wechat_nonce_t.c
_REMEMBER = per_dialect(
    lambda ins: (
        ins(wechat_nonce_t)
        .on_conflict_do_nothing(index_elements=["timestamp", "nonce"])
        .returning(_c.timestamp, _c.nonce)
    )
)
_PURGE = delete(wechat_nonce_t).where(_c.timestamp < bindparam("before"))


class Seen(StrEnum):
    NEW = "new"  # first time: go on
    SAME = "same"  # the same pair with the same body: WeChat's retry, harmless (deduped)
    REPLAY = "replay"  # the same pair with another body: refuse


@dataclass(frozen=True)
class NonceClaim:
    timestamp: int  # WeChat's, seconds since the epoch
    nonce: str
    body_sha256: str


class WeChatNonces:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def remember_all(self, claims: Sequence[NonceClaim], now: datetime) -> list[Seen]:
        """Remember each pair in one statement; what each claim is, in order (a pair twice
        in ``claims`` counts as seen before for the second)."""
        at = require_aware(now, "now")
        firsts: dict[tuple[int, str], str] = {}
        for claim in claims:
            firsts.setdefault((claim.timestamp, claim.nonce), claim.body_sha256)
        params = [
            {"timestamp": ts, "nonce": nonce, "body_sha256": digest, "seen_at": at}
            for (ts, nonce), digest in firsts.items()
        ]
        inserted = {
            (row[0], row[1]) for row in self._conn.execute(pick(_REMEMBER, self._conn), params)
        }
        known = {**firsts, **self._digests([key for key in firsts if key not in inserted])}
        seen: list[Seen] = []
        for claim in claims:
            key = (claim.timestamp, claim.nonce)
            if key in inserted:
                inserted.discard(key)
                seen.append(Seen.NEW)
            else:
                same = known[key] == claim.body_sha256
                seen.append(Seen.SAME if same else Seen.REPLAY)
        return seen

    def purge(self, before_timestamp: int) -> None:
        """Forget pairs older than ``before_timestamp``: they can no longer be accepted."""
        self._conn.execute(_PURGE, {"before": before_timestamp})

    def _digests(self, keys: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
        if not keys:
            return {}
        wanted = or_(*(and_(_c.timestamp == ts, _c.nonce == nonce) for ts, nonce in keys))
        rows = self._conn.execute(select(_c.timestamp, _c.nonce, _c.body_sha256).where(wanted))
        return {(row[0], row[1]): row[2] for row in rows}
