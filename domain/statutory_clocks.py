"""The Insurance Law's clocks on a claim (《保险法》 第二十二条至第二十五条).

- Art. 22: missing documents are asked for once, all at once (the checklist,
  ``domain.documents``); the clocks below start when the documents are complete.
- Art. 23: the decision (核定) is due within 30 days of complete documents (shorter for
  simple claims, by configuration); payment within 10 days of the agreement on the amount.
- Art. 24: a rejection notice, with its reasons, within 3 days of the decision to reject.
- Art. 25: an amount not determined within 60 days of complete documents is paid in advance
  as far as the documents already establish it.

Each clock has a start, a due instant, a warning instant at ``warn_fraction`` (80 %) of its
span, and stops when the thing it waits for happens. Days are calendar days counted from
the instant the clock started, as the statute counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class ClockKind(StrEnum):
    """Labels: ``clocks.kind.<value>`` (locales/*/fastlane.yaml)."""

    DECISION = "decision"  # 核定: art. 23
    PAYMENT = "payment"  # 赔付: art. 23
    REJECTION_NOTICE = "rejection_notice"  # 拒赔通知: art. 24
    ADVANCE_PAYMENT = "advance_payment"  # 先予支付: art. 25


class ClockState(StrEnum):
    RUNNING = "running"  # before the warning instant
    AT_RISK = "at_risk"  # past 80 %, not yet due
    BREACHED = "breached"  # due and still not done
    MET = "met"  # done in time
    LATE = "late"  # done, after it was due


@dataclass(frozen=True)
class ClockRules:
    decision: timedelta = timedelta(days=30)
    decision_simple: timedelta = timedelta(days=5)  # small, clear claims (the fast lane's)
    payment: timedelta = timedelta(days=10)
    rejection_notice: timedelta = timedelta(days=3)
    advance_payment: timedelta = timedelta(days=60)
    warn_fraction: float = 0.8

    def __post_init__(self) -> None:
        spans = (
            self.decision,
            self.decision_simple,
            self.payment,
            self.rejection_notice,
            self.advance_payment,
        )
        if any(span <= timedelta(0) for span in spans):
            raise ValueError("every clock runs for a positive time")
        if self.decision_simple > self.decision:
            raise ValueError("a simple claim's decision is not due later than any claim's")
        if not 0 < self.warn_fraction < 1:
            raise ValueError("the warning comes between the start and the due time")


@dataclass(frozen=True)
class ClaimClockEvents:
    """The instants a claim's clocks depend on (None: not happened yet)."""

    documents_complete_at: datetime | None = None
    simple: bool = False  # a small, clear claim: the shorter decision clock
    decided_at: datetime | None = None  # the decision: to pay (a proposal) or to reject
    rejected_at: datetime | None = None  # the decision to reject
    rejection_notified_at: datetime | None = None
    agreed_at: datetime | None = None  # the owner agreed to the amount
    paid_at: datetime | None = None
    advance_paid_at: datetime | None = None  # a payment on account (先予支付)


@dataclass(frozen=True)
class StatutoryClock:
    kind: ClockKind
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    stopped_at: datetime | None = None

    def state(self, now: datetime) -> ClockState:
        if self.stopped_at is not None:
            return ClockState.MET if self.stopped_at <= self.due_at else ClockState.LATE
        if now >= self.due_at:
            return ClockState.BREACHED
        if now >= self.warn_at:
            return ClockState.AT_RISK
        return ClockState.RUNNING

    @property
    def running(self) -> bool:
        return self.stopped_at is None


def _clock(
    kind: ClockKind,
    start: datetime,
    span: timedelta,
    rules: ClockRules,
    stopped_at: datetime | None,
) -> StatutoryClock:
    return StatutoryClock(
        kind=kind,
        started_at=start,
        due_at=start + span,
        warn_at=start + span * rules.warn_fraction,
        stopped_at=stopped_at,
    )


def claim_clocks(events: ClaimClockEvents, rules: ClockRules) -> list[StatutoryClock]:
    """Every clock that has started, in the order they start."""
    clocks: list[StatutoryClock] = []
    complete = events.documents_complete_at
    if complete is not None:
        span = rules.decision_simple if events.simple else rules.decision
        clocks.append(_clock(ClockKind.DECISION, complete, span, rules, events.decided_at))
        # Until the amount is settled, what the documents establish is due on account.
        clocks.append(
            _clock(
                ClockKind.ADVANCE_PAYMENT,
                complete,
                rules.advance_payment,
                rules,
                _first(
                    events.agreed_at,
                    events.advance_paid_at,
                    events.paid_at,
                    events.rejected_at,
                ),
            )
        )
    if events.rejected_at is not None:
        clocks.append(
            _clock(
                ClockKind.REJECTION_NOTICE,
                events.rejected_at,
                rules.rejection_notice,
                rules,
                events.rejection_notified_at,
            )
        )
    if events.agreed_at is not None and events.rejected_at is None:
        clocks.append(
            _clock(ClockKind.PAYMENT, events.agreed_at, rules.payment, rules, events.paid_at)
        )
    return clocks


def _first(*instants: datetime | None) -> datetime | None:
    known = [instant for instant in instants if instant is not None]
    return min(known) if known else None


def share_within_time(clocks: list[StatutoryClock], kind: ClockKind) -> tuple[int, int]:
    """(met, finished) among the clocks of one kind that have stopped: the analytics' share."""
    finished = [c for c in clocks if c.kind is kind and c.stopped_at is not None]
    met = [c for c in finished if c.stopped_at is not None and c.stopped_at <= c.due_at]
    return len(met), len(finished)
