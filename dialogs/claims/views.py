"""What the claim dialogs share: reading command arguments, refusals as answers, and a
claim as message parameters (JSON-friendly: the outbox stores them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from dialogs.accident_views import recorded_insurers
from dialogs.conversation import TurnContext
from dialogs.moneyparse import read_money
from domain.adjudication import (
    Adjudication,
    LiabilityFinding,
    Settlement,
    effective_share,
    valid_item_amount,
)
from domain.claim import Claim, looks_like_claim_number
from domain.claim_supplement import SupplementSource, supplement_sources, workshop_facts
from domain.errors import BadAmount, Refusal, UnknownClaim
from domain.evidence import Evidence, MediaKind, check_evidence, photos
from domain.fraud_signals import reuse_by_photo
from domain.geo import GeoPoint, place_fields
from domain.money import Money
from domain.services import owner_actor
from messages.outbound import Outbound

T = TypeVar("T")


class Usage(Exception):
    """The command's arguments cannot be read: answer with its usage (``claims.usage.<name>``)."""

    def __init__(self, command: str) -> None:
        super().__init__(command)
        self.command = command


def usage(error: Usage) -> Outbound:
    return Outbound(f"claims.usage.{error.command.lstrip('/')}")


def refusal(error: Refusal) -> Outbound:
    return Outbound(f"claims.refusal.{error.reason}", error.params)


def words(argument: str, parts: int) -> list[str]:
    """The first ``parts - 1`` words, then the rest of the text as one (possibly absent)."""
    return argument.split(maxsplit=parts - 1)


def claim_number(token: str) -> str:
    number = token.strip().upper()
    if not looks_like_claim_number(number):
        raise UnknownClaim(number=token.strip()[:32])
    return number


def lexicon_pick(ctx: TurnContext, text: str, groups: Mapping[str, T]) -> T | None:
    """The value whose lexicon word group the text is (e.g. "major" → Liability.MAJOR)."""
    return next((value for group, value in groups.items() if ctx.lexicon.means(text, group)), None)


def amount(text: str, ctx: TurnContext, *, allow_zero: bool = False) -> Money:
    """A positive (or zero) amount as people write it ("2150.5元", "两千一百五", "1.2万"),
    else BadAmount."""
    value = read_money(text, ctx.lexicon)
    if value is None:
        raise BadAmount(amount=text[:20])
    if not (valid_item_amount(value) or (allow_zero and value == Money.zero())):
        raise BadAmount(amount=text[:20])
    return value


def place_params(claim: Claim) -> dict[str, Any]:
    return place_fields(claim.report.address, claim.report.location)


def report_params(claim: Claim, ctx: TurnContext) -> dict[str, Any]:
    """What the owner reported, as the handoff card and ``/case`` show it."""
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
        "witnesses": report.witnesses,
        **media_counts(report.evidence),
        "checks": evidence_checks(report.evidence, claim, ctx),
    }


def loss_params(adjudication: Adjudication) -> dict[str, Any]:
    return {
        "items": [
            {
                "n": n,
                "kind": item.kind.value,
                "description": item.description,
                "amount": item.amount.grouped(),
            }
            for n, item in enumerate(adjudication.loss_items, 1)
        ],
        "total": adjudication.loss_total.grouped(),
    }


def other_insurers(claim: Claim) -> list[str]:
    return [v.insurer for v in claim.report.other_vehicles or [] if v.insurer]


def liability_params(claim: Claim, finding: LiabilityFinding) -> dict[str, Any]:
    """The finding with the share a settlement will apply (100 % when no other vehicle
    can be held to the rest: ``alone``)."""
    share = effective_share(finding.share, claim.other_party_identified)
    return {
        "grade": finding.grade.value,
        "share": share,
        "alone": share != finding.share,
        "note": finding.note,
    }


def settlement_params(claim: Claim, settlement: Settlement) -> dict[str, Any]:
    figures = settlement.figures
    finding = claim.adjudication.liability
    return {
        "number": claim.number,
        "version": settlement.version,
        "route": settlement.route.value,
        "loss_total": figures.loss_total.grouped(),
        "share": figures.share,
        # No identified other party: the whole loss is the owner's side (see the rule).
        "alone": finding is not None and finding.share != figures.share,
        "own_portion": figures.own_portion.grouped(),
        "covered": figures.covered.grouped(),
        "capped": figures.covered != figures.own_portion,
        "other_share": figures.other_share.grouped(),
        "has_other_share": figures.other_share.fen > 0,
        "insurers": other_insurers(claim),
        "deductible": figures.deductible.grouped(),
        "has_deductible": figures.deductible.fen > 0,
        "payout": figures.payout.grouped(),
        "payers": payer_lines(claim, settlement),
        "owner_pays": figures.owner_part.grouped(),
    }


def payer_lines(claim: Claim, settlement: Settlement) -> list[dict[str, Any]]:
    """The proposal in one line per payer and cover (docs/settlement.md); a proposal made
    before statements shows its recorded payout and the other party's share."""
    figures = settlement.figures
    insurers = {v.plate: v.insurer for v in claim.report.other_vehicles or [] if v.insurer}
    insurers.update(recorded_insurers(claim))
    if not figures.lines:
        recorded = [
            ("own_damage", True, figures.payout),
            ("third_party", False, figures.other_share),
        ]
        return [
            {
                "coverage": c,
                "insurer": "",
                "ours": ours,
                "amount": amount.grouped(),
                "proxy": False,
                "mutual": False,
            }
            for c, ours, amount in recorded
            if amount.fen or ours
        ]
    merged: dict[tuple[str, str, bool], dict[str, Any]] = {}
    for line in figures.lines:
        ours = line.payer == line.victim or line.handled_by == line.victim
        key = (line.payer, line.coverage.value, line.handled_by is not None)
        entry = merged.setdefault(
            key,
            {
                "coverage": line.coverage.value,
                "insurer": "" if ours else insurers.get(line.payer, ""),
                "ours": ours,
                "fen": 0,
                "proxy": line.handled_by is not None,
                "mutual": line.rule.key == "mutual",
            },
        )
        entry["fen"] += line.amount
    return [{**e, "amount": Money(e.pop("fen")).grouped()} for e in merged.values()]


def evidence_checks(
    items: Sequence[Evidence], claim: Claim, ctx: TurnContext
) -> list[dict[str, Any]]:
    """Per photo: does its EXIF time and GPS agree with the reported time and place, and
    which other claims hold the same picture (by perceptual hash)?"""
    reuse = ctx.rules.photo_reuse
    reused = reuse_by_photo(
        ctx.uow.claims.photo_reuse(
            claim.number, claim.reported_at - reuse.lookback, reuse.max_distance
        )
    )
    checks = []
    sources = supplement_sources(claim.timeline)
    workshops = workshop_facts(sources, _shop_locations(claim, ctx) if sources else {})
    for n, item in enumerate(photos(items), 1):
        check = check_evidence(
            item,
            claim.report.accident_at,
            claim.report.location,
            ctx.rules.evidence,
            workshops.get(item.media_id),
        )
        checks.append(
            {
                "n": n,
                "role": item.role.value if item.role else "extra",
                "verdict": check.verdict.value,
                "against": check.against.value,
                "minutes": check.minutes_after_accident,
                "km": check.distance_km,
                "time_ok": check.time_ok,
                "place_ok": check.place_ok,
                "reused_in": reused.get(item.media_id, []),
                "source": _source(sources.get(item.media_id)),
            }
        )
    return checks


def _shop_locations(claim: Claim, ctx: TurnContext) -> dict[str, GeoPoint]:
    """Where each staff member of the shops repairing the claim works, by actor."""
    found: dict[str, GeoPoint] = {}
    for shop_id in {booking.shop_id for booking in ctx.uow.bookings.for_claim(claim.number)}:
        shop = ctx.uow.shops.get(shop_id)
        if shop is not None:
            found |= {member.actor: shop.location for member in ctx.uow.shops.staff(shop_id)}
    return found


def _source(source: SupplementSource | None) -> dict[str, Any] | None:
    """A supplement photo's sender, time and proposal version (None: the owner's)."""
    if source is None:
        return None
    return {"actor": source.actor, "at": source.at.isoformat(), "version": source.version}


def media_counts(items: Iterable[Evidence]) -> dict[str, int]:
    kinds = [item.kind for item in items]
    return {"photos": kinds.count(MediaKind.PHOTO), "videos": kinds.count(MediaKind.VIDEO)}


def timeline_params(claim: Claim) -> list[dict[str, Any]]:
    owner = owner_actor(claim.owner_id)
    return [
        {
            "at": change.at.isoformat(),
            "action": change.action or "report",
            "status": change.to_status.value,
            "by_owner": change.actor == owner,
            "actor": change.actor.removeprefix("adjuster:"),
            "note": change.note,
        }
        for change in claim.timeline
    ]
