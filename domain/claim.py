"""A claim (理赔案件) and its lifecycle, from report to payment."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from domain.accident_record import without_ratios
from domain.adjudication import (
    MAX_LOSS_ITEMS,
    MAX_NOTE,
    Adjudication,
    EvidenceRequest,
    LiabilityFinding,
    LossItem,
    Payment,
    PaymentRoute,
    ProposalOutcome,
    Settlement,
    Survey,
    refused_settlement,
)
from domain.errors import (
    AmountMismatch,
    LastLossItem,
    NoSuchLossItem,
    ReasonRequired,
    StaleProposal,
    TextTooLong,
    TooManyLossItems,
    WrongStage,
)
from domain.events import ClaimReported, ClaimStatusChanged, DomainEvent
from domain.evidence import Evidence
from domain.money import Money
from domain.policy import Coverage, Policy
from domain.report import ReportDraft, ReportItem, is_late_report
from domain.settlement.errors import InvalidAccident
from domain.settlement.owner import OtherCar, owner_statement
from domain.settlement.rules import SettlementRules


class ClaimStatus(StrEnum):
    REPORTED = "reported"  # 已报案, waiting for an adjuster
    ASSIGNED = "assigned"  # an adjuster took it
    SURVEYING = "surveying"  # survey (查勘) scheduled
    ASSESSED = "assessed"  # liability and loss assessed (定损)
    SETTLEMENT_PROPOSED = "settlement_proposed"
    DISPUTED = "disputed"
    AGREED = "agreed"
    PAID = "paid"  # closed
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


# The stages of a claim on its straight way to payment, in order (disputes and closures
# off it): the status page's steps and the analytics' cycle times follow it.
PATH_TO_PAYMENT: tuple[ClaimStatus, ...] = (
    ClaimStatus.REPORTED,
    ClaimStatus.ASSIGNED,
    ClaimStatus.SURVEYING,
    ClaimStatus.ASSESSED,
    ClaimStatus.SETTLEMENT_PROPOSED,
    ClaimStatus.AGREED,
    ClaimStatus.PAID,
)

_S = ClaimStatus
ALLOWED_TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    # ASSESSED straight away: the fast lane's estimate (domain.small_claim), no survey.
    _S.REPORTED: frozenset({_S.ASSIGNED, _S.ASSESSED, _S.WITHDRAWN, _S.REJECTED}),
    _S.ASSIGNED: frozenset({_S.SURVEYING, _S.ASSESSED, _S.WITHDRAWN, _S.REJECTED}),
    # Self-loops are revisions: a survey rescheduled, an assessment amended, a proposal
    # revised. Each is recorded on the timeline like any other change.
    _S.SURVEYING: frozenset({_S.SURVEYING, _S.ASSESSED, _S.WITHDRAWN, _S.REJECTED}),
    _S.ASSESSED: frozenset({_S.ASSESSED, _S.SETTLEMENT_PROPOSED, _S.WITHDRAWN, _S.REJECTED}),
    _S.SETTLEMENT_PROPOSED: frozenset(
        {
            _S.SETTLEMENT_PROPOSED,
            _S.ASSESSED,
            _S.AGREED,
            _S.DISPUTED,
            _S.WITHDRAWN,
            _S.REJECTED,
        }
    ),
    _S.DISPUTED: frozenset({_S.SETTLEMENT_PROPOSED, _S.ASSESSED, _S.WITHDRAWN, _S.REJECTED}),
    # A supplement (增项) after agreement reopens the assessment for a new proposal.
    _S.AGREED: frozenset({_S.PAID, _S.ASSESSED}),
    _S.PAID: frozenset(),
    _S.WITHDRAWN: frozenset(),
    _S.REJECTED: frozenset(),
}
TERMINAL_STATUSES = frozenset(s for s, nxt in ALLOWED_TRANSITIONS.items() if not nxt)
# Stages in which an adjuster works on the claim (after taking it, before agreement).
_WORKING = frozenset({_S.ASSIGNED, _S.SURVEYING, _S.ASSESSED, _S.SETTLEMENT_PROPOSED, _S.DISPUTED})
_ASSESSING = frozenset({_S.SURVEYING, _S.ASSESSED, _S.SETTLEMENT_PROPOSED, _S.DISPUTED})


class Action(StrEnum):
    """What can be done to a claim; each is recorded on the timeline under its name."""

    REPORT = "report"
    TAKE = "take"
    ASSESS = "assess"  # initial assessment (初步评估)
    SURVEY = "survey"
    ASK = "ask"  # ask the owner for more evidence
    EVIDENCE = "evidence"  # the owner sent evidence
    REPLY = "reply"  # the owner answered a request in words
    LIABILITY = "liability"
    LOSS = "loss"
    ACCIDENT = "accident"  # the accident's parties, victims' losses, ratios and options
    SETTLE = "settle"
    ACCEPT = "accept"
    DISPUTE = "dispute"
    PAY = "pay"
    PAY_PART = "pay_part"  # a part of the agreed amount (先予支付); the rest stays due
    WITHDRAW = "withdraw"
    REJECT = "reject"
    REPAGE = "repage"  # still untaken at the re-page deadline: the adjusters paged again
    ESCALATE = "escalate"  # still untaken at the escalation deadline: supervisors told
    SUPPLEMENT_PHOTO = "supplement_photo"  # a shop's photos for a supplement (追加定损)


# The lifecycle, by action: the stages in which it may happen. No assessment before a
# survey, no payment before agreement, nothing after payment, withdrawal or rejection.
ACTION_STAGES: dict[Action, frozenset[ClaimStatus]] = {
    Action.REPORT: frozenset(),
    Action.TAKE: frozenset({_S.REPORTED}),
    Action.ASSESS: frozenset({_S.ASSIGNED, _S.SURVEYING}),
    Action.SURVEY: frozenset({_S.ASSIGNED, _S.SURVEYING}),
    Action.ASK: _WORKING,
    Action.EVIDENCE: _WORKING,
    Action.REPLY: _WORKING,
    Action.LIABILITY: _ASSESSING,
    Action.LOSS: _ASSESSING | {_S.AGREED},  # after agreement: supplements (增项) only
    Action.ACCIDENT: _ASSESSING,
    Action.SETTLE: frozenset({_S.ASSESSED, _S.SETTLEMENT_PROPOSED, _S.DISPUTED}),
    Action.ACCEPT: frozenset({_S.SETTLEMENT_PROPOSED}),
    Action.DISPUTE: frozenset({_S.SETTLEMENT_PROPOSED}),
    Action.PAY: frozenset({_S.AGREED}),
    Action.PAY_PART: frozenset({_S.AGREED}),
    Action.WITHDRAW: frozenset({_S.REPORTED} | _WORKING),
    Action.REJECT: _WORKING,
    Action.REPAGE: frozenset({_S.REPORTED}),
    Action.ESCALATE: frozenset({_S.REPORTED}),
    Action.SUPPLEMENT_PHOTO: frozenset({_S.AGREED} | _ASSESSING),  # once agreed (claim_supplement)
}
# Where an action leads (None: the stage stays, or depends on what is recorded).
ACTION_TARGETS: dict[Action, ClaimStatus | None] = {
    Action.TAKE: _S.ASSIGNED,
    Action.SURVEY: _S.SURVEYING,
    Action.SETTLE: _S.SETTLEMENT_PROPOSED,
    Action.ACCEPT: _S.AGREED,
    Action.DISPUTE: _S.DISPUTED,
    Action.PAY: _S.PAID,
    Action.WITHDRAW: _S.WITHDRAWN,
    Action.REJECT: _S.REJECTED,
}

CLAIM_NUMBER = re.compile(r"^BA\d{13}$")
SLA_ACTOR = "system:sla"  # the timeline's "who" of re-pages and escalations
# The insurer's own steps on the timeline, which the owner's status page leaves out.
# The second approval's holds and verdicts (domain.approval) are internal too.
_APPROVAL_STEPS = ("hold_reject", "hold_settle", "approve", "send_back")
INTERNAL_ACTIONS = frozenset((Action.REPAGE.value, Action.ESCALATE.value, *_APPROVAL_STEPS))


def looks_like_claim_number(text: str) -> bool:
    return bool(CLAIM_NUMBER.match(text))


class InvalidTransition(Exception):
    def __init__(self, from_status: ClaimStatus, to_status: ClaimStatus) -> None:
        super().__init__(f"{from_status} -> {to_status}")
        self.from_status = from_status
        self.to_status = to_status


class IncompleteReport(Exception):
    def __init__(self, missing: list[ReportItem]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


class PolicyNotInForce(Exception):
    """The accident date lies outside the policy's period of cover."""


def format_claim_number(day: date, sequence: int) -> str:
    """报案号: 'BA', the local report date, and the day's sequence number."""
    return f"BA{day:%Y%m%d}{sequence:05d}"


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    from_status: ClaimStatus | None
    to_status: ClaimStatus
    actor: str
    note: str = ""
    action: str = ""  # an Action value; "" for entries recorded before actions were named


@dataclass
class Claim:
    number: str
    policy_number: str
    owner_id: int
    report: ReportDraft
    reported_at: datetime
    status: ClaimStatus = ClaimStatus.REPORTED
    late: bool = False
    timeline: list[StatusChange] = field(default_factory=list)
    adjuster_id: int | None = None  # the adjuster who took the claim
    adjudication: Adjudication = field(default_factory=Adjudication)
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @property
    def urgent(self) -> bool:
        return self.report.urgent

    @classmethod
    def file(
        cls,
        number: str,
        report: ReportDraft,
        policy: Policy,
        owner_id: int,
        now: datetime,
        actor: str,
    ) -> Claim:
        missing = report.missing()
        if missing:
            raise IncompleteReport(missing)
        assert report.accident_at is not None
        if not policy.is_in_force(report.accident_at.date()):
            raise PolicyNotInForce(policy.number)
        claim = cls(
            number=number,
            policy_number=policy.number,
            owner_id=owner_id,
            report=report,
            reported_at=now,
            late=is_late_report(report.accident_at, now),
        )
        claim.timeline.append(
            StatusChange(now, None, ClaimStatus.REPORTED, actor, action=Action.REPORT)
        )
        claim.events.append(ClaimReported(now, number, claim.urgent, claim.late))
        return claim

    @property
    def other_party_identified(self) -> bool:
        """Another party is involved that can be held to a share: a vehicle with a known
        plate, or a party the adjuster recorded."""
        record = self.adjudication.accident
        recorded = record is not None and any(party.liable for party in record.parties)
        return recorded or any(vehicle.plate for vehicle in self.report.other_vehicles or [])

    @property
    def closed(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def awaiting_evidence(self) -> bool:
        """An adjuster asked for evidence and the owner has sent nothing since."""
        request = self.adjudication.evidence_request
        if request is None:
            return False
        answers = (Action.EVIDENCE, Action.REPLY)
        return not any(c.action in answers and c.at >= request.asked_at for c in self.timeline)

    def change_status(
        self, to: ClaimStatus, at: datetime, actor: str, note: str = "", action: str = ""
    ) -> None:
        if to not in ALLOWED_TRANSITIONS[self.status]:
            raise InvalidTransition(self.status, to)
        change = StatusChange(at, self.status, to, actor, note, action)
        self.timeline.append(change)
        self.events.append(ClaimStatusChanged(at, self.number, self.status, to, actor, note))
        self.status = to
        if to in TERMINAL_STATUSES or to is ClaimStatus.AGREED:
            self.adjudication.evidence_request = None

    def record(self, action: Action, at: datetime, actor: str, note: str = "") -> None:
        """An entry on the timeline that leaves the stage as it is."""
        self.timeline.append(StatusChange(at, self.status, self.status, actor, note, action))

    def require_stage(self, action: Action) -> None:
        """Refuse (WrongStage) an action the claim's stage does not allow."""
        if self.status not in ACTION_STAGES[action]:
            raise WrongStage(number=self.number, status=self.status.value, action=action.value)

    # --- the response-time promise (SLA) ---------------------------------------------

    def record_sla_step(self, action: Action, at: datetime, note: str) -> None:
        """A re-page or an escalation of an untaken claim, on the timeline (who: the SLA)."""
        if action not in (Action.REPAGE, Action.ESCALATE):
            raise ValueError(f"not an SLA step: {action}")
        self.require_stage(action)
        self.record(action, at, SLA_ACTOR, note)

    @property
    def escalated(self) -> bool:
        return any(change.action == Action.ESCALATE for change in self.timeline)

    # --- the adjuster's steps ----------------------------------------------------------

    def take(self, adjuster_id: int, at: datetime, actor: str) -> None:
        self.require_stage(Action.TAKE)
        self.change_status(ClaimStatus.ASSIGNED, at, actor, action=Action.TAKE)
        self.adjuster_id = adjuster_id

    def assess_initially(self, text: str, at: datetime, actor: str) -> None:
        self.require_stage(Action.ASSESS)
        note = _required_text(text)
        self.adjudication.initial_assessment = note
        self.record(Action.ASSESS, at, actor, note)

    def schedule_survey(self, survey: Survey, at: datetime, actor: str) -> None:
        self.require_stage(Action.SURVEY)
        self.adjudication.survey = survey
        when = survey.at.isoformat() if survey.at else ""
        note = " ".join(part for part in (survey.mode.value, when, survey.place or "") if part)
        self.change_status(ClaimStatus.SURVEYING, at, actor, note, Action.SURVEY)

    def request_evidence(self, text: str, at: datetime, actor: str) -> None:
        self.require_stage(Action.ASK)
        note = _required_text(text)
        self.adjudication.evidence_request = EvidenceRequest(note, actor, at)
        self.record(Action.ASK, at, actor, note)

    def record_liability(self, finding: LiabilityFinding, at: datetime, actor: str) -> None:
        self.require_stage(Action.LIABILITY)
        if len(finding.note) > MAX_NOTE:
            raise TextTooLong(max=MAX_NOTE)
        previous = self.adjudication.liability
        record = self.adjudication.accident
        if record is not None and previous is not None and previous.share != finding.share:
            self.adjudication.accident = without_ratios(record)  # recorded for another share
        self.adjudication.liability = finding
        note = f"{finding.grade.value} {finding.share}% {finding.note}".strip()
        self.assessment_changed(at, actor, Action.LIABILITY, note)

    def add_loss_item(self, item: LossItem, at: datetime, actor: str) -> None:
        """Record a loss item; after agreement it is a supplement (增项): the claim is
        assessed again and the next proposal, a new version, goes to the owner, while the
        agreed one stands until then."""
        self.require_stage(Action.LOSS)
        if len(self.adjudication.loss_items) >= MAX_LOSS_ITEMS:
            raise TooManyLossItems(max=MAX_LOSS_ITEMS)
        self.adjudication.loss_items.append(item)
        note = f"+ {item.kind.value} {item.description} {item.amount.yuan()}"
        self.assessment_changed(at, actor, Action.LOSS, note)

    def remove_loss_item(self, position: int, at: datetime, actor: str) -> LossItem:
        """Remove item ``position`` (1-based). An assessed claim keeps at least one; an
        agreed one only gains items (supplements)."""
        self.require_stage(Action.LOSS)
        if self.status is ClaimStatus.AGREED:
            raise WrongStage(number=self.number, status=self.status.value, action="loss")
        items = self.adjudication.loss_items
        if not 1 <= position <= len(items):
            raise NoSuchLossItem(number=self.number, position=position, count=len(items))
        if len(items) == 1 and self.status is not ClaimStatus.SURVEYING:
            raise LastLossItem(number=self.number)
        item = items.pop(position - 1)
        note = f"- {item.kind.value} {item.description} {item.amount.yuan()}"
        self.assessment_changed(at, actor, Action.LOSS, note)
        return item

    def assessment_changed(self, at: datetime, actor: str, action: Action, note: str) -> None:
        """Liability and loss both recorded: assessed (a pending proposal lapses)."""
        pending = self.adjudication.pending_settlement
        if pending is not None:
            pending.outcome = ProposalOutcome.SUPERSEDED
        assessed = self.adjudication.liability is not None and self.adjudication.loss_items
        target = ClaimStatus.ASSESSED if assessed else ClaimStatus.SURVEYING
        self.change_status(target, at, actor, note, action)

    def propose_settlement(
        self,
        route: PaymentRoute,
        coverage: Coverage,
        at: datetime,
        actor: str,
        rules: SettlementRules | None = None,
    ) -> Settlement:
        """Propose what the settlement statement pays (docs/settlement.md): 交强险 first,
        then the covers by liability; refused when the claim cannot be settled as recorded."""
        self.require_stage(Action.SETTLE)
        finding = self.adjudication.liability
        assert finding is not None and self.adjudication.loss_items  # ensured by the stage
        others = [OtherCar(v.plate, v.insurer or "") for v in self.report.other_vehicles or []]
        try:
            owner = owner_statement(
                self.report.plate or self.policy_number,
                coverage,
                finding.share,
                self.adjudication.loss_total,
                others,
                injuries=bool(self.report.injuries),
                rules=rules,
                record=self.adjudication.accident,
            )
        except InvalidAccident as problem:
            raise refused_settlement(self.number, problem.reason, problem.params) from None
        figures = owner.figures()
        pending = self.adjudication.pending_settlement
        if pending is not None:
            pending.outcome = ProposalOutcome.SUPERSEDED
        settlement = Settlement(
            version=len(self.adjudication.settlements) + 1,
            route=route,
            figures=figures,
            proposed_by=actor,
            proposed_at=at,
        )
        self.adjudication.settlements.append(settlement)
        note = f"v{settlement.version} {route.value} {figures.payout.yuan()}"
        self.change_status(ClaimStatus.SETTLEMENT_PROPOSED, at, actor, note, Action.SETTLE)
        return settlement

    def record_payment(self, amount: Money, reference: str, at: datetime, actor: str) -> None:
        self.require_stage(Action.PAY)
        agreement = self.adjudication.agreement
        assert agreement is not None  # ensured by the stage
        rest = agreement.figures.payout - self.adjudication.paid
        if amount != rest:
            raise AmountMismatch(number=self.number, amount=amount.grouped(), agreed=rest.grouped())
        self.adjudication.payment = Payment(amount, reference, actor, at)
        self.change_status(ClaimStatus.PAID, at, actor, f"{amount.yuan()} {reference}", Action.PAY)

    def reject(self, reason: str, at: datetime, actor: str) -> None:
        self.require_stage(Action.REJECT)
        self.change_status(ClaimStatus.REJECTED, at, actor, _required_text(reason), Action.REJECT)

    # --- the owner's steps -------------------------------------------------------------

    def answer_settlement(
        self, version: int, accept: bool, reason: str, at: datetime, actor: str
    ) -> Settlement:
        """Accept (agreement) or dispute, with a reason, the proposal awaiting an answer."""
        action = Action.ACCEPT if accept else Action.DISPUTE
        pending = self.proposal_awaiting_answer(version, action)
        note = f"v{version}"
        if not accept:
            pending.dispute_reason = _required_text(reason)
            note = f"v{version} {pending.dispute_reason}"
        pending.outcome = ProposalOutcome.ACCEPTED if accept else ProposalOutcome.DISPUTED
        pending.answered_by = actor
        pending.answered_at = at
        target = ClaimStatus.AGREED if accept else ClaimStatus.DISPUTED
        self.change_status(target, at, actor, note, action)
        return pending

    def proposal_awaiting_answer(self, version: int, action: Action) -> Settlement:
        """Proposal ``version``, if it is the one awaiting the owner's answer.

        Refused with StaleProposal when a later version replaced it or it was answered
        (a button from an old message), WrongStage when the claim cannot be answered.
        """
        current = self.adjudication.current_settlement
        if current is None:
            raise WrongStage(number=self.number, status=self.status.value, action=action.value)
        if current.version != version or current.outcome is not ProposalOutcome.PENDING:
            raise StaleProposal(number=self.number, version=version, current=current.version)
        self.require_stage(action)
        return current

    def attach_evidence(self, items: Sequence[Evidence], at: datetime, actor: str) -> None:
        self.require_stage(Action.EVIDENCE)
        self.report.evidence.extend(items)
        self.record(Action.EVIDENCE, at, actor, " ".join(str(e.media_id) for e in items))

    def reply(self, text: str, at: datetime, actor: str) -> None:
        self.require_stage(Action.REPLY)
        self.record(Action.REPLY, at, actor, _required_text(text))

    def withdraw(self, reason: str, at: datetime, actor: str) -> None:
        self.require_stage(Action.WITHDRAW)
        self.change_status(
            ClaimStatus.WITHDRAWN, at, actor, _required_text(reason), Action.WITHDRAW
        )


def _required_text(text: str) -> str:
    """A reason or note: required, at most MAX_NOTE characters."""
    cleaned = text.strip()
    if len(cleaned) < 2:
        raise ReasonRequired()
    if len(cleaned) > MAX_NOTE:
        raise TextTooLong(max=MAX_NOTE)
    return cleaned
