"""Adjudication (理赔审定): survey, liability, loss items, settlement arithmetic, payment.

Everything here is data and arithmetic; the claim (``domain.claim``) decides when each
step may happen, and keeps the timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import Refusal
from domain.evidence import EvidenceTolerance
from domain.money import Money
from domain.policy import Coverage

MAX_NOTE = 500
MAX_LOSS_ITEMS = 50
MAX_LOSS_DESCRIPTION = 100
MAX_REFERENCE = 64
# One item above ten million yuan is a typing error, not a car part.
MAX_ITEM_AMOUNT = Money(1_000_000_000)
SURVEY_HORIZON = timedelta(days=30)
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


class InvalidRules(ValueError):
    """A configured liability table or tolerance that cannot be used."""


@dataclass(frozen=True)
class AdjudicationRules:
    """The configurable parts: liability shares (percent) and evidence-check tolerances."""

    liability_shares: Mapping[Liability, int] = field(
        default_factory=lambda: dict(DEFAULT_LIABILITY_SHARES)
    )
    evidence: EvidenceTolerance = field(default_factory=EvidenceTolerance)

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
    loss_total: Money
    share: int  # the owner's liability share applied, percent
    own_portion: Money  # the part of the loss the owner is liable for
    covered: Money  # of it, what the own-damage limit covers
    other_share: Money  # the part the other party (their insurer) is liable for
    deductible: Money
    payout: Money  # what this insurer pays


def _percent_of(amount: Money, percent: int) -> Money:
    """``amount × percent / 100``, rounded half up to the fen, in integers only."""
    return Money((amount.fen * percent + 50) // 100)


def effective_share(share: int, other_party_identified: bool) -> int:
    """The owner's share a settlement applies: the found share only when another vehicle
    with a known plate can be held to the rest, else 100 (see ``compute_settlement``)."""
    return share if other_party_identified else 100


def compute_settlement(
    loss: Money, share: int, coverage: Coverage, other_party_identified: bool
) -> SettlementFigures:
    """The proposed payout of an own-damage claim (车损险), liability-proportional (按责赔付).

    With L the assessed loss total, s the owner's liability share (全责 100, 主责 70,
    同责 50, 次责 30, 无责 0 %, configurable), C the policy's own-damage limit and D its
    deductible, all money in integer fen:

        s'          = s if another party is identified (a vehicle with a known plate),
                      else 100 — nobody else can be held to a share
        own_portion = round_half_up(L × s' / 100)
        covered     = min(own_portion, C)
        other_share = L − own_portion      (owed by the other party's insurer)
        payout      = max(0, covered − D)

    So a 主责 owner with a 1 200.00 loss, a 180 000.00 limit and a 500.00 deductible is
    paid 840.00 − 500.00 = 340.00, and 360.00 is the other party's to pay.
    """
    if loss.fen < 0:
        raise ValueError("a loss total is never negative")
    if not 0 <= share <= 100:
        raise ValueError("a liability share is a percentage")
    applied = effective_share(share, other_party_identified)
    own_portion = _percent_of(loss, applied)
    covered = min(own_portion, coverage.own_damage or Money.zero())
    payout = max(covered - coverage.deductible, Money.zero())
    return SettlementFigures(
        loss_total=loss,
        share=applied,
        own_portion=own_portion,
        covered=covered,
        other_share=loss - own_portion,
        deductible=coverage.deductible,
        payout=payout,
    )


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
    payment: Payment | None = None
    evidence_request: EvidenceRequest | None = None

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
