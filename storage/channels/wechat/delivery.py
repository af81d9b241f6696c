"""What the WeChat sender keeps: each user's customer-service allowances, and the few
outbox queries it needs to merge queued messages and to keep them for the user's return.

WeChat grants an allowance per kind of user action (a message: 5 within 48 hours; a menu
click, a follow, a QR scan: 3 within a minute); a newer action of the same kind replaces
the older grant. Sends use the grant that expires first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update

from storage._sql import DialectInsert, per_dialect, pick, require_aware
from storage.channels.wechat.tables import wechat_quota_t
from storage.tables.core import outbox_t

_q = wechat_quota_t.c
_o = outbox_t.c


def _grant(ins: DialectInsert) -> Any:
    statement = ins(wechat_quota_t)
    return statement.on_conflict_do_update(
        index_elements=["openid", "kind"],
        set_={
            "granted_at": statement.excluded.granted_at,
            "expires_at": statement.excluded.expires_at,
            "allowance": statement.excluded.allowance,
            "used": 0,
        },
    )


_GRANT = per_dialect(_grant)
_OPEN = and_(
    _q.openid == bindparam("openid"),
    _q.expires_at > bindparam("now", type_=_q.expires_at.type),
    _q.used < _q.allowance,
)
_AVAILABLE = select(func.coalesce(func.sum(_q.allowance - _q.used), 0)).where(_OPEN)
_FIRST_OPEN = select(_q.kind).where(_OPEN).order_by(_q.expires_at).limit(1)
_USE = (
    update(wechat_quota_t)
    .where(_q.openid == bindparam("b_openid"), _q.kind == bindparam("b_kind"))
    .values(used=_q.used + 1)
)
_CLOSE = update(wechat_quota_t).where(_q.openid == bindparam("b_openid")).values(used=_q.allowance)

_NOW = bindparam("now", type_=_o.available_at.type)
_FOLLOWING = (
    select(_o.id, _o.locale, _o.payload, _o.status)
    .where(
        _o.channel == bindparam("channel"),
        _o.chat_id == bindparam("chat_id"),
        _o.id > bindparam("after_id"),
        or_(_o.status == "sending", and_(_o.status == "pending", _o.available_at <= _NOW)),
    )
    .order_by(_o.id)
    .limit(bindparam("limit"))
)
_PARK = update(outbox_t).where(_o.id == bindparam("row_id")).values(attempts=1)
_RELEASE_PARKED = (
    update(outbox_t)
    .where(
        _o.channel == bindparam("b_channel"),
        _o.chat_id == bindparam("b_chat_id"),
        _o.status == "pending",
        _o.available_at > _NOW,
    )
    .values(available_at=_NOW)
)


@dataclass(frozen=True)
class QueuedMessage:
    id: int
    locale: str
    payload: dict[str, Any]
    claimed: bool  # in a dispatcher's current batch (status "sending")


class WeChatQuotas:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def grant(
        self, openid: str, kind: str, now: datetime, allowance: int, lifetime: timedelta
    ) -> None:
        """A user action opened (or renewed) the allowance of its kind."""
        moment = require_aware(now, "now")
        self._conn.execute(
            pick(_GRANT, self._conn),
            {
                "openid": openid,
                "kind": kind,
                "granted_at": moment,
                "expires_at": moment + lifetime,
                "allowance": allowance,
                "used": 0,
            },
        )

    def available(self, openid: str, now: datetime) -> int:
        """Customer-service messages that may still be sent to ``openid`` now."""
        params = {"openid": openid, "now": require_aware(now, "now")}
        return int(self._conn.execute(_AVAILABLE, params).scalar_one())

    def use(self, openid: str, now: datetime) -> bool:
        """Count one sent message against the grant expiring first; False if none was open."""
        params = {"openid": openid, "now": require_aware(now, "now")}
        kind = self._conn.execute(_FIRST_OPEN, params).scalar()
        if kind is None:
            return False
        self._conn.execute(_USE, {"b_openid": openid, "b_kind": kind})
        return True

    def close(self, openid: str) -> None:
        """WeChat said the window is closed (45015) or used up (45047): nothing is left."""
        self._conn.execute(_CLOSE, {"b_openid": openid})


class WeChatQueue:
    """The WeChat rows of the shared outbox, as the sender needs them."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def following(
        self, channel: str, chat_id: str, after_id: int, now: datetime, limit: int
    ) -> list[QueuedMessage]:
        """The chat's rows after ``after_id`` that are being sent or due, in order."""
        result = self._conn.execute(
            _FOLLOWING,
            {
                "channel": channel,
                "chat_id": chat_id,
                "after_id": after_id,
                "now": require_aware(now, "now"),
                "limit": limit,
            },
        )
        return [
            QueuedMessage(row.id, row.locale, row.payload, row.status == "sending")
            for row in result
        ]

    def park(self, row_id: int) -> None:
        """Keep a row waiting without using up its attempts (it waits for the user)."""
        self._conn.execute(_PARK, {"row_id": row_id})

    def release(self, channel: str, chat_id: str, now: datetime) -> int:
        """Make the chat's waiting rows due now (the user wrote again)."""
        return self._conn.execute(
            _RELEASE_PARKED,
            {"b_channel": channel, "b_chat_id": chat_id, "now": require_aware(now, "now")},
        ).rowcount
