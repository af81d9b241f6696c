"""A claim's rows and the domain objects they hold, both ways (``storage.repositories.claims``
reads and writes them)."""


from __future__ import annotations

from typing import Any

from domain.adjudication import (
    Adjudication,
    EvidenceRequest,
    Liability,
    LiabilityFinding,
    LossItem,
    Payment,
    PaymentRoute,
    ProposalOutcome,
    Settlement,
    SettlementFigures,
    Survey,
    SurveyMode,
)
from domain.claim import Claim, ClaimStatus, StatusChange
from domain.evidence import Evidence, MediaKind, PhotoRole
from domain.geo import CoordinateSystem, GeoPoint
from domain.money import Money
from domain.report import OtherVehicle, ReportDraft, ReportItem
from storage._sql import AnyRow
from storage.repositories.accident_codec import (
    accident_json,
    accident_record,
    payments,
    payments_json,
)
from storage.repositories.settlement_codec import (
    statement_json,
    statement_parts,
    stored_statement,
)


def claim_values(claim: Claim, token: str) -> dict[str, Any]:
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


def evidence_from_row(row: AnyRow) -> Evidence:
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


def change_from_row(row: AnyRow) -> StatusChange:
    return StatusChange(
        at=row.at,
        from_status=None if row.from_status is None else ClaimStatus(row.from_status),
        to_status=ClaimStatus(row.to_status),
        actor=row.actor,
        note=row.note,
        action=row.action or "",
    )


def change_values(claim_id: int, change: StatusChange) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "at": change.at,
        "from_status": None if change.from_status is None else change.from_status.value,
        "to_status": change.to_status.value,
        "actor": change.actor,
        "note": change.note,
        "action": change.action or None,
    }


def evidence_values(claim_id: int, position: int, item: Evidence) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "media_id": item.media_id,
        "kind": item.kind.value,
        "role": None if item.role is None else item.role.value,
        "position": position,
    }


def adjudication_values(claim_id: int, adj: Adjudication) -> dict[str, Any]:
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


def settlement_values(claim_id: int, settlement: Settlement) -> dict[str, Any]:
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


def adjudication_from_rows(
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


def settlement_from_row(row: AnyRow) -> Settlement:
    lines, owner_pays, receivables = statement_parts(row.statement)
    statement, party = stored_statement(row.statement)
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
            statement=statement,
            party=party,
        ),
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        outcome=ProposalOutcome(row.outcome),
        answered_by=row.answered_by,
        answered_at=row.answered_at,
        dispute_reason=row.dispute_reason,
    )


def claim_from_rows(
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
