"""The response-time promise (SLA) on a reported claim: how long until an adjuster takes it.

One definition serves the scheduler (when to re-page and escalate) and the dashboard
(the on time / at risk / breached column). Deadlines are configuration
(``CLAIMBOT_SLA_*``); urgent claims (injuries, rescue) have their own, shorter ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SlaState(StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    BREACHED = "breached"


@dataclass(frozen=True)
class TakeDeadlines:
    """When an untaken claim is re-paged, and when it is escalated (the promise is broken)."""

    repage_after: timedelta
    escalate_after: timedelta

    def __post_init__(self) -> None:
        if not timedelta(0) < self.repage_after <= self.escalate_after:
            raise ValueError("re-page must come after 0 and not after the escalation")


@dataclass(frozen=True)
class SlaPolicy:
    normal: TakeDeadlines = TakeDeadlines(timedelta(minutes=30), timedelta(minutes=60))
    urgent: TakeDeadlines = TakeDeadlines(timedelta(minutes=5), timedelta(minutes=10))

    def deadlines(self, urgent: bool) -> TakeDeadlines:
        return self.urgent if urgent else self.normal


def take_sla_state(
    policy: SlaPolicy,
    *,
    urgent: bool,
    reported_at: datetime,
    taken_at: datetime | None,
    now: datetime,
) -> SlaState:
    """A taken claim is on time or breached by when it was taken; an untaken one by its age:
    at risk from the re-page deadline, breached from the escalation deadline."""
    deadlines = policy.deadlines(urgent)
    if taken_at is not None:
        late = taken_at - reported_at > deadlines.escalate_after
        return SlaState.BREACHED if late else SlaState.ON_TIME
    age = now - reported_at
    if age >= deadlines.escalate_after:
        return SlaState.BREACHED
    if age >= deadlines.repage_after:
        return SlaState.AT_RISK
    return SlaState.ON_TIME
