"""Claims: the claim row, its evidence in order, its status timeline."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from domain.claim import Claim, ClaimStatus, StatusChange
from domain.evidence import Evidence, MediaKind, PhotoRole
from domain.geo import CoordinateSystem, GeoPoint
from domain.ports import ClaimRepository
from domain.report import OtherVehicle, ReportDraft, ReportItem
from storage._sql import AnyRow, DialectInsert, per_dialect, pick
from storage.tables import (
    claim_counter_t,
    claim_evidence_t,
    claim_status_change_t,
    claim_t,
    media_t,
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
)
_BY_NUMBER = select(*_CLAIM_COLUMNS).where(_c.number == bindparam("number"))
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
    select(_s.claim_id, _s.at, _s.from_status, _s.to_status, _s.actor, _s.note)
    .where(_s.claim_id.in_(bindparam("claim_ids", expanding=True)))
    .order_by(_s.claim_id, _s.id)
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
    )


def _claim(row: AnyRow, evidence: list[Evidence], timeline: list[StatusChange]) -> Claim:
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
    )


class SqlClaimRepository(ClaimRepository):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, claim: Claim) -> None:
        """Store a new claim with its evidence (in order) and its timeline.

        A random status token (for the owner's status link) is made here.
        """
        token = secrets.token_urlsafe(STATUS_TOKEN_BYTES)
        claim_id: int = self._conn.execute(_INSERT_CLAIM, _claim_values(claim, token)).scalar_one()
        evidence = [
            {
                "claim_id": claim_id,
                "media_id": item.media_id,
                "kind": item.kind.value,
                "role": None if item.role is None else item.role.value,
                "position": position,
            }
            for position, item in enumerate(claim.report.evidence)
        ]
        if evidence:
            self._conn.execute(_INSERT_EVIDENCE, evidence)
        changes = [
            {
                "claim_id": claim_id,
                "at": change.at,
                "from_status": None if change.from_status is None else change.from_status.value,
                "to_status": change.to_status.value,
                "actor": change.actor,
                "note": change.note,
            }
            for change in claim.timeline
        ]
        if changes:
            self._conn.execute(_INSERT_CHANGE, changes)

    def get(self, number: str) -> Claim | None:
        claims = self._load(self._conn.execute(_BY_NUMBER, {"number": number}).all())
        return claims[0] if claims else None

    def by_status_token(self, token: str) -> Claim | None:
        claims = self._load(self._conn.execute(_BY_TOKEN, {"token": token}).all())
        return claims[0] if claims else None

    def for_owner(self, party_id: int) -> list[Claim]:
        """The owner's claims, oldest report first."""
        return self._load(self._conn.execute(_FOR_OWNER, {"party_id": party_id}).all())

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
        ids = [row.id for row in rows]
        evidence: defaultdict[int, list[Evidence]] = defaultdict(list)
        for ev in self._conn.execute(_EVIDENCE, {"claim_ids": ids}):
            evidence[ev.claim_id].append(_evidence(ev))
        timeline: defaultdict[int, list[StatusChange]] = defaultdict(list)
        for ch in self._conn.execute(_TIMELINE, {"claim_ids": ids}):
            timeline[ch.claim_id].append(_change(ch))
        return [_claim(row, evidence[row.id], timeline[row.id]) for row in rows]
