"""Shops from the directory as domain objects, with their closed days, the owners' ratings
summed up from the bookings, and their staff."""

from __future__ import annotations

import functools
import json
import logging
from collections import defaultdict
from datetime import date

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from domain.geo import GeoPoint
from domain.ports import ShopRepository
from domain.shop import InvalidHours, Shop, ShopStaff, WeeklyHours, parse_hours
from storage._sql import AnyRow
from storage.tables.booking import booking_t, shop_closed_day_t
from storage.tables.core import party_t, shop_staff_t, shop_t

log = logging.getLogger(__name__)

_s = shop_t.c
_SHOPS = select(
    _s.id,
    _s.code,
    _s.name,
    _s.address,
    _s.lat,
    _s.lon,
    _s.makes,
    _s.services,
    _s.rating,
    _s.bays,
    _s.slot_minutes,
    _s.hours,
    _s.timezone,
).order_by(_s.code)
_BY_ID = _SHOPS.where(_s.id == bindparam("shop_id"))
_BY_CODE = _SHOPS.where(_s.code == bindparam("code"))

_d = shop_closed_day_t.c
_CLOSED = select(_d.shop_id, _d.day)
_CLOSED_OF = _CLOSED.where(_d.shop_id == bindparam("shop_id"))

_b = booking_t.c
_RATINGS = (
    select(_b.shop_id, func.count(_b.rating), func.sum(_b.rating))
    .where(_b.rating.is_not(None))
    .group_by(_b.shop_id)
)
_RATINGS_OF = _RATINGS.where(_b.shop_id == bindparam("shop_id"))

_st = shop_staff_t.c
_STAFFED = select(_st.shop_id).where(_st.party_id.is_not(None)).distinct()
_STAFFED_OF = _STAFFED.where(_st.shop_id == bindparam("shop_id"))
_STAFF_COLUMNS = (_st.id, _st.shop_id, _st.name, _st.party_id)
_STAFF_OF_SHOP = select(*_STAFF_COLUMNS).where(_st.shop_id == bindparam("shop_id")).order_by(_st.id)
_STAFF_OF_PARTY = (
    select(*_STAFF_COLUMNS).where(_st.party_id == bindparam("party_id")).order_by(_st.id).limit(1)
)
_STAFF_BY_NAME = select(*_STAFF_COLUMNS).where(
    _st.shop_id == bindparam("shop_id"), _st.name == bindparam("name")
)


def _hours(row: AnyRow) -> WeeklyHours:
    try:
        return _parsed_hours(json.dumps(row.hours or {}, sort_keys=True))
    except InvalidHours as exc:  # the import checks hours; rows written otherwise are closed
        log.warning("shop %s: unreadable hours (%s); treated as closed", row.code, exc)
        return WeeklyHours()


@functools.lru_cache(maxsize=1024)
def _parsed_hours(spec: str) -> WeeklyHours:
    """Hours read once per distinct spec (every search reads every shop)."""
    return parse_hours(json.loads(spec))


def _shop(row: AnyRow, closed: frozenset[date], ratings: tuple[int, int], staffed: bool) -> Shop:
    return Shop(
        id=row.id,
        code=row.code,
        name=row.name,
        address=row.address,
        location=GeoPoint(row.lat, row.lon),
        makes=tuple(row.makes or ()),
        services=tuple(row.services or ()),
        bays=row.bays,
        slot_minutes=row.slot_minutes,
        hours=_hours(row),
        timezone=row.timezone,
        closed_days=closed,
        directory_rating=row.rating,
        ratings_count=ratings[0],
        ratings_sum=ratings[1],
        staffed=staffed,
    )


def _staff(row: AnyRow) -> ShopStaff:
    return ShopStaff(id=row.id, shop_id=row.shop_id, name=row.name, party_id=row.party_id)


class SqlShopRepository(ShopRepository):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def all(self) -> list[Shop]:
        closed: defaultdict[int, set[date]] = defaultdict(set)
        for shop_id, day in self._conn.execute(_CLOSED):
            closed[shop_id].add(day)
        ratings = {row[0]: (int(row[1]), int(row[2] or 0)) for row in self._conn.execute(_RATINGS)}
        staffed = {row[0] for row in self._conn.execute(_STAFFED)}
        return [
            _shop(row, frozenset(closed[row.id]), ratings.get(row.id, (0, 0)), row.id in staffed)
            for row in self._conn.execute(_SHOPS)
        ]

    def get(self, shop_id: int) -> Shop | None:
        return self._one(self._conn.execute(_BY_ID, {"shop_id": shop_id}).first())

    def by_code(self, code: str) -> Shop | None:
        return self._one(self._conn.execute(_BY_CODE, {"code": code.strip()}).first())

    def _one(self, row: AnyRow | None) -> Shop | None:
        if row is None:
            return None
        params = {"shop_id": row.id}
        closed = frozenset(day for _, day in self._conn.execute(_CLOSED_OF, params))
        rating = self._conn.execute(_RATINGS_OF, params).first()
        ratings = (0, 0) if rating is None else (int(rating[1]), int(rating[2] or 0))
        staffed = self._conn.execute(_STAFFED_OF, params).first() is not None
        return _shop(row, closed, ratings, staffed)

    def staff(self, shop_id: int) -> list[ShopStaff]:
        return [_staff(row) for row in self._conn.execute(_STAFF_OF_SHOP, {"shop_id": shop_id})]

    def staff_for_party(self, party_id: int) -> ShopStaff | None:
        row = self._conn.execute(_STAFF_OF_PARTY, {"party_id": party_id}).first()
        return None if row is None else _staff(row)

    def bind_staff(self, shop_code: str, name: str, party_id: int) -> ShopStaff:
        shop_id = self._conn.execute(select(_s.id).where(_s.code == shop_code)).scalar()
        if shop_id is None:
            raise LookupError(f"no shop {shop_code!r}")
        params = {"shop_id": shop_id, "name": name}
        row = self._conn.execute(_STAFF_BY_NAME, params).first()
        if row is None:
            self._conn.execute(insert(shop_staff_t), {**params, "party_id": party_id})
        else:
            self._conn.execute(
                update(shop_staff_t).where(_st.id == row.id).values(party_id=party_id)
            )
        self._conn.execute(
            update(party_t).where(party_t.c.id == party_id).values(kind="shop_staff", name=name)
        )
        bound = self._conn.execute(_STAFF_BY_NAME, params).one()
        return _staff(bound)


def sync_closed_days(conn: Connection, shop_id: int, days: frozenset[date]) -> bool:
    """Make the shop's closed days exactly ``days`` (the directory's list); True if changed."""
    current = {day for _, day in conn.execute(_CLOSED_OF, {"shop_id": shop_id})}
    gone, new = current - days, days - current
    if gone:
        conn.execute(
            delete(shop_closed_day_t).where(_d.shop_id == shop_id, _d.day.in_(sorted(gone)))
        )
    if new:
        conn.execute(
            insert(shop_closed_day_t), [{"shop_id": shop_id, "day": day} for day in sorted(new)]
        )
    return bool(gone or new)
