"""Read models of the shared platform: claims and bookings as the dashboard and the API show
them, filtered by who is looking.

Plain SQLAlchemy Core on the existing tables, read-only. Every query takes ``shop_code``:
``None`` is the insurer (everything); a shop code restricts to that shop's bookings and
the claims linked to them (a claim is linked when one of the shop's bookings carries its
number). Money is integer fen; times are aware UTC datetimes as stored. SLA states are
not computed here: they need the clock (see ``domain.sla.take_sla_state``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
)

from domain.claim import TERMINAL_STATUSES
from domain.evidence import (
    Evidence,
    EvidenceCheck,
    EvidenceTolerance,
    MediaKind,
    PhotoRole,
    check_evidence,
)
from domain.geo import CoordinateSystem, GeoPoint
from domain.policy import normalize_plate
from domain.shop import blend_rating, shown_rating
from storage._sql import AnyRow
from storage.accident_read import AccidentInfo, PaymentsInfo, accident_info, payments_info
from storage.settlement_read import (
    OwnItemInfo,
    ReceivableInfo,
    SettlementLineInfo,
    statement_fields,
)
from storage.tables import (
    adjuster_t,
    claim_evidence_t,
    claim_status_change_t,
    claim_t,
    media_t,
    party_t,
    policy_t,
    shop_t,
    vehicle_t,
)
from storage.tables_adjudication import (
    claim_adjudication_t,
    claim_loss_item_t,
    claim_payment_t,
    claim_settlement_t,
)
from storage.tables_booking import booking_change_t, booking_t

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
MAX_LIMIT = 500
TAKE_ACTION = "take"
ASSIGNED = "assigned"


# --- the records ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimSummary:
    number: str
    stage: str  # domain.claim.ClaimStatus value
    reported_at: datetime
    accident_at: datetime | None
    taken_at: datetime | None  # when an adjuster took it (the SLA's end)
    urgent: bool
    late: bool
    plate: str | None
    make: str | None
    model: str | None
    holder: str | None
    region: str | None
    adjuster_code: str | None
    adjuster_name: str | None
    address: str | None
    booking_id: int | None  # the latest linked booking (the viewer's own, for a shop)
    shop_code: str | None
    updated_at: datetime  # the last timeline entry


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str | None  # domain.claim.Action value; None for entries without one
    actor: str
    reason: str  # the note recorded with the change ("" when none)
    from_stage: str | None
    to_stage: str


@dataclass(frozen=True)
class EvidenceItem:
    media_id: int
    kind: str  # photo | video
    role: str | None  # overview | damage | plate ...
    captured_at: datetime | None  # EXIF capture time, when present
    lat: float | None
    lon: float | None
    check: EvidenceCheck  # capture time and place against the report


@dataclass(frozen=True)
class OtherVehicleInfo:
    plate: str | None
    insurer: str | None


@dataclass(frozen=True)
class LossLine:
    name: str
    kind: str
    amount_fen: int


@dataclass(frozen=True)
class LiabilityInfo:
    grade: str  # domain.adjudication.Liability value
    share: int | None  # percent
    note: str | None


@dataclass(frozen=True)
class SurveyInfo:
    mode: str
    at: datetime | None
    place: str | None


@dataclass(frozen=True)
class SettlementInfo:
    version: int
    route: str  # owner | shop
    loss_total_fen: int
    share: int
    own_portion_fen: int
    covered_fen: int
    other_share_fen: int
    deductible_fen: int
    payout_fen: int
    outcome: str  # pending | accepted | disputed | superseded
    proposed_at: datetime
    answered_at: datetime | None
    dispute_reason: str | None
    # The statement; a proposal recorded before statements has no lines, and its owner's
    # part is what the recorded own portion leaves after the payout.
    lines: tuple[SettlementLineInfo, ...]  # every payer's, every victim's (version 2)
    owner_pays_fen: int
    receivables: tuple[ReceivableInfo, ...]
    party: str | None  # the owner's vehicle in the lines; None before version 2
    own_items: tuple[OwnItemInfo, ...]  # what each party bears (deductibles, shares)


@dataclass(frozen=True)
class PaymentInfo:
    amount_fen: int
    reference: str
    recorded_at: datetime


@dataclass(frozen=True)
class BookingSummary:
    id: int
    reference: str  # how chats name it: "#42"
    kind: str  # repair | maintenance
    status: str  # domain.booking status value
    shop_code: str
    shop_name: str
    slot_start: datetime
    slot_end: datetime
    claim_number: str | None
    plate: str | None
    updated_at: datetime


@dataclass(frozen=True)
class BookingTimelineEntry:
    at: datetime
    from_status: str | None
    to_status: str
    actor: str
    note: str


@dataclass(frozen=True)
class BookingDetail:
    summary: BookingSummary
    timeline: list[BookingTimelineEntry]
    make: str | None
    decline_reason: str | None
    estimated_done_at: datetime | None
    problem: str | None
    accepted_at: datetime | None
    payer: str | None
    paid_fen: int | None
    rating: int | None
    comment: str | None
    reschedules: int
    created_at: datetime


@dataclass(frozen=True)
class ClaimDetail:
    summary: ClaimSummary
    timeline: list[TimelineEntry]
    evidence: list[EvidenceItem]
    lat: float | None
    lon: float | None
    coord_system: str | None
    description: str | None
    injuries: bool | None
    drivable: bool | None
    rescue_requested: bool | None
    other_vehicles: list[OtherVehicleInfo]
    police_report_no: str | None
    witnesses: str | None  # names and phones, as the owner typed them
    initial_assessment: str | None
    survey: SurveyInfo | None
    loss_items: list[LossLine]
    loss_total_fen: int
    liability: LiabilityInfo | None
    settlement: SettlementInfo | None  # the latest proposal
    payment: PaymentInfo | None
    bookings: list[BookingSummary]
    accident: AccidentInfo | None = None  # parties and victims' losses as recorded
    payments: PaymentsInfo | None = None  # paid and due, once agreed


@dataclass(frozen=True)
class ShopInfo:
    code: str
    name: str
    address: str
    lat: float
    lon: float
    makes: list[str]
    services: list[str]
    rating: float | None
    bays: int


# --- queries ---------------------------------------------------------------------------

_c = claim_t.c
_b = booking_t.c
_s = claim_status_change_t.c
_bc = booking_change_t.c


def _shop_id(shop_code: str) -> ColumnElement[Any]:
    return select(shop_t.c.id).where(shop_t.c.code == shop_code).scalar_subquery()


def _linked_to_shop(shop_code: str) -> ColumnElement[bool]:
    """The claim has a booking at the shop."""
    return exists().where(_b.claim_number == _c.number, _b.shop_id == _shop_id(shop_code))


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
        query = query.where(_linked_to_shop(shop_code))
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
        query = query.where(_linked_to_shop(shop_code))
    return {status: count for status, count in conn.execute(query)}


def open_claims_for_sla(
    conn: Connection, *, shop_code: str | None = None
) -> list[tuple[bool, datetime, datetime | None]]:
    """(urgent, reported_at, taken_at) of every visible open claim, for SLA counts."""
    query = select(_c.id, _c.urgent, _c.reported_at).where(
        _c.status.not_in([status.value for status in TERMINAL_STATUSES])
    )
    if shop_code is not None:
        query = query.where(_linked_to_shop(shop_code))
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
    return ClaimDetail(
        summary=summary,
        timeline=claim_timeline(conn, row.id),
        evidence=_evidence(
            conn, row.id, row.accident_at, location, tolerance or EvidenceTolerance()
        ),
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
        bookings=_bookings_of_claim(conn, number, shop_code),
    )


def claim_id_of(conn: Connection, number: str, *, shop_code: str | None = None) -> int | None:
    query = select(_c.id).where(_c.number == number)
    if shop_code is not None:
        query = query.where(_linked_to_shop(shop_code))
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
                check=check_evidence(evidence, accident_at, location, tolerance),
            )
        )
    return items


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


def _bookings_of_claim(
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
        shop_id = _shop_id(shop_code)
        linked = select(_c.id).where(_linked_to_shop(shop_code))
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


def owned_status_tokens(conn: Connection, party_id: int, numbers: Sequence[str]) -> dict[str, str]:
    """Claim number → status token, for those of ``numbers`` that ``party_id`` owns."""
    if not numbers:
        return {}
    query = select(_c.number, _c.status_token).where(
        _c.owner_party_id == party_id, _c.number.in_(sorted(set(numbers)))
    )
    return {number: token for number, token in conn.execute(query)}
