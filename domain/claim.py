"""A claim (理赔案件) and its lifecycle, from report to payment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from domain.events import ClaimReported, ClaimStatusChanged, DomainEvent
from domain.policy import Policy
from domain.report import ReportDraft, ReportItem, is_late_report


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


_S = ClaimStatus
ALLOWED_TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    _S.REPORTED: frozenset({_S.ASSIGNED, _S.WITHDRAWN, _S.REJECTED}),
    _S.ASSIGNED: frozenset({_S.SURVEYING, _S.ASSESSED, _S.WITHDRAWN, _S.REJECTED}),
    _S.SURVEYING: frozenset({_S.SURVEYING, _S.ASSESSED, _S.WITHDRAWN, _S.REJECTED}),
    _S.ASSESSED: frozenset({_S.ASSESSED, _S.SETTLEMENT_PROPOSED, _S.WITHDRAWN, _S.REJECTED}),
    _S.SETTLEMENT_PROPOSED: frozenset({_S.AGREED, _S.DISPUTED, _S.WITHDRAWN}),
    _S.DISPUTED: frozenset({_S.SETTLEMENT_PROPOSED, _S.ASSESSED, _S.WITHDRAWN, _S.REJECTED}),
    _S.AGREED: frozenset({_S.PAID}),
    _S.PAID: frozenset(),
    _S.WITHDRAWN: frozenset(),
    _S.REJECTED: frozenset(),
}
TERMINAL_STATUSES = frozenset(s for s, nxt in ALLOWED_TRANSITIONS.items() if not nxt)


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
        claim.timeline.append(StatusChange(now, None, ClaimStatus.REPORTED, actor))
        claim.events.append(ClaimReported(now, number, claim.urgent, claim.late))
        return claim

    def change_status(self, to: ClaimStatus, at: datetime, actor: str, note: str = "") -> None:
        if to not in ALLOWED_TRANSITIONS[self.status]:
            raise InvalidTransition(self.status, to)
        change = StatusChange(at, self.status, to, actor, note)
        self.timeline.append(change)
        self.events.append(ClaimStatusChanged(at, self.number, self.status, to, actor, note))
        self.status = to
