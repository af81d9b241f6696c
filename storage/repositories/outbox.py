"""The outbox: outgoing messages written in the same transaction as the state change.

A row is ``pending`` until a worker claims it (``sending``), then ``sent``, or back to
``pending`` with a later ``available_at`` for a retry, or ``failed`` for good. Claims
keep each chat's order: a row is not handed out while an earlier row of its chat is
being sent by someone, or waits for a retry.

A claim is a lease: ``claimed_at`` is when its worker last renewed it (``renew``, the
dispatcher's heartbeat). Rows whose lease lapsed (``release_stale``) go back to the queue
for any worker: their worker died or stalled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.sql import Select

from domain.ports import OutboxStore
from storage._sql import AnyRow, per_dialect, pick, require_aware, utcnow
from storage.records import OutboxItem, OutboxRow
from storage.tables.core import outbox_t

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"

_c = outbox_t.c
_ROW_COLUMNS = (
    _c.id,
    _c.channel,
    _c.chat_id,
    _c.locale,
    _c.payload,
    _c.created_at,
    _c.status,
    _c.attempts,
    _c.sent_at,
    _c.idempotency_key,
    _c.party_id,
    _c.available_at,
)

_ADD = per_dialect(
    lambda ins: (
        ins(outbox_t).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(_c.id)
    )
)
_FOR_CHAT = (
    select(*_ROW_COLUMNS)
    .where(
        _c.channel == bindparam("channel"),
        _c.chat_id == bindparam("chat_id"),
        _c.id > bindparam("after_id"),
        _c.status.in_((PENDING, SENT)),
    )
    .order_by(_c.id)
    .limit(bindparam("limit"))
)
_NEWEST_FOR_CHAT = (
    select(*_ROW_COLUMNS)
    .where(
        _c.channel == bindparam("channel"),
        _c.chat_id == bindparam("chat_id"),
        _c.status.in_((PENDING, SENT)),
    )
    .order_by(_c.id.desc())
    .limit(bindparam("limit"))
)
_MARK_SENT = (
    update(outbox_t)
    .where(_c.id.in_(bindparam("ids", expanding=True)), _c.status != SENT)
    .values(status=SENT, sent_at=bindparam("at", type_=_c.sent_at.type), last_error=None)
)
_MARK_FAILED = (
    update(outbox_t)
    .where(_c.id == bindparam("row_id"))
    .values(
        status=bindparam("new_status"),
        available_at=func.coalesce(
            bindparam("retry_at", type_=_c.available_at.type), _c.available_at
        ),
        last_error=bindparam("error"),
        claimed_by=None,
        claimed_at=None,
    )
)
_RELEASE_STALE = (
    update(outbox_t)
    .where(_c.status == SENDING, _c.claimed_at < bindparam("older_than", type_=_c.claimed_at.type))
    .values(status=PENDING, claimed_by=None, claimed_at=None)
)
_RELEASE = (
    update(outbox_t)
    .where(_c.id.in_(bindparam("ids", expanding=True)), _c.status == SENDING)
    .values(status=PENDING, claimed_by=None, claimed_at=None, attempts=_c.attempts - 1)
)
_RELEASE_OWN = _RELEASE.where(_c.claimed_by == bindparam("worker"))
_RENEW = (
    update(outbox_t)
    .where(_c.status == SENDING, _c.claimed_by == bindparam("worker"))
    .values(claimed_at=bindparam("now", type_=_c.claimed_at.type))
    .returning(_c.id)
)
_NEXT_DUE = select(func.min(_c.available_at)).where(
    _c.status == PENDING, _c.channel.in_(bindparam("channels", expanding=True))
)
_BACKLOG = (
    select(func.count())
    .select_from(outbox_t)
    .where(
        or_(
            _c.status == SENDING,
            and_(
                _c.status == PENDING,
                _c.available_at <= bindparam("now", type_=_c.available_at.type),
            ),
        )
    )
)


def _build_claim(postgres: bool, by_channel: bool, by_chats: bool = False) -> Any:
    """UPDATE .. RETURNING that claims due rows, keeping each chat's order.

    Candidates: pending rows that are due, whose chat has no earlier row being sent or
    waiting for a retry, lowest ids first. PostgreSQL locks them ``FOR UPDATE SKIP
    LOCKED``; a candidate is then only taken if every earlier due row of its chat is
    among the candidates too (an earlier one skipped as locked belongs to another
    worker's claim in flight). On SQLite the single statement under ``BEGIN IMMEDIATE``
    needs no locks, and the same filter holds trivially.
    """
    now = bindparam("now", type_=_c.available_at.type)
    earlier = outbox_t.alias("earlier")
    o = outbox_t.alias("o")
    blocked_by_earlier = exists().where(
        earlier.c.channel == o.c.channel,
        earlier.c.chat_id == o.c.chat_id,
        earlier.c.id < o.c.id,
        or_(
            earlier.c.status == SENDING,
            and_(earlier.c.status == PENDING, earlier.c.attempts > 0, earlier.c.available_at > now),
        ),
    )
    candidates: Select[Any] = select(o.c.id, o.c.channel, o.c.chat_id).where(
        o.c.status == PENDING, o.c.available_at <= now, ~blocked_by_earlier
    )
    if by_channel:
        candidates = candidates.where(o.c.channel == bindparam("only_channel"))
    if by_chats:
        candidates = candidates.where(o.c.chat_id.in_(bindparam("chats", expanding=True)))
    candidates = candidates.order_by(o.c.id).limit(bindparam("limit"))
    if postgres:
        candidates = candidates.with_for_update(skip_locked=True, of=o)
    cand = candidates.cte("cand")
    taken: Select[Any] = select(cand.c.id)
    if postgres:
        skipped = outbox_t.alias("skipped")
        taken = taken.where(
            ~exists().where(
                skipped.c.channel == cand.c.channel,
                skipped.c.chat_id == cand.c.chat_id,
                skipped.c.id < cand.c.id,
                skipped.c.status == PENDING,
                skipped.c.available_at <= now,
                skipped.c.id.not_in(select(cand.c.id).scalar_subquery()),
            )
        )
    return (
        update(outbox_t)
        .where(_c.id.in_(taken.scalar_subquery()))
        .values(
            status=SENDING,
            claimed_by=bindparam("worker"),
            claimed_at=now,
            attempts=_c.attempts + literal(1),
        )
        .returning(*_ROW_COLUMNS)
    )


_CLAIM = {
    (dialect, by_channel): _build_claim(dialect == "postgresql", by_channel)
    for dialect in ("postgresql", "sqlite")
    for by_channel in (False, True)
}
_CLAIM_CHATS = {
    dialect: _build_claim(dialect == "postgresql", True, by_chats=True)
    for dialect in ("postgresql", "sqlite")
}


def _row(row: AnyRow) -> OutboxRow:
    return OutboxRow(
        id=row.id,
        channel=row.channel,
        chat_id=row.chat_id,
        locale=row.locale,
        payload=row.payload,
        created_at=row.created_at,
        status=row.status,
        attempts=row.attempts,
        sent_at=row.sent_at,
        idempotency_key=row.idempotency_key,
        party_id=row.party_id,
        available_at=row.available_at,
    )


class Outbox(OutboxStore):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, items: Sequence[OutboxItem], now: datetime | None = None) -> int:
        """Queue messages; an item whose idempotency key exists is skipped silently.

        Returns how many rows were inserted.
        """
        if not items:
            return 0
        created = utcnow() if now is None else require_aware(now, "now")
        rows = [
            {
                "idempotency_key": item.idempotency_key,
                "channel": item.channel,
                "chat_id": item.chat_id,
                "party_id": item.party_id,
                "locale": item.locale,
                "payload": item.payload,
                "created_at": created,
                "available_at": created if item.available_at is None else item.available_at,
                "status": PENDING,
                "attempts": 0,
            }
            for item in items
        ]
        statement = pick(_ADD, self._conn)
        if len(rows) == 1:
            return len(self._conn.execute(statement, rows[0]).all())
        return len(self._conn.execute(statement, rows).all())

    def for_chat(
        self, channel: str, chat_id: str, after_id: int, limit: int = 100
    ) -> list[OutboxRow]:
        """Pending or sent rows of one chat after ``after_id``, in id order (web chat pull)."""
        result = self._conn.execute(
            _FOR_CHAT,
            {"channel": channel, "chat_id": chat_id, "after_id": after_id, "limit": limit},
        )
        return [_row(row) for row in result]

    def newest_for_chat(self, channel: str, chat_id: str, limit: int = 100) -> list[OutboxRow]:
        """The newest ``limit`` pending or sent rows of one chat, in id order (a web chat
        opened afresh shows its latest messages, not its oldest)."""
        result = self._conn.execute(
            _NEWEST_FOR_CHAT, {"channel": channel, "chat_id": chat_id, "limit": limit}
        )
        return sorted((_row(row) for row in result), key=lambda row: row.id)

    def mark_sent(self, ids: Iterable[int], at: datetime) -> int:
        id_list = list(ids)
        if not id_list:
            return 0
        return self._conn.execute(
            _MARK_SENT, {"ids": id_list, "at": require_aware(at, "at")}
        ).rowcount

    def claim_due(
        self, channel: str | None, worker: str, now: datetime, limit: int
    ) -> list[OutboxRow]:
        """Claim up to ``limit`` due rows (of one channel, or all) for ``worker``.

        Sets status=sending, claimed_by, claimed_at and counts the attempt. Two workers
        never get the same row. Rows come back in id order.
        """
        params: dict[str, Any] = {
            "now": require_aware(now, "now"),
            "worker": worker,
            "limit": limit,
        }
        if channel is not None:
            params["only_channel"] = channel
        statement = _CLAIM[(self._conn.dialect.name, channel is not None)]
        rows = [_row(row) for row in self._conn.execute(statement, params)]
        rows.sort(key=lambda r: r.id)
        return rows

    def renew(self, worker: str, now: datetime) -> list[int]:
        """Renew every lease ``worker`` holds; the ids it still holds (a row missing from
        them was taken back, its lease having lapsed)."""
        params = {"worker": worker, "now": require_aware(now, "now")}
        return list(self._conn.execute(_RENEW, params).scalars())

    def claim_chats(
        self, channel: str, chat_ids: Sequence[str], worker: str, now: datetime, limit: int
    ) -> list[OutboxRow]:
        """``claim_due`` for a few chats of one channel (a turn claims its own rows)."""
        if not chat_ids:
            return []
        params: dict[str, Any] = {
            "now": require_aware(now, "now"),
            "worker": worker,
            "limit": limit,
            "only_channel": channel,
            "chats": list(chat_ids),
        }
        statement = _CLAIM_CHATS[self._conn.dialect.name]
        rows = [_row(row) for row in self._conn.execute(statement, params)]
        rows.sort(key=lambda r: r.id)
        return rows

    def release_stale(self, older_than: datetime) -> int:
        """Give claims whose lease was last renewed before ``older_than`` back to the queue
        (their worker died or stalled)."""
        return self._conn.execute(
            _RELEASE_STALE, {"older_than": require_aware(older_than, "older_than")}
        ).rowcount

    def release(self, ids: Iterable[int], worker: str | None = None) -> int:
        """Hand claimed rows back untried (their attempt is not counted); with ``worker``,
        only those that worker still holds."""
        wanted = list(ids)
        if not wanted:
            return 0
        if worker is None:
            return self._conn.execute(_RELEASE, {"ids": wanted}).rowcount
        return self._conn.execute(_RELEASE_OWN, {"ids": wanted, "worker": worker}).rowcount

    def mark_failed(self, row_id: int, error: str, retry_at: datetime | None) -> None:
        """A send failed: retry at ``retry_at``, or (None) give up on the row."""
        self._conn.execute(
            _MARK_FAILED,
            {
                "row_id": row_id,
                "new_status": FAILED if retry_at is None else PENDING,
                "retry_at": retry_at,
                "error": error[:2000],
            },
        )

    def next_due(self, channels: Sequence[str]) -> datetime | None:
        """When the earliest pending row of these channels is due (None: none pending)."""
        if not channels:
            return None
        due: datetime | None = self._conn.execute(
            _NEXT_DUE, {"channels": list(channels)}
        ).scalar_one()
        return due

    def backlog(self, now: datetime | None = None) -> int:
        """Rows due and not sent yet (pending and due by ``now``, or being sent)."""
        moment = utcnow() if now is None else require_aware(now, "now")
        return int(self._conn.execute(_BACKLOG, {"now": moment}).scalar_one())
