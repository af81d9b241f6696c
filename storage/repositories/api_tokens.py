"""Bearer tokens of the JSON API and the dashboard: created, verified, listed, revoked.

The raw token (``cbt_`` + 43 URL-safe characters) is returned once by ``create``; the
table keeps only its SHA-256, so a leaked database does not leak usable tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, insert, select, update

from storage._sql import AnyRow, require_aware
from storage.tables.api import api_token_t
from storage.tables.core import adjuster_t, shop_t

TOKEN_PREFIX = "cbt_"
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 200
# last_used_at is a hint for operators; refreshing it at most this often keeps reads cheap.
LAST_USED_RESOLUTION = timedelta(minutes=1)

Scope = Literal["insurer", "shop"]


class UnknownShop(ValueError):
    """A shop-scoped token names a shop code that is not in the directory."""


class UnknownStaff(ValueError):
    """An insurer token names a staff code that is not an adjuster's."""


@dataclass(frozen=True)
class ApiToken:
    id: int
    scope: Scope
    shop_code: str | None
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    staff_code: str | None = None  # the staff member an insurer token was issued to

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


_t = api_token_t.c
_COLUMNS = (
    _t.id,
    _t.scope,
    _t.shop_code,
    _t.label,
    _t.created_at,
    _t.last_used_at,
    _t.revoked_at,
    _t.staff_code,
)


def _token(row: AnyRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        scope="shop" if row.scope == "shop" else "insurer",
        shop_code=row.shop_code,
        label=row.label,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        staff_code=row.staff_code,
    )


class ApiTokenRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def create(
        self,
        scope: Scope,
        shop_code: str | None,
        label: str | None,
        now: datetime,
        staff_code: str | None = None,
    ) -> tuple[str, ApiToken]:
        """A new token: (the raw token, shown once; its record). An insurer token may be
        issued to a staff member (``staff_code``), whose dashboard actions it takes."""
        require_aware(now, "now")
        if scope == "shop":
            if not shop_code or not self._shop_exists(shop_code):
                raise UnknownShop(shop_code or "")
            staff_code = None
        else:
            shop_code = None
        if staff_code is not None and not self._staff_exists(staff_code):
            raise UnknownStaff(staff_code)
        raw = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        token_id = self._conn.execute(
            insert(api_token_t).returning(_t.id),
            {
                "token_hash": hash_token(raw),
                "scope": scope,
                "shop_code": shop_code,
                "label": label,
                "created_at": now,
                "staff_code": staff_code,
            },
        ).scalar_one()
        token = ApiToken(token_id, scope, shop_code, label, now, None, None, staff_code)
        return raw, token

    def verify(self, raw: str, now: datetime | None = None) -> ApiToken | None:
        """The active token whose hash matches ``raw``, else None. With ``now``, records the
        use (at most once a minute per token)."""
        if not raw or len(raw) > MAX_TOKEN_LENGTH:
            return None
        row = self._conn.execute(
            select(*_COLUMNS).where(_t.token_hash == hash_token(raw), _t.revoked_at.is_(None))
        ).first()
        if row is None:
            return None
        token = _token(row)
        if now is not None and (
            token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION
        ):
            self._conn.execute(
                update(api_token_t).where(_t.id == token.id).values(last_used_at=now)
            )
        return token

    def get(self, token_id: int) -> ApiToken | None:
        row = self._conn.execute(select(*_COLUMNS).where(_t.id == token_id)).first()
        return None if row is None else _token(row)

    def all_tokens(self) -> list[ApiToken]:
        return [_token(row) for row in self._conn.execute(select(*_COLUMNS).order_by(_t.id))]

    def revoke(self, token_id: int, now: datetime) -> bool:
        """Revoke a token; False when there is no such active token."""
        require_aware(now, "now")
        result = self._conn.execute(
            update(api_token_t)
            .where(_t.id == token_id, _t.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return result.rowcount == 1

    def _shop_exists(self, code: str) -> bool:
        return (
            self._conn.execute(select(shop_t.c.id).where(shop_t.c.code == code)).first() is not None
        )

    def _staff_exists(self, code: str) -> bool:
        found = self._conn.execute(select(adjuster_t.c.id).where(adjuster_t.c.code == code))
        return found.first() is not None
