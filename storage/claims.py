"""Claims: the claim row, its evidence in order, its status timeline."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from domain.adjudication import (
    Adjudication,
    EvidenceRequest,
    Liability,
    LiabilityFinding,
    LossItem,
    LossKind,
    Payment,
    PaymentRoute,
    ProposalOutcome,
    Settlement,
    SettlementFigures,
    Survey,
    SurveyMode,
)
from domain.claim import TERMINAL_STATUSES, Claim, ClaimStatus, StatusChange
from domain.evidence import Evidence, MediaKind, PhotoRole
from domain.fraud_signals import PhotoMatch
from domain.geo import CoordinateSystem, GeoPoint
from domain.money import Money
from domain.ports import ClaimRepository
from domain.report import OtherVehicle, ReportDraft, ReportItem
from storage._sql import AnyRow, DialectInsert, per_dialect, pick
from storage.accident_codec import accident_json, accident_record, payments, payments_json
from storage.fraud_queries import FraudQueries
from storage.settlement_codec import statement_json, statement_parts
from storage.tables import (
    claim_counter_t,
    claim_evidence_t,
    claim_status_change_t,
    claim_t,
    media_t,
)
from storage.tables_adjudication import (
    claim_adjudication_t,
    claim_loss_item_t,
    claim_payment_t,
    claim_settlement_t,
)

STATUS_TOKEN_BYTES = 24

_c = claim_t.c
_CLAIM_COLUMNS = (
    _c.id,
    _c.number,
    _c.policy_number,
    _c.plate,
    _c.owner_party_id,
    _c.status,
    _c.late,
    _c.reported_at,
    _c.accident_at,
    _c.lat,
    _c.lon,
    _c.coord_system,
    _c.address,
    _c.description,
    _c.injuries,
    _c.drivable,
    _c.rescue_requested,
    _c.other_vehicles,
    _c.witnesses,
    _c.police_report_no,
    _c.evidence_done,
    _c.skipped,
    _c.adjuster_id,
)
_BY_NUMBER = select(*_CLAIM_COLUMNS).where(_c.number == bindparam("number"))
_BY_NUMBER_FOR_UPDATE = _BY_NUMBER.with_for_update()
_OPEN_FOR_ADJUSTER = (
    select(*_CLAIM_COLUMNS)
    .where(
        _c.adjuster_id == bindparam("adjuster_id"),
        _c.status.not_in([status.value for status in TERMINAL_STATUSES]),
    )
    .order_by(_c.urgent.desc(), _c.reported_at, _c.id)
)
_UNASSIGNED = (
    select(*_CLAIM_COLUMNS)
    .where(_c.adjuster_id.is_(None), _c.status == ClaimStatus.REPORTED.value)
    .order_by(_c.urgent.desc(), _c.reported_at, _c.id)
    .limit(bindparam("limit"))
)
_ID_BY_NUMBER = select(_c.id).where(_c.number == bindparam("number"))
_UPDATE_CLAIM = (
    update(claim_t)
    .where(_c.id == bindparam("claim_id"))
    .values(
        status=bindparam("v_status"),
        adjuster_id=bindparam("v_adjuster_id"),
        evidence_done=bindparam("v_evidence_done"),
    )
)
_BY_TOKEN = select(*_CLAIM_COLUMNS).where(_c.status_token == bindparam("token"))
_FOR_OWNER = (
    select(*_CLAIM_COLUMNS)
    .where(_c.owner_party_id == bindparam("party_id"))
    .order_by(_c.reported_at, _c.id)
)
_TOKEN = select(_c.status_token).where(_c.number == bindparam("number"))
_INSERT_CLAIM = insert(claim_t).returning(_c.id)
_INSERT_EVIDENCE = insert(claim_evidence_t)
_INSERT_CHANGE = insert(claim_status_change_t)

_e = claim_evidence_t.c
_EVIDENCE = (
    select(
        _e.claim_id,
        _e.media_id,
        _e.kind,
        _e.role,
        media_t.c.taken_at,
        media_t.c.gps_lat,
        media_t.c.gps_lon,
    )
    .select_from(claim_evidence_t.join(media_t, media_t.c.id == _e.media_id))
    .where(_e.claim_id.in_(bindparam("claim_ids", expanding=True)))
    .order_by(_e.claim_id, _e.position)
)
_s = claim_status_change_t.c
_TIMELINE = (
    select(_s.claim_id, _s.at, _s.from_status, _s.to_status, _s.actor, _s.note, _s.action)
    .where(_s.claim_id.in_(bindparam("claim_ids", expanding=True)))
    .order_by(_s.claim_id, _s.id)
)
_COUNT_EVIDENCE = select(func.count()).where(_e.claim_id == bindparam("claim_id"))
_COUNT_CHANGES = select(func.count()).where(_s.claim_id == bindparam("claim_id"))
_OWNERS_OF_MEDIA = (
    select(_c.owner_party_id)
    .select_from(claim_evidence_t.join(claim_t, _c.id == _e.claim_id))
    .where(_e.media_id == bindparam("media_id"))
    .distinct()
)

_a = claim_adjudication_t.c
_ADJUDICATION = select(claim_adjudication_t).where(
    _a.claim_id.in_(bindparam("claim_ids", expanding=True))
)
_ADJUDICATION_COLUMNS = [
    column.name for column in claim_adjudication_t.c if column.name != "claim_id"
]


def _upsert_adjudication(ins: DialectInsert) -> Any:
    statement = ins(claim_adjudication_t)
    return statement.on_conflict_do_update(
        index_elements=["claim_id"],
        set_={name: statement.excluded[name] for name in _ADJUDICATION_COLUMNS},
    )


_UPSERT_ADJUDICATION = per_dialect(_upsert_adjudication)
_l = claim_loss_item_t.c
_LOSS_ITEMS = (
    select(_l.claim_id, _l.kind, _l.description, _l.amount_fen)
    .where(_l.claim_id.in_(bindparam("claim_ids", expanding=True)))
    .order_by(_l.claim_id, _l.position)
)
_DELETE_LOSS_ITEMS = delete(claim_loss_item_t).where(_l.claim_id == bindparam("claim_id"))
_st = claim_settlement_t.c
_SETTLEMENTS = (
    select(claim_settlement_t)
    .where(_st.claim_id.in_(bindparam("claim_ids", expanding=True)))
    .order_by(_st.claim_id, _st.version)
)
_SETTLEMENT_VERSIONS = select(_st.version).where(_st.claim_id == bindparam("claim_id"))
_ANSWER_SETTLEMENT = (
    update(claim_settlement_t)
    .where(_st.claim_id == bindparam("s_claim_id"), _st.version == bindparam("v_version"))
    .values(
        outcome=bindparam("v_outcome"),
        answered_by=bindparam("v_answered_by"),
        answered_at=bindparam("v_answered_at", type_=_st.answered_at.type),
        dispute_reason=bindparam("v_dispute_reason"),
    )
)
_ANSWER_KEYS = ("version", "outcome", "answered_by", "answered_at", "dispute_reason")
_p = claim_payment_t.c
_PAYMENTS = select(claim_payment_t).where(_p.claim_id.in_(bindparam("claim_ids", expanding=True)))
_ADD_PAYMENT = per_dialect(
    lambda ins: ins(claim_payment_t).on_conflict_do_nothing(index_elements=["claim_id"])
)


def _next_sequence(ins: DialectInsert) -> Any:
    return (
        ins(claim_counter_t)
        .on_conflict_do_update(index_elements=["day"], set_={"value": claim_counter_t.c.value + 1})
        .returning(claim_counter_t.c.value)
    )


_NEXT_SEQUENCE = per_dialect(_next_sequence)


def _claim_values(claim: Claim, token: str) -> dict[str, Any]:
    report = claim.report
    location = report.location
    return {
        "number": claim.number,
        "policy_number": claim.policy_number,
        "plate": report.plate,
        "owner_party_id": claim.owner_id,
        "status": claim.status.value,
        "urgent": claim.urgent,
        "late": claim.late,
        "reported_at": claim.reported_at,
        "accident_at": report.accident_at,
        "lat": None if location is None else location.lat,
        "lon": None if location is None else location.lon,
        "coord_system": None if location is None else location.system.value,
        "address": report.address,
        "description": report.description,
        "injuries": report.injuries,
        "drivable": report.drivable,
        "rescue_requested": report.rescue_requested,
        "other_vehicles": None
        if report.other_vehicles is None
        else [{"plate": v.plate, "insurer": v.insurer} for v in report.other_vehicles],
        "witnesses": report.witnesses,
        "police_report_no": report.police_report_no,
        "evidence_done": report.evidence_done,
        "skipped": sorted(item.value for item in report.skipped),
        "status_token": token,
    }


def _evidence(row: AnyRow) -> Evidence:
    gps = None
    if row.gps_lat is not None and row.gps_lon is not None:
        gps = GeoPoint(row.gps_lat, row.gps_lon, CoordinateSystem.WGS84)
    return Evidence(
        media_id=row.media_id,
        kind=MediaKind(row.kind),
        role=None if row.role is None else PhotoRole(row.role),
        taken_at=row.taken_at,
        gps=gps,
    )


def _change(row: AnyRow) -> StatusChange:
    return StatusChange(
        at=row.at,
        from_status=None if row.from_status is None else ClaimStatus(row.from_status),
        to_status=ClaimStatus(row.to_status),
        actor=row.actor,
        note=row.note,
        action=row.action or "",
    )


def _change_values(claim_id: int, change: StatusChange) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "at": change.at,
        "from_status": None if change.from_status is None else change.from_status.value,
        "to_status": change.to_status.value,
        "actor": change.actor,
        "note": change.note,
        "action": change.action or None,
    }


def _evidence_values(claim_id: int, position: int, item: Evidence) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "media_id": item.media_id,
        "kind": item.kind.value,
        "role": None if item.role is None else item.role.value,
        "position": position,
    }


def _adjudication_values(claim_id: int, adj: Adjudication) -> dict[str, Any]:
    survey, finding, request = adj.survey, adj.liability, adj.evidence_request
    return {
        "claim_id": claim_id,
        "initial_assessment": adj.initial_assessment,
        "survey_mode": None if survey is None else survey.mode.value,
        "survey_at": None if survey is None else survey.at,
        "survey_place": None if survey is None else survey.place,
        "liability": None if finding is None else finding.grade.value,
        "liability_share": None if finding is None else finding.share,
        "liability_note": None if finding is None else finding.note,
        "request_text": None if request is None else request.text,
        "request_by": None if request is None else request.asked_by,
        "request_at": None if request is None else request.asked_at,
        "accident": accident_json(adj.accident),
        "part_payments": payments_json(adj.part_payments),
    }


def _settlement_values(claim_id: int, settlement: Settlement) -> dict[str, Any]:
    figures = settlement.figures
    return {
        "claim_id": claim_id,
        "version": settlement.version,
        "route": settlement.route.value,
        "loss_total_fen": figures.loss_total.fen,
        "share": figures.share,
        "own_portion_fen": figures.own_portion.fen,
        "covered_fen": figures.covered.fen,
        "other_share_fen": figures.other_share.fen,
        "deductible_fen": figures.deductible.fen,
        "payout_fen": figures.payout.fen,
        "statement": statement_json(figures),
        "proposed_by": settlement.proposed_by,
        "proposed_at": settlement.proposed_at,
        "outcome": settlement.outcome.value,
        "answered_by": settlement.answered_by,
        "answered_at": settlement.answered_at,
        "dispute_reason": settlement.dispute_reason,
    }


def _adjudication(
    row: AnyRow | None, items: list[LossItem], settlements: list[Settlement], payment: AnyRow | None
) -> Adjudication:
    adj = Adjudication(loss_items=items, settlements=settlements)
    if payment is not None:
        adj.payment = Payment(
            Money(payment.amount_fen), payment.reference, payment.recorded_by, payment.recorded_at
        )
    if row is None:
        return adj
    adj.accident, adj.part_payments = accident_record(row.accident), payments(row.part_payments)
    adj.initial_assessment = row.initial_assessment
    if row.survey_mode is not None:
        adj.survey = Survey(SurveyMode(row.survey_mode), row.survey_at, row.survey_place)
    if row.liability is not None:
        adj.liability = LiabilityFinding(
            Liability(row.liability), row.liability_share, row.liability_note or ""
        )
    if row.request_text is not None:
        adj.evidence_request = EvidenceRequest(row.request_text, row.request_by, row.request_at)
    return adj


def _settlement(row: AnyRow) -> Settlement:
    lines, owner_pays, receivables = statement_parts(row.statement)
    return Settlement(
        version=row.version,
        route=PaymentRoute(row.route),
        figures=SettlementFigures(
            loss_total=Money(row.loss_total_fen),
            share=row.share,
            own_portion=Money(row.own_portion_fen),
            covered=Money(row.covered_fen),
            other_share=Money(row.other_share_fen),
            deductible=Money(row.deductible_fen),
            payout=Money(row.payout_fen),
            lines=lines,
            owner_pays=owner_pays,
            receivables=receivables,
        ),
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        outcome=ProposalOutcome(row.outcome),
        answered_by=row.answered_by,
        answered_at=row.answered_at,
        dispute_reason=row.dispute_reason,
    )


def _claim(
    row: AnyRow,
    evidence: list[Evidence],
    timeline: list[StatusChange],
    adjudication: Adjudication,
) -> Claim:
    location = None
    if row.lat is not None and row.lon is not None:
        location = GeoPoint(row.lat, row.lon, CoordinateSystem(row.coord_system or "wgs84"))
    report = ReportDraft(
        policy_number=row.policy_number,
        plate=row.plate,
        accident_at=row.accident_at,
        location=location,
        address=row.address,
        description=row.description,
        injuries=row.injuries,
        drivable=row.drivable,
        rescue_requested=row.rescue_requested,
        other_vehicles=None
        if row.other_vehicles is None
        else [OtherVehicle(v["plate"], v.get("insurer")) for v in row.other_vehicles],
        witnesses=row.witnesses,
        police_report_no=row.police_report_no,
        evidence=evidence,
        evidence_done=row.evidence_done,
        skipped={ReportItem(item) for item in row.skipped},
    )
    return Claim(
        number=row.number,
        policy_number=row.policy_number,
        owner_id=row.owner_party_id,
        report=report,
        reported_at=row.reported_at,
        status=ClaimStatus(row.status),
        late=row.late,
        timeline=timeline,
        adjuster_id=row.adjuster_id,
        adjudication=adjudication,
    )


class SqlClaimRepository(ClaimRepository):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def photo_reuse(self, number: str, since: datetime, max_distance: int) -> list[PhotoMatch]:
        return FraudQueries(self._conn).photo_matches(number, since, max_distance)

    def add(self, claim: Claim) -> None:
        """Store a new claim with its evidence (in order) and its timeline.

        A random status token (for the owner's status link) is made here.
        """
        token = secrets.token_urlsafe(STATUS_TOKEN_BYTES)
        claim_id: int = self._conn.execute(_INSERT_CLAIM, _claim_values(claim, token)).scalar_one()
        self._store_children(claim_id, claim, evidence_from=0, changes_from=0)

    def save(self, claim: Claim) -> None:
        """Store what changed on a claim: stage, adjuster, adjudication, new evidence and
        timeline entries (both only ever grow)."""
        claim_id = self._conn.execute(_ID_BY_NUMBER, {"number": claim.number}).scalar_one()
        self._conn.execute(
            _UPDATE_CLAIM,
            {
                "claim_id": claim_id,
                "v_status": claim.status.value,
                "v_adjuster_id": claim.adjuster_id,
                "v_evidence_done": claim.report.evidence_done,
            },
        )
        params = {"claim_id": claim_id}
        self._store_children(
            claim_id,
            claim,
            evidence_from=self._conn.execute(_COUNT_EVIDENCE, params).scalar_one(),
            changes_from=self._conn.execute(_COUNT_CHANGES, params).scalar_one(),
        )
        adj = claim.adjudication
        self._conn.execute(
            pick(_UPSERT_ADJUDICATION, self._conn), _adjudication_values(claim_id, adj)
        )
        self._conn.execute(_DELETE_LOSS_ITEMS, params)
        if adj.loss_items:
            self._conn.execute(
                insert(claim_loss_item_t),
                [
                    {
                        "claim_id": claim_id,
                        "position": position,
                        "kind": item.kind.value,
                        "description": item.description,
                        "amount_fen": item.amount.fen,
                    }
                    for position, item in enumerate(adj.loss_items)
                ],
            )
        stored = set(self._conn.execute(_SETTLEMENT_VERSIONS, params).scalars())
        for settlement in adj.settlements:
            values = _settlement_values(claim_id, settlement)
            if settlement.version not in stored:
                self._conn.execute(insert(claim_settlement_t), values)
                continue
            self._conn.execute(
                _ANSWER_SETTLEMENT,
                {"s_claim_id": claim_id, **{f"v_{k}": values[k] for k in _ANSWER_KEYS}},
            )
        if adj.payment is not None:
            payment = adj.payment
            self._conn.execute(
                pick(_ADD_PAYMENT, self._conn),
                {
                    "claim_id": claim_id,
                    "amount_fen": payment.amount.fen,
                    "reference": payment.reference,
                    "recorded_by": payment.recorded_by,
                    "recorded_at": payment.recorded_at,
                },
            )

    def _store_children(
        self, claim_id: int, claim: Claim, *, evidence_from: int, changes_from: int
    ) -> None:
        evidence = [
            _evidence_values(claim_id, position, item)
            for position, item in enumerate(claim.report.evidence)
            if position >= evidence_from
        ]
        if evidence:
            self._conn.execute(_INSERT_EVIDENCE, evidence)
        changes = [_change_values(claim_id, change) for change in claim.timeline[changes_from:]]
        if changes:
            self._conn.execute(_INSERT_CHANGE, changes)

    def get(self, number: str) -> Claim | None:
        claims = self._load(self._conn.execute(_BY_NUMBER, {"number": number}).all())
        return claims[0] if claims else None

    def get_for_update(self, number: str) -> Claim | None:
        """The claim, its row locked (``FOR UPDATE`` on PostgreSQL; SQLite's
        ``BEGIN IMMEDIATE`` already serialises writers)."""
        rows = self._conn.execute(_BY_NUMBER_FOR_UPDATE, {"number": number}).all()
        claims = self._load(rows)
        return claims[0] if claims else None

    def by_status_token(self, token: str) -> Claim | None:
        claims = self._load(self._conn.execute(_BY_TOKEN, {"token": token}).all())
        return claims[0] if claims else None

    def for_owner(self, party_id: int) -> list[Claim]:
        """The owner's claims, oldest report first."""
        return self._load(self._conn.execute(_FOR_OWNER, {"party_id": party_id}).all())

    def open_for_adjuster(self, adjuster_id: int) -> list[Claim]:
        rows = self._conn.execute(_OPEN_FOR_ADJUSTER, {"adjuster_id": adjuster_id}).all()
        return self._load(rows)

    def unassigned(self, limit: int) -> list[Claim]:
        return self._load(self._conn.execute(_UNASSIGNED, {"limit": limit}).all())

    def owners_of_media(self, media_id: int) -> set[int]:
        return set(self._conn.execute(_OWNERS_OF_MEDIA, {"media_id": media_id}).scalars())

    def status_token(self, number: str) -> str | None:
        value = self._conn.execute(_TOKEN, {"number": number}).scalar()
        return None if value is None else str(value)

    def next_sequence(self, day: date) -> int:
        """Increment the day's counter atomically (one upsert; concurrent callers queue)."""
        value = self._conn.execute(
            pick(_NEXT_SEQUENCE, self._conn), {"day": day, "value": 1}
        ).scalar_one()
        return int(value)

    def _load(self, rows: Sequence[AnyRow]) -> list[Claim]:
        if not rows:
            return []
        params = {"claim_ids": [row.id for row in rows]}
        evidence: defaultdict[int, list[Evidence]] = defaultdict(list)
        for ev in self._conn.execute(_EVIDENCE, params):
            evidence[ev.claim_id].append(_evidence(ev))
        timeline: defaultdict[int, list[StatusChange]] = defaultdict(list)
        for ch in self._conn.execute(_TIMELINE, params):
            timeline[ch.claim_id].append(_change(ch))
        adjudications = {r.claim_id: r for r in self._conn.execute(_ADJUDICATION, params)}
        items: defaultdict[int, list[LossItem]] = defaultdict(list)
        for it in self._conn.execute(_LOSS_ITEMS, params):
            items[it.claim_id].append(
                LossItem(LossKind(it.kind), it.description, Money(it.amount_fen))
            )
        settlements: defaultdict[int, list[Settlement]] = defaultdict(list)
        for st in self._conn.execute(_SETTLEMENTS, params):
            settlements[st.claim_id].append(_settlement(st))
        payments = {r.claim_id: r for r in self._conn.execute(_PAYMENTS, params)}
        return [
            _claim(
                row,
                evidence[row.id],
                timeline[row.id],
                _adjudication(
                    adjudications.get(row.id),
                    items[row.id],
                    settlements[row.id],
                    payments.get(row.id),
                ),
            )
            for row in rows
        ]
