"""A stored claim as the fast lane's case (``domain.fast_lane.FastLaneCase``).

The report gives the injuries, whether the car is drivable and the other vehicles; the
policy its period. What the report does not ask yet (damage outside the vehicles) and what
other steps produce (the agreement, the estimate, the fraud signals) are passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from domain.claim import Claim
from domain.fast_lane import FastLaneCase
from domain.fraud_signals import FraudSignal
from domain.money import Money
from domain.policy import Policy


def case_for_claim(
    claim: Claim,
    policy: Policy,
    tz: tzinfo,
    *,
    estimate: Money | None,
    liability_agreed: bool,
    outside_property: bool | None,
    fraud_signals: Sequence[FraudSignal],
) -> FastLaneCase:
    report = claim.report
    accident_at = report.accident_at or claim.reported_at
    return FastLaneCase(
        injuries=report.injuries,
        drivable=report.drivable,
        outside_property=outside_property,
        vehicles=1 + len(report.other_vehicles or []),
        liability_agreed=liability_agreed,
        accident_on=accident_at.astimezone(tz).date(),
        policy_valid_from=policy.valid_from,
        policy_valid_to=policy.valid_to,
        estimate=estimate,
        fraud_signals=tuple(fraud_signals),
    )
