"""Fast-lane eligibility (小额快赔): may this claim be proposed without an adjuster?

The rule (docs/fastlane.md) holds when every one of these holds:

- nobody is injured (stated, not merely unknown);
- the car can be driven;
- no property outside the vehicles was damaged;
- the policy had been in force more than ``min_policy_days`` when the accident happened;
- liability is settled: a confirmed 快处快赔 agreement, or a single-car accident;
- at most two motor vehicles were involved;
- there is an estimate, and it is under ``max_amount``;
- no fraud signal (``domain.fraud_signals``).

The fast lane never rejects. ``assess`` returns every reason the rule fails, so that the
claim goes to an adjuster with all of them at once; an eligible claim carries the rule
version and the inputs it was decided on, to be recorded as an automatic decision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from domain.fraud_signals import FraudSignal
from domain.money import Money

RULE_VERSION = "fastlane-1"
DEFAULT_MAX_AMOUNT = Money(500_000)  # 5,000.00 yuan
DEFAULT_MIN_POLICY_DAYS = 30


class Reason(StrEnum):
    """Why a claim is not for the fast lane (labels: ``fastlane.reason.<value>``)."""

    INJURIES = "injuries"
    INJURIES_UNKNOWN = "injuries_unknown"
    NOT_DRIVABLE = "not_drivable"
    DRIVABLE_UNKNOWN = "drivable_unknown"
    OUTSIDE_PROPERTY = "outside_property"
    OUTSIDE_PROPERTY_UNKNOWN = "outside_property_unknown"
    POLICY_TOO_NEW = "policy_too_new"
    NOT_IN_FORCE = "not_in_force"
    LIABILITY_NOT_AGREED = "liability_not_agreed"
    TOO_MANY_VEHICLES = "too_many_vehicles"
    NO_ESTIMATE = "no_estimate"
    ESTIMATE_TOO_HIGH = "estimate_too_high"
    FRAUD_SIGNAL = "fraud_signal"


@dataclass(frozen=True)
class FastLaneRules:
    max_amount: Money = DEFAULT_MAX_AMOUNT  # the estimate must be under it
    min_policy_days: int = DEFAULT_MIN_POLICY_DAYS  # in force more than this at the accident

    def __post_init__(self) -> None:
        if self.max_amount <= Money.zero():
            raise ValueError("the fast lane's maximum amount is positive")
        if self.min_policy_days < 0:
            raise ValueError("the minimum policy age is not negative")


@dataclass(frozen=True)
class FastLaneCase:
    """What the rule is decided on. ``None`` is a fact the owner has not stated."""

    injuries: bool | None
    drivable: bool | None
    outside_property: bool | None  # damage to anything but the vehicles (guardrail, shop front)
    vehicles: int  # motor vehicles involved, the owner's included
    liability_agreed: bool  # a 快处快赔 agreement both drivers confirmed
    accident_on: date
    policy_valid_from: date
    policy_valid_to: date
    estimate: Money | None
    fraud_signals: Sequence[FraudSignal] = ()

    def inputs(self) -> dict[str, Any]:
        """The inputs as JSON-ready values, recorded with the decision."""
        return {
            "injuries": self.injuries,
            "drivable": self.drivable,
            "outside_property": self.outside_property,
            "vehicles": self.vehicles,
            "liability_agreed": self.liability_agreed,
            "accident_on": self.accident_on.isoformat(),
            "policy_valid_from": self.policy_valid_from.isoformat(),
            "policy_valid_to": self.policy_valid_to.isoformat(),
            "estimate_fen": None if self.estimate is None else self.estimate.fen,
            "fraud_signals": [signal.as_dict() for signal in self.fraud_signals],
        }


@dataclass(frozen=True)
class FastLaneDecision:
    eligible: bool
    reasons: tuple[Reason, ...]
    fraud_signals: tuple[FraudSignal, ...]
    rule_version: str
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def route(self) -> str:
        """``auto``: proposed at once; ``adjuster``: a person decides, with the reasons."""
        return "auto" if self.eligible else "adjuster"


def assess(case: FastLaneCase, rules: FastLaneRules) -> FastLaneDecision:
    reasons = [
        *_facts(case),
        *_policy(case, rules),
        *_liability(case),
        *_estimate(case, rules),
    ]
    if case.fraud_signals:
        reasons.append(Reason.FRAUD_SIGNAL)
    inputs = case.inputs() | {
        "max_amount_fen": rules.max_amount.fen,
        "min_policy_days": rules.min_policy_days,
    }
    return FastLaneDecision(
        eligible=not reasons,
        reasons=tuple(reasons),
        fraud_signals=tuple(case.fraud_signals),
        rule_version=RULE_VERSION,
        inputs=inputs,
    )


def sampled_for_review(number: str, percent: int) -> bool:
    """Whether a supervisor reviews this claim's automatic decision: ``percent`` of claims,
    chosen by the claim number's hash (the same claim is always in or out, on every worker)."""
    if not 0 <= percent <= 100:
        raise ValueError("a percentage (0-100)")
    bucket = int.from_bytes(hashlib.sha256(number.encode()).digest()[:8], "big") % 100
    return bucket < percent


def _facts(case: FastLaneCase) -> list[Reason]:
    checks = (
        (case.injuries, False, Reason.INJURIES, Reason.INJURIES_UNKNOWN),
        (case.drivable, True, Reason.NOT_DRIVABLE, Reason.DRIVABLE_UNKNOWN),
        (
            case.outside_property,
            False,
            Reason.OUTSIDE_PROPERTY,
            Reason.OUTSIDE_PROPERTY_UNKNOWN,
        ),
    )
    reasons = []
    for value, wanted, failed, unknown in checks:
        if value is None:
            reasons.append(unknown)
        elif value is not wanted:
            reasons.append(failed)
    return reasons


def _policy(case: FastLaneCase, rules: FastLaneRules) -> list[Reason]:
    if not case.policy_valid_from <= case.accident_on <= case.policy_valid_to:
        return [Reason.NOT_IN_FORCE]
    if (case.accident_on - case.policy_valid_from).days <= rules.min_policy_days:
        return [Reason.POLICY_TOO_NEW]
    return []


def _liability(case: FastLaneCase) -> list[Reason]:
    if case.vehicles > 2:
        return [Reason.TOO_MANY_VEHICLES]
    if case.vehicles == 2 and not case.liability_agreed:
        return [Reason.LIABILITY_NOT_AGREED]
    return []


def _estimate(case: FastLaneCase, rules: FastLaneRules) -> list[Reason]:
    if case.estimate is None:
        return [Reason.NO_ESTIMATE]
    if case.estimate >= rules.max_amount:
        return [Reason.ESTIMATE_TOO_HIGH]
    return []
