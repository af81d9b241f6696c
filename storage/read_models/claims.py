"""Claims as the dashboard and the API show them: lists, counts, one claim in detail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    func,
    or_,
    select,
)

from domain.claim import TERMINAL_STATUSES, Action
from domain.claim_supplement import SupplementSource, sources_in_note, workshop_facts
from domain.evidence import (
    Evidence,
    EvidenceTolerance,
    MediaKind,
    PhotoRole,
    WorkshopFacts,
    check_evidence,
)
from domain.geo import CoordinateSystem, GeoPoint
from domain.policy import normalize_plate
from domain.shop import STAFF_ACTOR, staff_id_of
from storage._sql import AnyRow
from storage.read_models.accident import accident_info, payments_info
from storage.read_models.bookings import bookings_of_claim
from storage.read_models.settlement import statement_fields
from storage.read_models.views import (
    ASSIGNED,
    DEFAULT_TZ,
    MAX_LIMIT,
    TAKE_ACTION,
    ClaimDetail,
    ClaimSummary,
    EvidenceItem,
    LiabilityInfo,
    LossLine,
    OtherVehicleInfo,
    PaymentInfo,
    SettlementInfo,
    SurveyInfo,
    TimelineEntry,
    _b,
    _c,
    _s,
    linked_to_shop,
)
from storage.tables.adjudication import (
    claim_adjudication_t,
    claim_loss_item_t,
    claim_payment_t,
    claim_settlement_t,
)
from storage.tables.booking import booking_t
from storage.tables.core import (
    adjuster_t,
    claim_evidence_t,
    claim_t,
    media_t,
    policy_t,
    shop_staff_t,
    shop_t,
    vehicle_t,
)

_CLAIM_COLUMNS = (
    _c.id,
    _c.number,
    _c.status,
    _c.reported_at,
    _c.accident_at,
    _c.urgent,
    _c.late,
    _c.plate,
    _c.address,
    vehicle_t.c.make,
    vehicle_t.c.model,
    policy_t.c.holder,
    policy_t.c.region,
    adjuster_t.c.code.label("adjuster_code"),
    adjuster_t.c.name.label("adjuster_name"),
)
_CLAIM_FROM = (
    claim_t.outerjoin(policy_t, policy_t.c.number == _c.policy_number)
    .outerjoin(vehicle_t, vehicle_t.c.policy_id == policy_t.c.id)
    .outerjoin(adjuster_t, adjuster_t.c.id == _c.adjuster_id)
)


def _claims_query(shop_code: str | None) -> Select[Any]:
    query = select(*_CLAIM_COLUMNS).select_from(_CLAIM_FROM)
    if shop_code is not None:
        query = query.where(linked_to_shop(shop_code))
    return query


# Dates a filter may name, beyond which the day's midnight has no UTC equivalent (year 1
# or 9999 in a zone east or west of UTC): nothing was reported outside them anyway.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(9999, 12, 30)


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(min(max(day, EARLIEST_DAY), LATEST_DAY), time(0), tzinfo=tz)


def list_claims(
    conn: Connection,
    *,
    shop_code: str | None = None,
    text: str | None = None,
    stage: str | None = None,
    reported_from: date | None = None,
    reported_to: date | None = None,
    limit: int = 100,
    offset: int = 0,
    tz: tzinfo = DEFAULT_TZ,
) -> list[ClaimSummary]:
    """Claims, newest report first. ``text`` matches part of the number or the plate;
    ``reported_from``/``reported_to`` are local dates (``tz``), both inclusive."""
    query = _claims_query(shop_code)
    if text and text.strip():
        needle = text.strip()
        query = query.where(
            or_(
                _c.number.contains(needle.upper(), autoescape=True),
                _c.plate.contains(normalize_plate(needle), autoescape=True),
            )
        )
    if stage:
        query = query.where(_c.status == stage)
    if reported_from is not None:
        query = query.where(_c.reported_at >= _local_midnight(reported_from, tz))
    if reported_to is not None:
        end = _local_midnight(reported_to, tz) + timedelta(days=1)
        query = query.where(_c.reported_at < end)
    query = (
        query.order_by(_c.reported_at.desc(), _c.id.desc())
        .limit(max(0, min(limit, MAX_LIMIT)))
        .offset(max(0, offset))
    )
    return _summaries(conn, list(conn.execute(query)), shop_code)


def count_claims_by_stage(conn: Connection, *, shop_code: str | None = None) -> dict[str, int]:
    query = select(_c.status, func.count()).group_by(_c.status)
    if shop_code is not None:
        query = query.where(linked_to_shop(shop_code))
    return {status: count for status, count in conn.execute(query)}


def open_claims_for_sla(
    conn: Connection, *, shop_code: str | None = None
) -> list[tuple[bool, datetime, datetime | None]]:
    """(urgent, reported_at, taken_at) of every visible open claim, for SLA counts."""
    query = select(_c.id, _c.urgent, _c.reported_at).where(
        _c.status.not_in([status.value for status in TERMINAL_STATUSES])
    )
    if shop_code is not None:
        query = query.where(linked_to_shop(shop_code))
    rows = list(conn.execute(query))
    taken = _taken_at(conn, [row.id for row in rows])
    return [(row.urgent, row.reported_at, taken.get(row.id)) for row in rows]


def _taken_at(conn: Connection, claim_ids: Sequence[int]) -> dict[int, datetime]:
    if not claim_ids:
        return {}
    took = or_(_s.action == TAKE_ACTION, and_(_s.action.is_(None), _s.to_status == ASSIGNED))
    query = (
        select(_s.claim_id, func.min(_s.at))
        .where(_s.claim_id.in_(claim_ids), took)
        .group_by(_s.claim_id)
    )
    return {claim_id: at for claim_id, at in conn.execute(query)}


def _updated_at(conn: Connection, claim_ids: Sequence[int]) -> dict[int, datetime]:
    if not claim_ids:
        return {}
    query = select(_s.claim_id, func.max(_s.at)).where(_s.claim_id.in_(claim_ids))
    return {claim_id: at for claim_id, at in conn.execute(query.group_by(_s.claim_id))}


def _latest_bookings(
    conn: Connection, numbers: Sequence[str], shop_code: str | None
) -> dict[str, tuple[int, str]]:
    """Claim number → (latest booking id, its shop code), among the visible bookings."""
    if not numbers:
        return {}
    query = (
        select(_b.claim_number, _b.id, shop_t.c.code)
        .select_from(booking_t.join(shop_t, shop_t.c.id == _b.shop_id))
        .where(_b.claim_number.in_(numbers))
        .order_by(_b.id)
    )
    if shop_code is not None:
        query = query.where(shop_t.c.code == shop_code)
    return {number: (booking_id, code) for number, booking_id, code in conn.execute(query)}


def _summaries(
    conn: Connection, rows: Sequence[AnyRow], shop_code: str | None
) -> list[ClaimSummary]:
    ids = [row.id for row in rows]
    taken = _taken_at(conn, ids)
    updated = _updated_at(conn, ids)
    bookings = _latest_bookings(conn, [row.number for row in rows], shop_code)
    summaries = []
    for row in rows:
        booking = bookings.get(row.number)
        summaries.append(
            ClaimSummary(
                number=row.number,
                stage=row.status,
                reported_at=row.reported_at,
                accident_at=row.accident_at,
                taken_at=taken.get(row.id),
                urgent=row.urgent,
                late=row.late,
                plate=row.plate,
                make=row.make,
                model=row.model,
                holder=row.holder,
                region=row.region,
                adjuster_code=row.adjuster_code,
                adjuster_name=row.adjuster_name,
                address=row.address,
                booking_id=None if booking is None else booking[0],
                shop_code=None if booking is None else booking[1],
                updated_at=updated.get(row.id, row.reported_at),
            )
        )
    return summaries


def claim_detail(
    conn: Connection,
    number: str,
    *,
    shop_code: str | None = None,
    tolerance: EvidenceTolerance | None = None,
) -> ClaimDetail | None:
    """One claim with everything recorded on it; None when it does not exist or the shop
    may not see it."""
    query = _claims_query(shop_code).add_columns(
        _c.lat,
        _c.lon,
        _c.coord_system,
        _c.description,
        _c.injuries,
        _c.drivable,
        _c.rescue_requested,
        _c.other_vehicles,
        _c.police_report_no,
        _c.witnesses,
    )
    row = conn.execute(query.where(_c.number == number)).first()
    if row is None:
        return None
    summary = _summaries(conn, [row], shop_code)[0]
    location = None
    if row.lat is not None and row.lon is not None:
        location = GeoPoint(row.lat, row.lon, CoordinateSystem(row.coord_system or "wgs84"))
    loss_items = _loss_items(conn, row.id)
    timeline = claim_timeline(conn, row.id)
    sources = _sources(timeline)
    workshops = workshop_facts(sources, _shop_locations(conn, sources))
    evidence = _evidence(
        conn, row.id, row.accident_at, location, tolerance or EvidenceTolerance(), workshops
    )
    return ClaimDetail(
        summary=summary,
        timeline=timeline,
        evidence=[replace(item, source=sources.get(item.media_id)) for item in evidence],
        lat=row.lat,
        lon=row.lon,
        coord_system=row.coord_system,
        description=row.description,
        injuries=row.injuries,
        drivable=row.drivable,
        rescue_requested=row.rescue_requested,
        other_vehicles=[
            OtherVehicleInfo(item.get("plate"), item.get("insurer"))
            for item in (row.other_vehicles or [])
        ],
        police_report_no=row.police_report_no,
        witnesses=row.witnesses,
        **_adjudication(conn, row.id),
        loss_items=loss_items,
        loss_total_fen=sum(item.amount_fen for item in loss_items),
        settlement=_settlement(conn, row.id),
        payment=_payment(conn, row.id),
        bookings=bookings_of_claim(conn, number, shop_code),
    )


def claim_id_of(conn: Connection, number: str, *, shop_code: str | None = None) -> int | None:
    query = select(_c.id).where(_c.number == number)
    if shop_code is not None:
        query = query.where(linked_to_shop(shop_code))
    found: int | None = conn.execute(query).scalar()
    return found


def claim_timeline(conn: Connection, claim_id: int) -> list[TimelineEntry]:
    query = (
        select(_s.at, _s.action, _s.actor, _s.note, _s.from_status, _s.to_status)
        .where(_s.claim_id == claim_id)
        .order_by(_s.id)
    )
    return [
        TimelineEntry(
            at=r.at,
            action=r.action,
            actor=r.actor,
            reason=r.note or "",
            from_stage=r.from_status,
            to_stage=r.to_status,
        )
        for r in conn.execute(query)
    ]


def _evidence(
    conn: Connection,
    claim_id: int,
    accident_at: datetime | None,
    location: GeoPoint | None,
    tolerance: EvidenceTolerance,
    workshops: dict[int, WorkshopFacts],
) -> list[EvidenceItem]:
    e, m = claim_evidence_t.c, media_t.c
    query = (
        select(e.media_id, e.kind, e.role, m.taken_at, m.gps_lat, m.gps_lon)
        .select_from(claim_evidence_t.join(media_t, m.id == e.media_id))
        .where(e.claim_id == claim_id)
        .order_by(e.position)
    )
    items = []
    for r in conn.execute(query):
        gps = None
        if r.gps_lat is not None and r.gps_lon is not None:
            gps = GeoPoint(r.gps_lat, r.gps_lon, CoordinateSystem.WGS84)
        evidence = Evidence(
            media_id=r.media_id,
            kind=MediaKind(r.kind),
            role=None if r.role is None else PhotoRole(r.role),
            taken_at=r.taken_at,
            gps=gps,
        )
        items.append(
            EvidenceItem(
                media_id=r.media_id,
                kind=r.kind,
                role=r.role,
                captured_at=r.taken_at,
                lat=r.gps_lat,
                lon=r.gps_lon,
                check=check_evidence(
                    evidence, accident_at, location, tolerance, workshops.get(r.media_id)
                ),
            )
        )
    return items


def _sources(timeline: list[TimelineEntry]) -> dict[int, SupplementSource]:
    """A shop's supplement photos by media id: who sent them, when, for which version."""
    sources: dict[int, SupplementSource] = {}
    for entry in timeline:
        if entry.action == Action.SUPPLEMENT_PHOTO:
            sources.update(sources_in_note(entry.actor, entry.at, entry.reason))
    return sources


def _shop_locations(conn: Connection, sources: dict[int, SupplementSource]) -> dict[str, GeoPoint]:
    """Where the staff who sent supplement photos work, by actor ("shop_staff:<id>")."""
    found = (staff_id_of(source.actor) for source in sources.values())
    staff_ids = sorted({staff_id for staff_id in found if staff_id is not None})
    if not staff_ids:
        return {}
    rows = conn.execute(
        select(shop_staff_t.c.id, shop_t.c.lat, shop_t.c.lon)
        .join(shop_t, shop_t.c.id == shop_staff_t.c.shop_id)
        .where(shop_staff_t.c.id.in_(staff_ids))
    )
    return {f"{STAFF_ACTOR}{r.id}": GeoPoint(r.lat, r.lon) for r in rows}


def _adjudication(conn: Connection, claim_id: int) -> dict[str, Any]:
    a = claim_adjudication_t.c
    row = conn.execute(select(claim_adjudication_t).where(a.claim_id == claim_id)).first()
    if row is None:
        return {"initial_assessment": None, "survey": None, "liability": None}
    recorded = {
        "accident": accident_info(row.accident),
        "payments": payments_info(conn, claim_id, row),
    }
    survey = None
    if row.survey_mode is not None:
        survey = SurveyInfo(row.survey_mode, row.survey_at, row.survey_place)
    liability = None
    if row.liability is not None:
        liability = LiabilityInfo(row.liability, row.liability_share, row.liability_note)
    return {
        "initial_assessment": row.initial_assessment,
        "survey": survey,
        "liability": liability,
        **recorded,
    }


def _loss_items(conn: Connection, claim_id: int) -> list[LossLine]:
    i = claim_loss_item_t.c
    query = (
        select(i.description, i.kind, i.amount_fen)
        .where(i.claim_id == claim_id)
        .order_by(i.position)
    )
    return [LossLine(r.description, r.kind, r.amount_fen) for r in conn.execute(query)]


def _settlement(conn: Connection, claim_id: int) -> SettlementInfo | None:
    s = claim_settlement_t.c
    row = conn.execute(
        select(claim_settlement_t).where(s.claim_id == claim_id).order_by(s.version.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return SettlementInfo(
        version=row.version,
        route=row.route,
        loss_total_fen=row.loss_total_fen,
        share=row.share,
        own_portion_fen=row.own_portion_fen,
        covered_fen=row.covered_fen,
        other_share_fen=row.other_share_fen,
        deductible_fen=row.deductible_fen,
        payout_fen=row.payout_fen,
        outcome=row.outcome,
        proposed_at=row.proposed_at,
        answered_at=row.answered_at,
        dispute_reason=row.dispute_reason,
        **statement_fields(row.statement, row.own_portion_fen - row.payout_fen),
    )


def _payment(conn: Connection, claim_id: int) -> PaymentInfo | None:
    p = claim_payment_t.c
    row = conn.execute(
        select(p.amount_fen, p.reference, p.recorded_at).where(p.claim_id == claim_id)
    ).first()
    return None if row is None else PaymentInfo(row.amount_fen, row.reference, row.recorded_at)


# --- bookings --------------------------------------------------------------------------
