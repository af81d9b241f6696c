"""The report draft as JSON, so that an unfinished report survives restarts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dialogs.slots_codec import point_from_json, point_to_json
from domain.evidence import Evidence, MediaKind, PhotoRole
from domain.report import OtherVehicle, ReportDraft, ReportItem


def draft_to_json(draft: ReportDraft) -> dict[str, Any]:
    return {
        "policy_number": draft.policy_number,
        "plate": draft.plate,
        "accident_at": draft.accident_at.isoformat() if draft.accident_at else None,
        "location": point_to_json(draft.location),
        "address": draft.address,
        "description": draft.description,
        "injuries": draft.injuries,
        "drivable": draft.drivable,
        "rescue_requested": draft.rescue_requested,
        "other_vehicles": None
        if draft.other_vehicles is None
        else [{"plate": v.plate, "insurer": v.insurer} for v in draft.other_vehicles],
        "witnesses": draft.witnesses,
        "police_report_no": draft.police_report_no,
        "evidence": [_evidence_to_json(e) for e in draft.evidence],
        "evidence_done": draft.evidence_done,
        "skipped": sorted(draft.skipped),
        "address_typed": draft.address_typed,
        "other_vehicle_said": draft.other_vehicle_said,
    }


def draft_from_json(data: dict[str, Any]) -> ReportDraft:
    others = data.get("other_vehicles")
    return ReportDraft(
        policy_number=data.get("policy_number"),
        plate=data.get("plate"),
        accident_at=_time(data.get("accident_at")),
        location=point_from_json(data.get("location")),
        address=data.get("address"),
        description=data.get("description"),
        injuries=data.get("injuries"),
        drivable=data.get("drivable"),
        rescue_requested=data.get("rescue_requested"),
        other_vehicles=None
        if others is None
        else [OtherVehicle(v["plate"], v.get("insurer")) for v in others],
        witnesses=data.get("witnesses"),
        police_report_no=data.get("police_report_no"),
        evidence=[_evidence_from_json(e) for e in data.get("evidence", [])],
        evidence_done=bool(data.get("evidence_done")),
        skipped={ReportItem(s) for s in data.get("skipped", [])},
        address_typed=bool(data.get("address_typed")),
        other_vehicle_said=bool(data.get("other_vehicle_said")),
    )


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _evidence_to_json(item: Evidence) -> dict[str, Any]:
    return {
        "media_id": item.media_id,
        "kind": item.kind.value,
        "role": item.role.value if item.role else None,
        "taken_at": item.taken_at.isoformat() if item.taken_at else None,
        "gps": point_to_json(item.gps),
    }


def _evidence_from_json(data: dict[str, Any]) -> Evidence:
    return Evidence(
        media_id=data["media_id"],
        kind=MediaKind(data["kind"]),
        role=PhotoRole(data["role"]) if data.get("role") else None,
        taken_at=_time(data.get("taken_at")),
        gps=point_from_json(data.get("gps")),
    )
