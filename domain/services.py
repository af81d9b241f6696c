"""Use cases that change domain state through the unit-of-work port."""

from __future__ import annotations

from datetime import datetime, tzinfo

from domain.claim import Claim, format_claim_number
from domain.ports import UnitOfWork
from domain.report import ReportDraft


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
    """Issue a claim number for a complete report and record the claim."""
    policy = uow.policies.by_number(report.policy_number or "")
    if policy is None:
        raise UnknownPolicy(report.policy_number)
    local_day = now.astimezone(tz).date()
    number = format_claim_number(local_day, uow.claims.next_sequence(local_day))
    claim = Claim.file(number, report, policy, owner_id, now, actor)
    uow.claims.add(claim)
    return claim
