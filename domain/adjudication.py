"""Adjudication (理赔审定): survey, liability, loss items, settlement arithmetic, payment.

Everything here is data and arithmetic; the claim (``domain.claim``) decides when each
step may happen, and keeps the timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.errors import Refusal
from domain.evidence import EvidenceTolerance
from domain.fraud_signals import PhotoReuseRule
from domain.jiaoqiang import JIAOQIANG_2020, JiaoqiangLimits
from domain.money import Money, with_amounts

if TYPE_CHECKING:
    from domain.accident_record import AccidentRecord
    from domain.settlement.statement import Line, Receivable, Statement

MAX_NOTE = 500
MAX_LOSS_ITEMS = 50
MAX_LOSS_DESCRIPTION = 100
MAX_REFERENCE = 64
# One item above ten million yuan is a typing error, not a car part.
MAX_ITEM_AMOUNT = Money(1_000_000_000)
SURVEY_HORIZON = timedelta(days=30)
APPROVAL_THRESHOLD = Money(1_000_000)  # 10,000.00 yuan: above it, a payout waits for 核赔
SURVEY_PAST_TOLERANCE = timedelta(minutes=5)


class Liability(StrEnum):
    """Liability grades of a traffic accident finding (责任认定)."""

    FULL = "full"  # 全责
    MAJOR = "major"  # 主责
    EQUAL = "equal"  # 同责
    MINOR = "minor"  # 次责
    NONE = "none"  # 无责


DEFAULT_LIABILITY_SHARES: Mapping[Liability, int] = {
    Liability.FULL: 100,
    Liability.MAJOR: 70,
    Liability.EQUAL: 50,
    Liability.MINOR: 30,
    Liability.NONE: 0,
}


def grade_for_share(share: int) -> Liability:
    """The grade an adjuster's own ratio reads as: 100 全责, over 50 主责, 50 同责, under 50
    次责, 0 无责 (the ratio itself is what a settlement applies)."""
    if not 0 <= share <= 100:
        raise ValueError("a liability share is a percentage")
    if share in (0, 50, 100):
        return {0: Liability.NONE, 50: Liability.EQUAL, 100: Liability.FULL}[share]
    return Liability.MAJOR if share > 50 else Liability.MINOR


class InvalidRules(ValueError):
    """A configured liability table or tolerance that cannot be used."""


@dataclass(frozen=True)
class AdjudicationRules:
    """The configurable parts: liability shares (percent) and evidence-check tolerances."""

    liability_shares: Mapping[Liability, int] = field(
        default_factory=lambda: dict(DEFAULT_LIABILITY_SHARES)
    )
    evidence: EvidenceTolerance = field(default_factory=EvidenceTolerance)
    jiaoqiang: JiaoqiangLimits = JIAOQIANG_2020  # the settlement's 交强险 sub-limits
    # A proposal paying more waits for a supervisor's approval (核赔, domain.approval).
    approval_threshold: Money = APPROVAL_THRESHOLD
    photo_reuse: PhotoReuseRule = field(default_factory=PhotoReuseRule)  # shown per photo

    def __post_init__(self) -> None:
        if set(self.liability_shares) != set(Liability):
            raise InvalidRules("every liability grade needs a share")
        if any(not 0 <= share <= 100 for share in self.liability_shares.values()):
            raise InvalidRules("liability shares are percentages (0-100)")

    def share(self, grade: Liability) -> int:
        return self.liability_shares[grade]


class SurveyMode(StrEnum):
    ONSITE = "onsite"  # 现场查勘
    REMOTE = "remote"  # 远程（视频/照片）查勘


@dataclass(frozen=True)
class Survey:
    mode: SurveyMode
    at: datetime | None  # required on site; optional for a remote survey
    place: str | None  # required on site


def survey_time_problem(at: datetime, now: datetime) -> bool:
    """A survey is scheduled from now on, and at most 30 days ahead."""
    return at < now - SURVEY_PAST_TOLERANCE or at > now + SURVEY_HORIZON


@dataclass(frozen=True)
class LiabilityFinding:
    grade: Liability
    share: int  # percent of the loss the owner is liable for, fixed when recorded
    note: str = ""


class LossKind(StrEnum):
    PART = "part"  # 配件
    LABOUR = "labour"  # 工时
    PAINT = "paint"  # 喷漆


@dataclass(frozen=True)
class LossItem:
    kind: LossKind
    description: str
    amount: Money


def loss_total(items: Iterable[LossItem]) -> Money:
    return sum((item.amount for item in items), Money.zero())


def valid_item_amount(amount: Money) -> bool:
    return Money.zero() < amount <= MAX_ITEM_AMOUNT


class PaymentRoute(StrEnum):
    OWNER = "owner"  # paid to the owner
    SHOP = "shop"  # paid directly to the repair shop (直赔)


class RepairNotAccepted(Refusal):
    """A direct-repair (直赔) payment before the owner accepted the repair (验收).

    Params: number; booking and status of the claim's booking in progress (None when the
    owner has booked no repair).
    """

    reason = "repair_not_accepted"


@dataclass(frozen=True)
class SettlementFigures:
    """What a proposal pays, read from the claim's settlement statement
    (``domain.settlement.owner``)."""

    loss_total: Money
    share: int  # the owner's liability share applied, percent
    own_portion: Money  # the part of the loss on the owner's side (their insurer and pocket)
    covered: Money  # of it, what the owner's covers take before the deductible
    other_share: Money  # what other insurers pay for the owner's car
    deductible: Money
    payout: Money  # what this insurer pays
    lines: tuple[Line, ...] = ()  # the statement's lines for the owner's car
    # The owner's out-of-pocket; None on proposals recorded before statements existed,
    # whose owner's part was the own portion less the payout.
    owner_pays: Money | None = None
    receivables: tuple[Receivable, ...] = ()
    # The whole statement (every payer, every victim: the other car, 护栏, pedestrians)
    # and the owner's vehicle in it; None on proposals stored with the owner's lines only.
    statement: Statement | None = None
    party: str | None = None

    @property
    def owner_part(self) -> Money:
        if self.owner_pays is not None:
            return self.owner_pays
        return self.own_portion - self.payout


class SettlementNotPossible(Refusal):
    """The claim cannot be settled as recorded (params: number, problem — a
    ``settlement.error`` key — and details, its parameters)."""

    reason = "settlement_invalid"


def refused_settlement(
    number: str, reason: str, params: Mapping[str, int | str], refusal: type[Refusal] | None = None
) -> Refusal:
    """A settlement model's refusal (``InvalidAccident``) as an answer: amounts (``_fen``
    parameters) in yuan under their name without the suffix."""
    details = {
        name: value
        for name, value in with_amounts(params).items()
        if not (name.endswith("_fen") and isinstance(value, int))
    }
    return (refusal or SettlementNotPossible)(number=number, problem=reason, details=details)


def effective_share(share: int, other_party_identified: bool) -> int:
    """The owner's share a settlement applies: the found share only when another vehicle
    with a known plate can be held to the rest, else 100."""
    return share if other_party_identified else 100


class ProposalOutcome(StrEnum):
    PENDING = "pending"  # waiting for the owner's answer
    ACCEPTED = "accepted"
    DISPUTED = "disputed"
    SUPERSEDED = "superseded"  # replaced by a revision before it was answered


@dataclass
class Settlement:
    """One proposal (version 1, 2, ...): the adjuster's side is its proposal."""

    version: int
    route: PaymentRoute
    figures: SettlementFigures
    proposed_by: str
    proposed_at: datetime
    outcome: ProposalOutcome = ProposalOutcome.PENDING
    answered_by: str | None = None
    answered_at: datetime | None = None
    dispute_reason: str | None = None


@dataclass(frozen=True)
class Payment:
    amount: Money
    reference: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class EvidenceRequest:
    text: str
    asked_by: str
    asked_at: datetime


@dataclass
class Adjudication:
    """What the adjuster has recorded on a claim so far."""

    initial_assessment: str | None = None
    survey: Survey | None = None
    liability: LiabilityFinding | None = None
    loss_items: list[LossItem] = field(default_factory=list)
    settlements: list[Settlement] = field(default_factory=list)
    payment: Payment | None = None  # the payment that closed the claim (the rest, or all)
    evidence_request: EvidenceRequest | None = None
    accident: AccidentRecord | None = None  # parties, victims' losses, ratios, options
    part_payments: list[Payment] = field(default_factory=list)  # 先予支付, before the rest

    @property
    def loss_total(self) -> Money:
        return loss_total(self.loss_items)

    @property
    def current_settlement(self) -> Settlement | None:
        return self.settlements[-1] if self.settlements else None

    @property
    def pending_settlement(self) -> Settlement | None:
        current = self.current_settlement
        if current is not None and current.outcome is ProposalOutcome.PENDING:
            return current
        return None

    @property
    def agreement(self) -> Settlement | None:
        """The accepted proposal: both sides confirmed it (proposal, then acceptance)."""
        return next(
            (s for s in reversed(self.settlements) if s.outcome is ProposalOutcome.ACCEPTED),
            None,
        )

    @property
    def paid(self) -> Money:
        """What has been paid on the claim so far: the parts, and the closing payment."""
        closing = [self.payment] if self.payment is not None else []
        return sum((p.amount for p in (*self.part_payments, *closing)), Money.zero())

    @property
    def due(self) -> Money:
        """What the agreement still owes (nothing before agreement)."""
        agreement = self.agreement
        if agreement is None:
            return Money.zero()
        return max(agreement.figures.payout - self.paid, Money.zero())
