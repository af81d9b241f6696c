"""Bookings and shops as the dashboard and the API show them; the change marker; the
status page's claim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    func,
    select,
)

from domain.shop import blend_rating, shown_rating
from storage._sql import AnyRow
from storage.read_models.views import (
    MAX_LIMIT,
    BookingDetail,
    BookingSummary,
    BookingTimelineEntry,
    ShopInfo,
    _b,
    _bc,
    _c,
    _s,
    linked_to_shop,
    shop_id_of,
)
from storage.tables.booking import booking_t
from storage.tables.core import (
    claim_t,
    party_t,
    shop_t,
)

_BOOKING_COLUMNS = (
    _b.id,
    _b.kind,
    _b.status,
    shop_t.c.code.label("shop_code"),
    shop_t.c.name.label("shop_name"),
    _b.slot_start,
    _b.slot_end,
    _b.claim_number,
    _b.plate,
    _b.updated_at,
)
_BOOKING_FROM = booking_t.join(shop_t, shop_t.c.id == _b.shop_id)


def _bookings_query(shop_code: str | None, *extra: Any) -> Select[Any]:
    query = select(*_BOOKING_COLUMNS, *extra).select_from(_BOOKING_FROM)
    if shop_code is not None:
        query = query.where(shop_t.c.code == shop_code)
    return query


def _booking_summary(row: AnyRow) -> BookingSummary:
    return BookingSummary(
        id=row.id,
        reference=f"#{row.id}",
        kind=row.kind,
        status=row.status,
        shop_code=row.shop_code,
        shop_name=row.shop_name,
        slot_start=row.slot_start,
        slot_end=row.slot_end,
        claim_number=row.claim_number,
        plate=row.plate,
        updated_at=row.updated_at,
    )


def list_bookings(
    conn: Connection,
    *,
    shop_code: str | None = None,
    status: str | None = None,
    claim_number: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[BookingSummary]:
    """Bookings, latest slot first."""
    query = _bookings_query(shop_code)
    if status:
        query = query.where(_b.status == status)
    if claim_number:
        query = query.where(_b.claim_number == claim_number)
    query = (
        query.order_by(_b.slot_start.desc(), _b.id.desc())
        .limit(max(0, min(limit, MAX_LIMIT)))
        .offset(max(0, offset))
    )
    return [_booking_summary(row) for row in conn.execute(query)]


def bookings_of_claim(
    conn: Connection, number: str, shop_code: str | None
) -> list[BookingSummary]:
    query = _bookings_query(shop_code).where(_b.claim_number == number).order_by(_b.id)
    return [_booking_summary(row) for row in conn.execute(query)]


def count_bookings_by_status(conn: Connection, *, shop_code: str | None = None) -> dict[str, int]:
    query = select(_b.status, func.count()).select_from(_BOOKING_FROM).group_by(_b.status)
    if shop_code is not None:
        query = query.where(shop_t.c.code == shop_code)
    return {status: count for status, count in conn.execute(query)}


def booking_detail(
    conn: Connection, booking_id: int, *, shop_code: str | None = None
) -> BookingDetail | None:
    query = _bookings_query(
        shop_code,
        _b.make,
        _b.decline_reason,
        _b.estimated_done_at,
        _b.quote_fen,
        _b.final_fen,
        _b.tow,
        _b.pickup,
        _b.problem,
        _b.accepted_at,
        _b.payer,
        _b.paid_fen,
        _b.rating,
        _b.comment,
        _b.reschedules,
        _b.created_at,
    ).where(_b.id == booking_id)
    row = conn.execute(query).first()
    if row is None:
        return None
    return BookingDetail(
        summary=_booking_summary(row),
        timeline=booking_timeline(conn, booking_id),
        make=row.make,
        decline_reason=row.decline_reason,
        estimated_done_at=row.estimated_done_at,
        quote_fen=row.quote_fen,
        final_fen=row.final_fen,
        tow=bool(row.tow),
        pickup=row.pickup,
        problem=row.problem,
        accepted_at=row.accepted_at,
        payer=row.payer,
        paid_fen=row.paid_fen,
        rating=row.rating,
        comment=row.comment,
        reschedules=row.reschedules,
        created_at=row.created_at,
    )


def booking_timeline(conn: Connection, booking_id: int) -> list[BookingTimelineEntry]:
    query = (
        select(_bc.at, _bc.from_status, _bc.to_status, _bc.actor, _bc.note)
        .where(_bc.booking_id == booking_id)
        .order_by(_bc.id)
    )
    return [
        BookingTimelineEntry(r.at, r.from_status, r.to_status, r.actor, r.note or "")
        for r in conn.execute(query)
    ]


# --- shops and change detection --------------------------------------------------------


def list_shops(conn: Connection) -> list[ShopInfo]:
    """The directory, each shop's rating as owners see it in chat (``domain.shop``: the
    directory's rating blended with the owners' stars, one decimal)."""
    s = shop_t.c
    stars = (
        select(_b.shop_id, func.count(_b.rating).label("n"), func.sum(_b.rating).label("total"))
        .where(_b.rating.is_not(None))
        .group_by(_b.shop_id)
        .subquery()
    )
    query = (
        select(s.code, s.name, s.address, s.lat, s.lon, s.makes, s.services, s.rating, s.bays)
        .add_columns(stars.c.n, stars.c.total)
        .outerjoin(stars, stars.c.shop_id == s.id)
        .order_by(s.code)
    )
    return [
        ShopInfo(
            code=r.code,
            name=r.name,
            address=r.address,
            lat=r.lat,
            lon=r.lon,
            makes=list(r.makes or []),
            services=list(r.services or []),
            rating=shown_rating(blend_rating(r.rating, int(r.n or 0), int(r.total or 0))),
            bays=r.bays,
        )
        for r in conn.execute(query)
    ]


def change_marker(conn: Connection, *, shop_code: str | None = None) -> str:
    """A short string that changes whenever a visible claim or booking changes: every
    change to either leaves a timeline row (ids only grow), and bookings carry
    ``updated_at``. Cheap: three aggregate reads."""
    claims = select(func.max(_s.id), func.count(_s.id))
    bookings = select(func.max(_b.updated_at), func.count(_b.id))
    changes = select(func.max(_bc.id))
    if shop_code is not None:
        shop_id = shop_id_of(shop_code)
        linked = select(_c.id).where(linked_to_shop(shop_code))
        claims = claims.where(_s.claim_id.in_(linked))
        bookings = bookings.where(_b.shop_id == shop_id)
        changes = changes.where(_bc.booking_id.in_(select(_b.id).where(_b.shop_id == shop_id)))
    claim_max, claim_count = conn.execute(claims).one()
    booking_time, booking_count = conn.execute(bookings).one()
    change_max = conn.execute(changes).scalar()
    stamp = "" if booking_time is None else booking_time.isoformat()
    return f"c{claim_max or 0}.{claim_count}-b{change_max or 0}.{booking_count}.{stamp}"


# --- the owners' status pages ----------------------------------------------------------


@dataclass(frozen=True)
class StatusPageOwner:
    """The claim a status token opens, and the locale of its owner."""

    number: str
    owner_locale: str | None


def claim_by_status_token(conn: Connection, token: str) -> StatusPageOwner | None:
    query = (
        select(_c.number, party_t.c.locale)
        .select_from(claim_t.join(party_t, party_t.c.id == _c.owner_party_id))
        .where(_c.status_token == token)
    )
    row = conn.execute(query).first()
    return None if row is None else StatusPageOwner(row.number, row.locale)
