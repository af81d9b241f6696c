"""Second approval (核赔) and the owner's appeal (申诉).

A rejection, and a proposal paying more than the approval threshold, wait for a
supervisor's approval before the owner is told; the supervisor may send the decision back
to the adjuster with a reason. A rejected owner may appeal, once a reason is given; the
appeal goes to a supervisor. Everything is recorded on the claim's timeline (its own
action names below), so what waits for whom is read back from the timeline alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.adjudication import MAX_NOTE, ProposalOutcome, Settlement
from domain.claim import Action, Claim, ClaimStatus, StatusChange
from domain.errors import ReasonRequired, Refusal, StaleProposal, TextTooLong, WrongStage
from domain.money import Money


class Step(StrEnum):
    """Timeline actions of the second approval (at most 20 characters each)."""

    HOLD_REJECT = "hold_reject"  # a rejection waits for approval (note: the reasons)
    HOLD_SETTLE = "hold_settle"  # proposal v<N> waits for approval (note: "v<N> <payout>")
    APPROVE = "approve"  # a supervisor approved what was held
    SEND_BACK = "send_back"  # a supervisor sent it back to the adjuster (note: why)
    APPEAL = "appeal"  # the owner appealed a rejection (note: why)


APPROVAL_STEPS = frozenset({Step.HOLD_REJECT, Step.HOLD_SETTLE, Step.APPROVE, Step.SEND_BACK})


class ApprovalKind(StrEnum):
    REJECTION = "rejection"
    PROPOSAL = "proposal"


@dataclass(frozen=True)
class PendingApproval:
    kind: ApprovalKind
    requested_by: str
    requested_at: datetime
    reason: str = ""  # a rejection's reasons
    version: int | None = None  # a proposal's version
    payout: Money | None = None


class NotSupervisor(Refusal):
    """Only a supervisor approves or sends back (params: none)."""

    reason = "not_supervisor"


class NothingToApprove(Refusal):
    """No decision of the claim waits for approval (params: number)."""

    reason = "nothing_to_approve"


class OwnDecision(Refusal):
    """A supervisor does not approve a decision they made themselves (params: number)."""

    reason = "own_decision"


class AlreadyAppealed(Refusal):
    """An appeal is open on the claim already (params: number)."""

    reason = "already_appealed"


def needs_approval(payout: Money, threshold: Money) -> bool:
    """A proposal paying more than the threshold waits for a supervisor."""
    return payout > threshold


def _entry(claim: Claim, step: Step, at: datetime, actor: str, note: str) -> None:
    claim.timeline.append(StatusChange(at, claim.status, claim.status, actor, note, step))


def _reason(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) < 2:
        raise ReasonRequired()
    if len(cleaned) > MAX_NOTE:
        raise TextTooLong(max=MAX_NOTE)
    return cleaned


def pending_approval(claim: Claim) -> PendingApproval | None:
    """What waits for a supervisor: the last hold not yet approved or sent back (a held
    proposal lapses when a revision replaces it)."""
    last = next((c for c in reversed(claim.timeline) if c.action in APPROVAL_STEPS), None)
    if last is None or claim.closed:
        return None
    if last.action == Step.HOLD_REJECT:
        return PendingApproval(ApprovalKind.REJECTION, last.actor, last.at, reason=last.note)
    if last.action == Step.HOLD_SETTLE:
        pending = claim.adjudication.pending_settlement
        if pending is None or last.note.split()[0] != f"v{pending.version}":
            return None
        return PendingApproval(
            ApprovalKind.PROPOSAL,
            last.actor,
            last.at,
            version=pending.version,
            payout=pending.figures.payout,
        )
    return None


def released_proposal(claim: Claim) -> Settlement | None:
    """The proposal awaiting the owner's answer, unless it still waits for approval."""
    pending = claim.adjudication.pending_settlement
    held = pending_approval(claim)
    if pending is None or (held is not None and held.kind is ApprovalKind.PROPOSAL):
        return None
    return pending


def hold_rejection(claim: Claim, reason: str, at: datetime, actor: str) -> str:
    """The adjuster's rejection, held for approval; returns the reasons recorded."""
    claim.require_stage(Action.REJECT)
    note = _reason(reason)
    _entry(claim, Step.HOLD_REJECT, at, actor, note)
    return note


def hold_proposal(claim: Claim, settlement: Settlement, at: datetime, actor: str) -> None:
    """A proposal just made, held for approval before the owner sees it."""
    note = f"v{settlement.version} {settlement.figures.payout.yuan()}"
    _entry(claim, Step.HOLD_SETTLE, at, actor, note)


def approve(claim: Claim, at: datetime, actor: str) -> PendingApproval:
    """Release what was held: the rejection takes effect, or the proposal goes out."""
    held = _held_for(claim, actor)
    if held.kind is ApprovalKind.REJECTION:
        claim.require_stage(Action.REJECT)
        _entry(claim, Step.APPROVE, at, actor, "rejection")
        claim.reject(held.reason, at, actor)
    else:
        _entry(claim, Step.APPROVE, at, actor, f"v{held.version}")
    return held


def send_back(claim: Claim, reason: str, at: datetime, actor: str) -> PendingApproval:
    """Return the held decision to the adjuster; a held proposal is withdrawn."""
    held = _held_for(claim, actor)
    note = _reason(reason)
    if held.kind is ApprovalKind.PROPOSAL:
        pending = claim.adjudication.pending_settlement
        assert pending is not None  # the hold names it
        pending.outcome = ProposalOutcome.SUPERSEDED
    _entry(claim, Step.SEND_BACK, at, actor, note)
    return held


def _held_for(claim: Claim, actor: str) -> PendingApproval:
    held = pending_approval(claim)
    if held is None:
        raise NothingToApprove(number=claim.number)
    if held.requested_by == actor:
        raise OwnDecision(number=claim.number)
    return held


def require_released(claim: Claim, version: int) -> None:
    """The owner answers only a proposal they were sent: a held one reads as stale."""
    held = pending_approval(claim)
    if held is not None and held.kind is ApprovalKind.PROPOSAL:
        raise StaleProposal(number=claim.number, version=version, current=version)


def disputes(claim: Claim) -> int:
    """How many proposals of the claim the owner disputed."""
    return sum(s.outcome is ProposalOutcome.DISPUTED for s in claim.adjudication.settlements)


def open_appeal(claim: Claim) -> StatusChange | None:
    return next((c for c in reversed(claim.timeline) if c.action == Step.APPEAL), None)


def check_appeal(claim: Claim) -> None:
    """A rejected claim may be appealed, once."""
    if claim.status is not ClaimStatus.REJECTED:
        raise WrongStage(number=claim.number, status=claim.status.value, action="appeal")
    if open_appeal(claim) is not None:
        raise AlreadyAppealed(number=claim.number)


def check_verdict(claim: Claim, actor: str) -> PendingApproval:
    """What a supervisor (``actor``) may approve or send back on the claim."""
    return _held_for(claim, actor)


def appeal(claim: Claim, reason: str, at: datetime, actor: str) -> str:
    """The owner's appeal of a rejection (申诉), recorded once; returns its reasons."""
    check_appeal(claim)
    note = _reason(reason)
    _entry(claim, Step.APPEAL, at, actor, note)
    return note
