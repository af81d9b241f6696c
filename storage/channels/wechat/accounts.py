"""WeChat account state shared by every worker: session values (the access token) and
what user/info told about each openid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, or_, select, update

from storage._sql import DialectInsert, per_dialect, pick, require_aware
from storage.channels.wechat.tables import wechat_session_t, wechat_user_t

_s = wechat_session_t.c
_u = wechat_user_t.c

_GET = select(_s.value, _s.expires_at).where(
    _s.key == bindparam("key"),
    or_(_s.expires_at.is_(None), _s.expires_at > bindparam("now", type_=_s.expires_at.type)),
)


def _upsert(ins: DialectInsert) -> Any:
    statement = ins(wechat_session_t)
    return statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "value": statement.excluded.value,
            "expires_at": statement.excluded.expires_at,
            "refreshing_until": None,
        },
    )


_PUT = per_dialect(_upsert)
_ENSURE = per_dialect(
    lambda ins: ins(wechat_session_t).on_conflict_do_nothing(index_elements=["key"])
)
_LEASE = (
    update(wechat_session_t)
    .where(
        _s.key == bindparam("b_key"),
        or_(
            _s.refreshing_until.is_(None),
            _s.refreshing_until < bindparam("now", type_=_s.refreshing_until.type),
        ),
    )
    .values(refreshing_until=bindparam("until", type_=_s.refreshing_until.type))
)
_RELEASE = (
    update(wechat_session_t).where(_s.key == bindparam("b_key")).values(refreshing_until=None)
)
_DELETE = delete(wechat_session_t).where(_s.key == bindparam("key"))

_USER = select(_u.language).where(_u.openid == bindparam("openid"))
_REMEMBER = per_dialect(
    lambda ins: ins(wechat_user_t).on_conflict_do_nothing(index_elements=["openid"])
)


class WeChatSessions:
    """Key/value pairs with an expiry: what wechatpy's SessionStorage needs, in our database."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, key: str, now: datetime) -> str | None:
        """The value, unless absent or expired."""
        found = self.find(key, now)
        return None if found is None else found[0]

    def find(self, key: str, now: datetime) -> tuple[str, datetime | None] | None:
        """The value and when it expires, unless absent or expired."""
        row = self._conn.execute(_GET, {"key": key, "now": require_aware(now, "now")}).first()
        return None if row is None else (row.value, row.expires_at)

    def put(self, key: str, value: str, expires_at: datetime | None) -> None:
        if expires_at is not None:
            require_aware(expires_at, "expires_at")
        self._conn.execute(
            pick(_PUT, self._conn),
            {"key": key, "value": value, "expires_at": expires_at, "refreshing_until": None},
        )

    def delete(self, key: str) -> None:
        self._conn.execute(_DELETE, {"key": key})

    def lease(self, key: str, now: datetime, until: datetime) -> bool:
        """Take the right to refresh ``key`` until ``until``; False while another worker has it.

        Storing a new value (``put``) ends the lease.
        """
        moment = require_aware(now, "now")
        self._conn.execute(
            pick(_ENSURE, self._conn),
            {"key": key, "value": "", "expires_at": moment, "refreshing_until": None},
        )
        taken = self._conn.execute(
            _LEASE, {"b_key": key, "now": moment, "until": require_aware(until, "until")}
        )
        return taken.rowcount == 1

    def release(self, key: str) -> None:
        """End a lease without a new value (the refresh failed)."""
        self._conn.execute(_RELEASE, {"b_key": key})


@dataclass(frozen=True)
class KnownUser:
    language: str | None  # as user/info gave it (zh_CN, zh_TW, en), None if unknown


class WeChatUsers:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, openid: str) -> KnownUser | None:
        row = self._conn.execute(_USER, {"openid": openid}).first()
        return None if row is None else KnownUser(row.language)

    def remember(self, openid: str, language: str | None, now: datetime) -> None:
        """Record what user/info said (the first answer stays)."""
        self._conn.execute(
            pick(_REMEMBER, self._conn),
            {
                "openid": openid,
                "language": language[:16] if language else None,
                "fetched_at": require_aware(now, "now"),
            },
        )
