"""The handoff card: a filed claim paged to the adjusters of its region."""

from __future__ import annotations

from typing import Any

from dialogs.claim_views import evidence_checks, media_counts, place_params
from dialogs.conversation import TurnContext
from dialogs.messages import Choice, Outbound
from domain.claim import Claim
from domain.services import adjusters_to_page


def take_choice(number: str) -> Choice:
    return Choice(f"c:take:{number}", "claims.choice.take", {"number": number})


def card_params(claim: Claim, ctx: TurnContext) -> dict[str, Any]:
    report = claim.report
    policy = ctx.uow.policies.by_number(claim.policy_number)
    return {
        "number": claim.number,
        "policy_number": claim.policy_number,
        "holder": policy.holder if policy else "",
        "plate": report.plate,
        "vehicle": f"{policy.vehicle.make} {policy.vehicle.model}" if policy else "",
        "accident_at": report.accident_at.isoformat() if report.accident_at else None,
        "reported_at": claim.reported_at.isoformat(),
        **place_params(claim),
        "description": report.description,
        "injuries": bool(report.injuries),
        "drivable": report.drivable,
        "rescue": bool(report.rescue_requested),
        "urgent": claim.urgent,
        "late": claim.late,
        "others": [{"plate": v.plate, "insurer": v.insurer} for v in report.other_vehicles or []],
        "police": report.police_report_no,
        **media_counts(report.evidence),
        "checks": evidence_checks(report.evidence, claim, ctx),
    }


def handoff_cards(claim: Claim, ctx: TurnContext) -> list[Outbound]:
    """One card for each adjuster paged (see ``domain.staff.pick_region_adjusters``)."""
    adjusters = adjusters_to_page(ctx.uow, claim)
    if not adjusters:
        return []
    params = card_params(claim, ctx)
    media = tuple(item.media_id for item in claim.report.evidence)
    return [
        Outbound(
            "claims.handoff.card",
            params,
            (take_choice(claim.number),),
            attachments=media,
            to_party=adjuster.party_id,
        )
        for adjuster in adjusters
    ]
