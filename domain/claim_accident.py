"""The adjuster's steps on a claim's accident record and its split payments.

A change of the accident (a party, a victim's loss, the ratios, an option) is kept only
if the claim can still be settled with it: the statement is computed, and what the
calculator would refuse (ratios not summing to 100, a loss above the sum insured, a
victim's car that is no vehicle) is refused here with the same reason. A part payment
(先予支付) leaves the rest due; a part that pays the rest closes the claim.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.accident_record import AccidentRecord, with_ratios
from domain.adjudication import (
    AdjudicationRules,
    LiabilityFinding,
    Payment,
    grade_for_share,
    refused_settlement,
)
from domain.claim import Action, Claim
from domain.errors import Refusal
from domain.money import Money
from domain.policy import Coverage
from domain.ports import UnitOfWork
from domain.services import (
    Handled,
    UnknownPolicy,
    adjust,
    record_claim_payment,
    settlement_rules_of,
)
from domain.settlement.accident import LiabilitySource
from domain.settlement.errors import InvalidAccident
from domain.settlement.owner import OtherCar, owner_statement
from domain.settlement.versions import left_to_pay
from domain.staff import Adjuster

Change = Callable[[AccidentRecord], AccidentRecord]


class AccidentNotRecorded(Refusal):
    """The change would leave an accident that cannot be settled (params: number, problem —
    a ``settlement.error`` key — and details, its parameters)."""

    reason = "accident_invalid"


class PaymentRefused(Refusal):
    """A part payment that is not positive or exceeds what is still due (params as above)."""

    reason = "payment_invalid"


@dataclass(frozen=True)
class Ratios:
    """The ratios an adjuster records: the owner's share and the other parties'."""

    own: int
    others: Mapping[str, int]
    source: LiabilitySource


def change_accident(
    claim: Claim,
    coverage: Coverage,
    change: Change,
    rules: AdjudicationRules | None,
    at: datetime,
    actor: str,
) -> AccidentRecord:
    """Apply ``change`` to the claim's accident record if the claim can be settled with it."""
    claim.require_stage(Action.ACCIDENT)
    finding = claim.adjudication.liability
    record = _checked(claim, coverage, change, finding, rules)
    claim.adjudication.accident = record
    claim.assessment_changed(at, actor, Action.ACCIDENT, _summary(record))
    return record


def record_ratios(
    claim: Claim,
    coverage: Coverage,
    ratios: Ratios,
    rules: AdjudicationRules | None,
    at: datetime,
    actor: str,
) -> LiabilityFinding:
    """Every party's ratio (summing to 100) with its source: the owner's is the liability
    finding, the others' go to the accident record."""
    claim.require_stage(Action.LIABILITY)
    source = ratios.source
    finding = LiabilityFinding(grade_for_share(ratios.own), ratios.own, source.reference)
    record = _checked(
        claim, coverage, lambda r: with_ratios(r, ratios.others, source), finding, rules
    )
    claim.adjudication.accident = record
    claim.adjudication.liability = finding
    text = f"{finding.grade.value} {finding.share}% {finding.note}".strip()
    claim.assessment_changed(at, actor, Action.LIABILITY, text)
    return finding


def _checked(
    claim: Claim,
    coverage: Coverage,
    change: Change,
    finding: LiabilityFinding | None,
    rules: AdjudicationRules | None,
) -> AccidentRecord:
    plate = claim.report.plate or claim.policy_number
    others = [OtherCar(v.plate, v.insurer or "") for v in claim.report.other_vehicles or []]
    try:
        record = change(claim.adjudication.accident or AccidentRecord())
        owner_statement(
            plate,
            coverage,
            100 if finding is None else finding.share,
            claim.adjudication.loss_total,
            others,
            injuries=bool(claim.report.injuries),
            rules=settlement_rules_of(rules),
            record=record,
        )
    except InvalidAccident as problem:
        raise refused_settlement(
            claim.number, problem.reason, problem.params, AccidentNotRecorded
        ) from None
    return record


def _summary(record: AccidentRecord) -> str:
    """The timeline's note: how many parties and losses are recorded (no names: the
    timeline is shown unmasked)."""
    return f"{len(record.parties)} {len(record.losses)}"


def pay_part(claim: Claim, amount: Money, reference: str, at: datetime, actor: str) -> Money:
    """Record a part of the agreed payout; what is still due after it. A part that pays
    all that is due is the closing payment."""
    claim.require_stage(Action.PAY_PART)
    agreement = claim.adjudication.agreement
    assert agreement is not None  # ensured by the stage
    paid = [p.amount.fen for p in claim.adjudication.part_payments]
    try:
        rest = left_to_pay(agreement.figures.payout.fen, paid, amount.fen)
    except InvalidAccident as problem:
        raise refused_settlement(
            claim.number, problem.reason, problem.params, PaymentRefused
        ) from None
    if rest == 0:
        claim.record_payment(amount, reference, at, actor)
        return Money.zero()
    claim.adjudication.part_payments.append(Payment(amount, reference, actor, at))
    claim.record(Action.PAY_PART, at, actor, f"{amount.yuan()} {reference}")
    return Money(rest)


# --- as use cases --------------------------------------------------------------------------


def adjust_accident(
    uow: UnitOfWork,
    party_id: int,
    number: str,
    change: Change,
    now: datetime,
    rules: AdjudicationRules | None = None,
) -> Handled:
    """The adjuster's change of a claim's accident record, stored when it can be settled."""

    def step(claim: Claim, adjuster: Adjuster) -> None:
        change_accident(claim, _coverage(uow, claim), change, rules, now, adjuster.actor)

    handled, _ = adjust(uow, party_id, number, step)
    return handled


def adjust_ratios(
    uow: UnitOfWork,
    party_id: int,
    number: str,
    ratios: Ratios,
    now: datetime,
    rules: AdjudicationRules | None = None,
) -> Handled:
    def step(claim: Claim, adjuster: Adjuster) -> None:
        record_ratios(claim, _coverage(uow, claim), ratios, rules, now, adjuster.actor)

    handled, _ = adjust(uow, party_id, number, step)
    return handled


def record_part_payment(
    uow: UnitOfWork, party_id: int, number: str, amount: Money, reference: str, now: datetime
) -> tuple[Handled, Money]:
    """A part of the agreed amount paid (先予支付); also what is still due. A part that
    pays all that is due is the closing payment, with its conditions (直赔: the owner
    accepted the repair)."""
    claim = uow.claims.get(number.strip().upper())
    if claim is not None and claim.adjudication.agreement and amount == claim.adjudication.due:
        return record_claim_payment(uow, party_id, number, amount, reference, now), Money.zero()
    return adjust(uow, party_id, number, lambda c, a: pay_part(c, amount, reference, now, a.actor))


def _coverage(uow: UnitOfWork, claim: Claim) -> Coverage:
    policy = uow.policies.by_number(claim.policy_number)
    if policy is None:
        raise UnknownPolicy(claim.policy_number)
    return policy.coverage
