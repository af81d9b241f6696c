"""The facts analytics are computed from (domain.analytics), read in a few queries.

Claims are those reported in [since, until); bookings those made in [since, until); payouts
the agreed settlements of those claims.
A shop's view (``shop_code``) reads only its own bookings, and no claim.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from domain.analytics import BookingFacts, ClaimFacts
from storage.tables.adjudication import claim_settlement_t
from storage.tables.booking import booking_change_t, booking_t
from storage.tables.core import adjuster_t, claim_status_change_t, claim_t, shop_t

_c, _sc, _a = claim_t.c, claim_status_change_t.c, adjuster_t.c
_b, _bc, _s = booking_t.c, booking_change_t.c, shop_t.c


def claim_facts(conn: Connection, since: datetime, until: datetime) -> list[ClaimFacts]:
    window = and_(_c.reported_at >= since, _c.reported_at < until)
    reached: defaultdict[int, dict[str, datetime]] = defaultdict(dict)
    firsts = (
        select(_sc.claim_id, _sc.to_status, func.min(_sc.at).label("first_at"))
        .select_from(claim_status_change_t.join(claim_t, _sc.claim_id == _c.id))
        .where(window, _sc.from_status.is_distinct_from(_sc.to_status))
        .group_by(_sc.claim_id, _sc.to_status)
    )
    for claim_id, status, first_at in conn.execute(firsts):
        reached[claim_id][status] = first_at
    claims = (
        select(_c.id, _c.number, _c.reported_at, _c.urgent, _a.code)
        .select_from(claim_t.outerjoin(adjuster_t, _c.adjuster_id == _a.id))
        .where(window)
        .order_by(_c.reported_at, _c.id)
    )
    return [
        ClaimFacts(
            number=row.number,
            reported_at=row.reported_at,
            urgent=bool(row.urgent),
            reached=reached.get(row.id, {}),
            adjuster=row.code if "assigned" in reached.get(row.id, {}) else None,
        )
        for row in conn.execute(claims)
    ]


def payout_lines(conn: Connection, since: datetime, until: datetime) -> list[tuple[str, int]]:
    """(coverage, amount in fen) of what this insurer agreed to pay on the claims reported
    in the window: the lines of each accepted proposal it pays itself or on another
    insurer's behalf (``_ours``); a proposal agreed before statements counts as 车损险
    (own_damage)."""
    s = claim_settlement_t.c
    agreed = (
        select(s.payout_fen, s.statement)
        .select_from(claim_settlement_t.join(claim_t, s.claim_id == _c.id))
        .where(_c.reported_at >= since, _c.reported_at < until, s.outcome == "accepted")
    )
    lines: list[tuple[str, int]] = []
    for payout_fen, statement in conn.execute(agreed):
        if statement is None:
            lines.append(("own_damage", payout_fen))
            continue
        lines += [(line["coverage"], line["amount_fen"]) for line in _ours(statement)]
    return lines


def _ours(statement: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines this insurer pays: with the whole statement stored, every line its
    insured vehicle (``party``) pays or handles, to any victim; before, the owner's car's
    lines it paid itself or on another insurer's behalf."""
    party = statement.get("party")
    return [
        line
        for line in statement.get("lines", [])
        if (party or line["victim"]) in (line["payer"], line.get("handled_by"))
    ]


def booking_facts(
    conn: Connection, since: datetime, until: datetime, *, shop_code: str | None = None
) -> list[BookingFacts]:
    query = (
        select(_b.id, _b.created_at, _b.estimated_done_at, _b.rating, _s.code, _s.name)
        .select_from(booking_t.join(shop_t, _b.shop_id == _s.id))
        .where(_b.created_at >= since, _b.created_at < until)
        .order_by(_b.id)
    )
    if shop_code is not None:
        query = query.where(_s.code == shop_code)
    rows = conn.execute(query).all()
    changes: defaultdict[int, list[tuple[datetime, str, str]]] = defaultdict(list)
    ids = [row.id for row in rows]
    if ids:
        timeline = (
            select(_bc.booking_id, _bc.at, _bc.to_status, _bc.note)
            .where(_bc.booking_id.in_(ids))
            .order_by(_bc.booking_id, _bc.at, _bc.id)
        )
        for booking_id, at, status, note in conn.execute(timeline):
            changes[booking_id].append((at, status, note))
    return [
        BookingFacts(
            id=row.id,
            shop_code=row.code,
            shop_name=row.name,
            requested_at=row.created_at,
            confirmed_at=_first(changes[row.id], "confirmed"),
            estimated_done_at=_first_estimate(changes[row.id]) or row.estimated_done_at,
            ready_at=_first(changes[row.id], "ready"),
            rating=row.rating,
        )
        for row in rows
    ]


def _first(changes: list[tuple[datetime, str, str]], status: str) -> datetime | None:
    return next((at for at, to, _ in changes if to == status), None)


def _first_estimate(changes: list[tuple[datetime, str, str]]) -> datetime | None:
    """The estimate given when the repair first started (the in_repair change's note:
    domain.booking.Booking.start_repair records it there)."""
    for _, status, note in changes:
        if status == "in_repair":
            try:
                return datetime.fromisoformat(note)
            except ValueError:
                return None
    return None
