"""The WeChat inbox: callback messages recorded before the answer, processed afterwards.

A row is ``pending`` until a worker claims it (``processing``), then ``done``, or back
to ``pending`` with a later ``available_at`` for a retry, or ``failed`` for good (kept
for inspection). Claims keep each user's order: only the oldest unfinished row of an
openid is handed out, so one user's messages are processed one at a time, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, func, literal, select, update

from storage._sql import AnyRow, per_dialect, pick, require_aware
from storage.channels.wechat.tables import wechat_inbox_t

PENDING, PROCESSING, DONE, FAILED = "pending", "processing", "done", "failed"

_c = wechat_inbox_t.c
_COLUMNS = (_c.id, _c.dedupe_key, _c.openid, _c.msg_type, _c.body, _c.received_at, _c.attempts)


@dataclass(frozen=True)
class InboxMessage:
    dedupe_key: str  # MsgId, or FromUserName+CreateTime+Event+EventKey for events
    openid: str
    msg_type: str
    body: str


@dataclass(frozen=True)
class InboxRow:
    id: int
    dedupe_key: str
    openid: str
    msg_type: str
    body: str
    received_at: datetime
    attempts: int  # including the current claim


_RECORD = per_dialect(
    lambda ins: (
        ins(wechat_inbox_t)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(_c.dedupe_key)
    )
)


def _build_claim(postgres: bool) -> Any:
    now = bindparam("now", type_=_c.available_at.type)
    i = wechat_inbox_t.alias("i")
    earlier = wechat_inbox_t.alias("earlier")
    blocked = exists().where(
        earlier.c.openid == i.c.openid,
        earlier.c.id < i.c.id,
        earlier.c.status.in_((PENDING, PROCESSING)),
    )
    candidates = (
        select(i.c.id)
        .where(i.c.status == PENDING, i.c.available_at <= now, ~blocked)
        .order_by(i.c.id)
        .limit(bindparam("limit"))
    )
    if postgres:
        candidates = candidates.with_for_update(skip_locked=True, of=i)
    return (
        update(wechat_inbox_t)
        .where(_c.id.in_(candidates.scalar_subquery()))
        .values(
            status=PROCESSING,
            claimed_by=bindparam("worker"),
            claimed_at=now,
            attempts=_c.attempts + literal(1),
        )
        .returning(*_COLUMNS)
    )


_CLAIM = {dialect: _build_claim(dialect == "postgresql") for dialect in ("postgresql", "sqlite")}
_FINISH = (
    update(wechat_inbox_t)
    .where(_c.id == bindparam("row_id"))
    .values(
        status=bindparam("new_status"),
        processed_at=bindparam("at", type_=_c.processed_at.type),
        last_error=bindparam("error"),
        claimed_by=None,
        claimed_at=None,
    )
)
# A processed message keeps only its dedupe key: the raw XML (the user's words, places,
# media ids) is personal data the product no longer needs.
_FINISH_DONE = _FINISH.values(body="")
_BLANK_DONE = update(wechat_inbox_t).where(_c.status == DONE, _c.body != "").values(body="")
_RETRY = (
    update(wechat_inbox_t)
    .where(_c.id == bindparam("row_id"))
    .values(
        status=PENDING,
        available_at=bindparam("retry_at", type_=_c.available_at.type),
        last_error=bindparam("error"),
        claimed_by=None,
        claimed_at=None,
    )
)
_RELEASE_STALE = (
    update(wechat_inbox_t)
    .where(
        _c.status == PROCESSING,
        _c.claimed_at < bindparam("older_than", type_=_c.claimed_at.type),
    )
    .values(status=PENDING, claimed_by=None, claimed_at=None)
)
_PRUNE = delete(wechat_inbox_t).where(
    _c.status == DONE, _c.processed_at < bindparam("before", type_=_c.processed_at.type)
)
_UNFINISHED = select(func.count()).where(_c.status.in_((PENDING, PROCESSING)))
_OTHERS_UNFINISHED = select(func.count()).where(
    _c.status.in_((PENDING, PROCESSING)),
    _c.openid == bindparam("b_openid"),
    _c.dedupe_key != bindparam("b_dedupe_key"),
)
_STATUS_COUNTS = select(_c.status, func.count()).group_by(_c.status)


def _row(row: AnyRow) -> InboxRow:
    return InboxRow(
        id=row.id,
        dedupe_key=row.dedupe_key,
        openid=row.openid,
        msg_type=row.msg_type,
        body=row.body,
        received_at=row.received_at,
        attempts=row.attempts,
    )


class WeChatInbox:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def record(self, message: InboxMessage, now: datetime) -> bool:
        """Keep a received message; False if its dedupe key was recorded before (a retry)."""
        return self.record_all([message], now)[0]

    def record_all(self, messages: Sequence[InboxMessage], now: datetime) -> list[bool]:
        """Keep received messages, in order, in one statement; for each, False if its
        dedupe key was recorded before (a retry, also one earlier in ``messages``)."""
        at = require_aware(now, "now")
        firsts: dict[str, InboxMessage] = {}
        for message in messages:
            firsts.setdefault(message.dedupe_key, message)
        params = [
            {
                "dedupe_key": message.dedupe_key,
                "openid": message.openid,
                "msg_type": message.msg_type,
                "body": message.body,
                "received_at": at,
                "status": PENDING,
                "attempts": 0,
                "available_at": at,
            }
            for message in firsts.values()
        ]
        inserted = set(self._conn.execute(pick(_RECORD, self._conn), params).scalars())
        recorded = []
        for message in messages:
            recorded.append(message.dedupe_key in inserted)
            inserted.discard(message.dedupe_key)
        return recorded

    def claim(self, worker: str, now: datetime, limit: int) -> list[InboxRow]:
        """Claim due rows, at most one per openid (its oldest unfinished), in id order."""
        params = {"now": require_aware(now, "now"), "worker": worker, "limit": limit}
        rows = [_row(row) for row in self._conn.execute(pick(_CLAIM, self._conn), params)]
        rows.sort(key=lambda r: r.id)
        return rows

    def mark_done(self, row_id: int, now: datetime) -> None:
        """Processed: the raw XML is dropped, the row stays for dedupe until pruned."""
        self._conn.execute(
            _FINISH_DONE,
            {"row_id": row_id, "new_status": DONE, "at": require_aware(now, "now"), "error": None},
        )

    def processed_with_body(self) -> int:
        query = select(func.count()).where(_c.status == DONE, _c.body != "")
        return int(self._conn.execute(query).scalar_one())

    def blank_processed(self) -> int:
        """Drop the raw XML of processed rows that still hold it (from before it was
        dropped on processing); how many."""
        return self._conn.execute(_BLANK_DONE).rowcount

    def mark_failed(self, row_id: int, error: str, now: datetime) -> None:
        self._finish(row_id, FAILED, now, error)

    def retry(self, row_id: int, error: str, retry_at: datetime) -> None:
        self._conn.execute(
            _RETRY,
            {"row_id": row_id, "retry_at": require_aware(retry_at, "retry_at"), "error": error},
        )

    def release_stale(self, older_than: datetime) -> int:
        """Hand rows claimed before ``older_than`` (a crashed worker's) back to the queue."""
        return self._conn.execute(
            _RELEASE_STALE, {"older_than": require_aware(older_than, "older_than")}
        ).rowcount

    def prune(self, before: datetime) -> int:
        """Forget processed rows older than ``before`` (WeChat retries within seconds)."""
        return self._conn.execute(_PRUNE, {"before": require_aware(before, "before")}).rowcount

    def unfinished(self) -> int:
        return int(self._conn.execute(_UNFINISHED).scalar_one())

    def unfinished_besides(self, openid: str, dedupe_key: str | None) -> int:
        """The user's messages not processed yet, other than ``dedupe_key``."""
        params = {"b_openid": openid, "b_dedupe_key": dedupe_key or ""}
        return int(self._conn.execute(_OTHERS_UNFINISHED, params).scalar_one())

    def status_counts(self) -> dict[str, int]:
        return {status: int(count) for status, count in self._conn.execute(_STATUS_COUNTS)}

    def _finish(self, row_id: int, status: str, now: datetime, error: str | None) -> None:
        self._conn.execute(
            _FINISH,
            {
                "row_id": row_id,
                "new_status": status,
                "at": require_aware(now, "now"),
                "error": None if error is None else error[:2000],
            },
        )
