"""Use cases that change domain state through the unit-of-work port.

Each loads what it needs (claims locked for update), checks who may do what, lets the
claim apply its lifecycle rules, and records the result; a refusal raises before
anything is stored, so nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import TypeVar

from domain.adjudication import AdjudicationRules, PaymentRoute, RepairNotAccepted, Settlement
from domain.approval import NotSupervisor
from domain.booking import Booking, BookingKind, BookingStatus
from domain.claim import (
    Action,
    Claim,
    IncompleteReport,
    PolicyNotInForce,
    format_claim_number,
)
from domain.claim_documents import require_documents
from domain.errors import (
    AlreadyStaff,
    AlreadyTaken,
    InvalidInvite,
    NotStaff,
    NotYourClaim,
    UnknownClaim,
)
from domain.evidence import distinct
from domain.money import Money
from domain.ports import UnitOfWork
from domain.report import ReportDraft, in_policy_period
from domain.settlement.rules import SettlementRules
from domain.staff import (
    INVITE_TTL,
    Adjuster,
    Invite,
    StaffRole,
    authorize_adjuster,
    hash_invite_code,
    new_adjuster_code,
    new_invite_code,
    pick_region_adjusters,
)

T = TypeVar("T")


class UnknownPolicy(Exception):
    """The report names a policy the directory does not hold."""


def file_claim(
    uow: UnitOfWork,
    report: ReportDraft,
    owner_id: int,
    now: datetime,
    tz: tzinfo,
    actor: str,
) -> Claim:
    """Issue a claim number for a complete report and record the claim.

    The report is checked before the day's counter moves: a refused report is answered
    in a turn that still commits (the conversation goes back to a question), so a number
    taken for it would be lost, and the next claim would skip one.
    """
    policy = uow.policies.by_number(report.policy_number or "")
    if policy is None:
        raise UnknownPolicy(report.policy_number)
    missing = report.missing()
    if missing:
        raise IncompleteReport(missing)
    assert report.accident_at is not None  # answered, since nothing is missing
    if not in_policy_period(policy, report.accident_at):
        raise PolicyNotInForce(policy.number)
    report = replace(report, evidence=distinct(report.evidence))
    local_day = now.astimezone(tz).date()
    number = format_claim_number(local_day, uow.claims.next_sequence(local_day))
    claim = Claim.file(number, report, policy, owner_id, now, actor)
    uow.claims.add(claim)
    return claim


def owner_actor(party_id: int) -> str:
    """How an owner appears on a claim's timeline (as when filing)."""
    return f"party:{party_id}"


# --- staff identity ---------------------------------------------------------------------


def create_invite(
    uow: UnitOfWork,
    *,
    role: StaffRole,
    name: str,
    now: datetime,
    staff_code: str | None = None,
    region: str | None = None,
    ttl: timedelta = INVITE_TTL,
    code: str | None = None,
) -> tuple[str, Invite]:
    """A one-time code (returned in clear once; stored as its hash) and its record."""
    if role is not StaffRole.ADJUSTER:
        raise ValueError(f"invites for {role} arrive with their feature")
    if not name.strip():
        raise ValueError("a name is required")
    plain = code or new_invite_code()
    invite = Invite(
        code_hash=hash_invite_code(plain),
        role=role,
        name=name.strip(),
        created_at=now,
        expires_at=now + ttl,
        staff_code=(staff_code or new_adjuster_code()).strip().upper(),
        region=region.strip() if region and region.strip() else None,
    )
    uow.staff.add_invite(invite)
    return plain, invite


def bind_staff(uow: UnitOfWork, code: str, party_id: int, now: datetime) -> Adjuster:
    """Bind the sender's party with a one-time code; refused codes change nothing."""
    current = uow.staff.adjuster_for_party(party_id)
    if current is not None:
        raise AlreadyStaff(name=current.name, code=current.code)
    code_hash = hash_invite_code(code)
    invite = uow.staff.invite_for_update(code_hash)
    if invite is None or not invite.usable(now) or invite.staff_code is None:
        raise InvalidInvite()
    adjuster = uow.staff.bind_adjuster(invite.staff_code, invite.name, invite.region, party_id)
    uow.staff.use_invite(code_hash, party_id, now)
    return adjuster


def staff_member(uow: UnitOfWork, party_id: int) -> Adjuster:
    adjuster = uow.staff.adjuster_for_party(party_id)
    if adjuster is None:
        raise NotStaff()
    return adjuster


def adjusters_to_page(uow: UnitOfWork, claim: Claim) -> list[Adjuster]:
    region = uow.staff.region_of_policy(claim.policy_number)
    return pick_region_adjusters(uow.staff.adjusters(), region, exclude_party=claim.owner_id)


def escalation_recipients(uow: UnitOfWork, claim: Claim) -> list[Adjuster]:
    """The supervisors an untaken claim is escalated to: those of its region, else all."""
    region = uow.staff.region_of_policy(claim.policy_number)
    supervisors = [a for a in uow.staff.adjusters() if a.supervisor]
    return pick_region_adjusters(supervisors, region, exclude_party=claim.owner_id)


def may_view_media(uow: UnitOfWork, party_id: int, media_id: int) -> bool:
    """Claim photos are seen by the claim's owner and by the insurer's adjusters, and in a
    快处快赔 case by both drivers."""
    if uow.staff.adjuster_for_party(party_id) is not None:
        return True
    if party_id in uow.claims.owners_of_media(media_id):
        return True
    return party_id in uow.quick_deals.viewers_of_media(media_id)


# --- the adjuster's steps ----------------------------------------------------------------


@dataclass(frozen=True)
class Handled:
    """A claim after an adjuster's step, with the adjuster who took it."""

    claim: Claim
    adjuster: Adjuster


def _locked_claim(uow: UnitOfWork, number: str) -> Claim:
    claim = uow.claims.get_for_update(number.strip().upper())
    if claim is None:
        raise UnknownClaim(number=number.strip()[:32])
    return claim


def _authorize(uow: UnitOfWork, adjuster: Adjuster, claim: Claim, *, taking: bool) -> None:
    try:
        authorize_adjuster(adjuster, claim, taking=taking)
    except (AlreadyTaken, NotYourClaim) as refusal:
        holder = uow.staff.adjuster(refusal.params.pop("adjuster_id"))
        refusal.params["adjuster"] = holder.name if holder else ""
        raise


def take_claim(
    uow: UnitOfWork, party_id: int, number: str, now: datetime
) -> tuple[Handled, list[Adjuster]]:
    """Take an unassigned claim; also returns who else was told of it, to be told it is
    taken: the other paged adjusters, and the supervisors if it was escalated."""
    adjuster = staff_member(uow, party_id)
    claim = _locked_claim(uow, number)
    _authorize(uow, adjuster, claim, taking=True)
    claim.take(adjuster.id, now, adjuster.actor)
    uow.claims.save(claim)
    others = {a.id: a for a in told_of_take(uow, claim) if a.id != adjuster.id}
    return Handled(claim, adjuster), list(others.values())


def told_of_take(uow: UnitOfWork, claim: Claim) -> list[Adjuster]:
    """Who hears that a claim was taken: the adjusters paged for it, and the supervisors
    too once it was escalated (the taker among them, if they were)."""
    told = adjusters_to_page(uow, claim)
    if claim.escalated:
        told += escalation_recipients(uow, claim)
    return told


def adjust(
    uow: UnitOfWork,
    party_id: int,
    number: str,
    step: Callable[[Claim, Adjuster], T],
) -> tuple[Handled, T]:
    """Apply one step of the adjuster's to a claim assigned to them, and store it."""
    adjuster = staff_member(uow, party_id)
    claim = _locked_claim(uow, number)
    _authorize(uow, adjuster, claim, taking=False)
    result = step(claim, adjuster)
    uow.claims.save(claim)
    return Handled(claim, adjuster), result


def propose_settlement(
    uow: UnitOfWork,
    party_id: int,
    number: str,
    route: PaymentRoute,
    now: datetime,
    rules: AdjudicationRules | None = None,
) -> tuple[Handled, Settlement]:
    """Settle the claim into a statement (docs/settlement.md) and propose it to the owner;
    ``rules`` give the 交强险 limits and liability grades configured."""
    settlement_rules = settlement_rules_of(rules)

    def step(claim: Claim, adjuster: Adjuster) -> Settlement:
        policy = uow.policies.by_number(claim.policy_number)
        if policy is None:
            raise UnknownPolicy(claim.policy_number)
        claim.require_stage(Action.SETTLE)
        require_documents(claim, route)  # the checklist complete first (保险法 第二十二条)
        return claim.propose_settlement(
            route, policy.coverage, now, adjuster.actor, settlement_rules
        )

    return adjust(uow, party_id, number, step)


def settlement_rules_of(rules: AdjudicationRules | None) -> SettlementRules | None:
    """The statement's rules from the configured 交强险 limits and liability grades."""
    if rules is None:
        return None
    return SettlementRules(jiaoqiang=rules.jiaoqiang, grades=rules.liability_shares)


# A direct repair (直赔) is paid once the owner has accepted the repaired car (验收).
REPAIR_ACCEPTED = frozenset({BookingStatus.ACCEPTED, BookingStatus.PAID, BookingStatus.RATED})


def record_claim_payment(
    uow: UnitOfWork, party_id: int, number: str, amount: Money, reference: str, now: datetime
) -> Handled:
    """Record the payment of the agreed settlement (the claim is closed).

    Paid to the owner: at once. Paid to the shop (直赔): only once the owner accepted the
    repair of a booking made for this claim; else RepairNotAccepted, naming the booking
    still in progress (or none), and nothing changes.
    """

    def step(claim: Claim, adjuster: Adjuster) -> None:
        claim.require_stage(Action.PAY)
        agreement = claim.adjudication.agreement
        require_documents(claim, agreement.route if agreement is not None else None)
        if agreement is not None and agreement.route is PaymentRoute.SHOP:
            _require_accepted_repair(claim, uow.bookings.for_claim(claim.number))
        claim.record_payment(amount, reference, now, adjuster.actor)

    handled, _ = adjust(uow, party_id, number, step)
    return handled


def _require_accepted_repair(claim: Claim, bookings: list[Booking]) -> None:
    repairs = [b for b in bookings if b.kind is BookingKind.REPAIR]
    if any(b.status in REPAIR_ACCEPTED for b in repairs):
        return
    current = next((b for b in repairs if b.is_open), None)
    raise RepairNotAccepted(
        number=claim.number,
        booking=None if current is None else current.reference,
        status=None if current is None else current.status.value,
    )


def view_claim(uow: UnitOfWork, party_id: int, number: str) -> Handled:
    """A claim as its adjuster sees it (or any adjuster, while nobody has taken it)."""
    adjuster = staff_member(uow, party_id)
    claim = uow.claims.get(number.strip().upper())
    if claim is None:
        raise UnknownClaim(number=number.strip()[:32])
    if claim.adjuster_id is not None:
        _authorize(uow, adjuster, claim, taking=False)
    return Handled(claim, adjuster)


def supervise(
    uow: UnitOfWork, party_id: int, number: str, step: Callable[[Claim, Adjuster], T]
) -> tuple[Handled, T]:
    """Apply a supervisor's step (核赔) to any claim, and store it; NotSupervisor for
    anyone else."""
    supervisor = staff_member(uow, party_id)
    if not supervisor.supervisor:
        raise NotSupervisor()
    claim = _locked_claim(uow, number)
    result = step(claim, supervisor)
    uow.claims.save(claim)
    return Handled(claim, supervisor), result


# --- the owner's steps -------------------------------------------------------------------


def owner_act(
    uow: UnitOfWork, party_id: int, number: str, step: Callable[[Claim], T]
) -> tuple[Claim, T]:
    """Apply one step of the owner's to one of their claims, and store it.

    Someone else's claim is answered like a claim that does not exist.
    """
    claim = _locked_claim(uow, number)
    if claim.owner_id != party_id:
        raise UnknownClaim(number=claim.number)
    result = step(claim)
    uow.claims.save(claim)
    return claim, result


def attach_requested_evidence(
    uow: UnitOfWork,
    party_id: int,
    step: Callable[[Claim], None],
) -> Claim | None:
    """Route what an owner sends to the claim whose adjuster asked for evidence last.

    Returns None (and changes nothing) when no claim of theirs waits for evidence.
    """
    asked = [
        (claim.adjudication.evidence_request.asked_at, claim.number)
        for claim in uow.claims.for_owner(party_id)
        if claim.adjudication.evidence_request is not None and not claim.closed
    ]
    if not asked:
        return None
    claim, _ = owner_act(uow, party_id, max(asked)[1], step)
    return claim
