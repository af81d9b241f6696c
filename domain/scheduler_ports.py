"""What the scheduler needs from storage: the timer store, the reads its timer kinds make
and the retention purge, on one unit of work (an extension of ``domain.ports``)."""

from __future__ import annotations

import abc
from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from domain.claim import ClaimStatus
from domain.handoffs import Handoff
from domain.outbox import OutboxStats
from domain.ports import HandoffDesk, ReminderSettings, UnitOfWork, UnitOfWorkFactory
from domain.reminders import Contact, PolicyTerm, Preference, ReportConversation, StalledReport
from domain.retention import Removed
from domain.timers import Timer, TimerSpec, TimerStats


class TimerStore(abc.ABC):
    """Durable timers keyed by a dedupe key: armed by the features, claimed and fired by
    the runner (exactly once: see scheduler/runner.py)."""

    # --- the features' side -----------------------------------------------------------

    @abc.abstractmethod
    def add(self, spec: TimerSpec, now: datetime | None = None) -> bool:
        """Arm the timer unless its key exists (in any state); True if inserted."""

    @abc.abstractmethod
    def add_many(self, specs: Sequence[TimerSpec], now: datetime | None = None) -> int:
        """``add`` for many; how many were inserted (existing keys are skipped)."""

    @abc.abstractmethod
    def set(self, spec: TimerSpec, now: datetime | None = None) -> None:
        """Arm, or re-arm whatever its state: pending at ``spec.due_at`` with its payload;
        a claim in flight on the old row is voided (its ``hold`` fails)."""

    @abc.abstractmethod
    def ensure(self, spec: TimerSpec, now: datetime | None = None) -> bool:
        """Arm it unless pending or firing already; True if inserted or revived."""

    @abc.abstractmethod
    def move(self, key: str, due_at: datetime, now: datetime | None = None) -> bool:
        """Move a pending timer to ``due_at``; False if none is pending by that key."""

    @abc.abstractmethod
    def cancel(self, key: str, now: datetime | None = None) -> bool:
        """Cancel a pending (or firing, not yet committed) timer; False if none."""

    @abc.abstractmethod
    def cancel_subject(
        self, subject: str, kinds: Iterable[str] | None = None, now: datetime | None = None
    ) -> int:
        """Cancel every pending timer about ``subject`` (optionally of some kinds only)."""

    @abc.abstractmethod
    def get(self, key: str) -> Timer | None: ...

    # --- the runner's side ------------------------------------------------------------

    @abc.abstractmethod
    def claim_due(self, token: str, now: datetime, limit: int) -> list[Timer]:
        """Claim up to ``limit`` due pending timers for ``token`` (status firing), earliest
        first; two claims never get the same timer."""

    @abc.abstractmethod
    def hold(self, timer: Timer, now: datetime) -> bool:
        """True if ``timer`` is still claimed by its token (fire it in this transaction)."""

    @abc.abstractmethod
    def hold_many(self, timers: Sequence[Timer], now: datetime) -> frozenset[int]:
        """``hold`` for many: the ids whose claim is still theirs."""

    @abc.abstractmethod
    def fired(self, ids: Sequence[int], now: datetime) -> int:
        """Finish held timers as ``fired`` (no outcome note)."""

    @abc.abstractmethod
    def finish(self, timer: Timer, status: str, now: datetime, outcome: str | None = None) -> None:
        """``fired`` (counts a fire), ``dropped`` or ``failed``; other statuses raise
        ValueError."""

    @abc.abstractmethod
    def defer(
        self,
        timer: Timer,
        until: datetime,
        now: datetime,
        reason: str,
        *,
        count_attempt: bool = False,
    ) -> None:
        """Back to pending at ``until`` (quiet hours, owner active again, a retry)."""

    @abc.abstractmethod
    def release_stale(self, older_than: datetime) -> int:
        """Hand back claims taken before ``older_than`` (a worker that died mid-fire)."""

    @abc.abstractmethod
    def next_due(self) -> datetime | None:
        """The earliest due time of a pending timer (None: none pending)."""


class ReminderReads(ReminderSettings):
    """Reminder settings plus what the reminder kinds read: whom to reach and how, the
    stalled reports, the policies to remind of."""

    @abc.abstractmethod
    def preference(self, party_id: int) -> Preference: ...

    @abc.abstractmethod
    def contact(self, party_id: int) -> Contact | None:
        """The party's latest conversation and preferences; None if they never chatted."""

    @abc.abstractmethod
    def report_conversation(self, conversation_id: int) -> ReportConversation | None: ...

    @abc.abstractmethod
    def stalled_reports(
        self,
        *,
        dialog: str,
        states: Sequence[str],
        silent_since: datetime,
        not_before: datetime,
        key_prefix: str,
        limit: int,
    ) -> list[StalledReport]:
        """Unfinished reports whose last activity lies in ``[not_before, silent_since]``
        and that have no timer keyed ``{key_prefix}{conversation id}:{started_at}`` yet."""

    @abc.abstractmethod
    def policy_term(self, number: str) -> PolicyTerm | None: ...

    @abc.abstractmethod
    def policies_without_timer(
        self, *, kind: str, subject_prefix: str, in_force_on: date, after_id: int, limit: int
    ) -> list[PolicyTerm]:
        """Policies in force on or after ``in_force_on`` with no pending timer of ``kind``
        whose subject is ``{subject_prefix}{policy number}``, by id after ``after_id``."""

    @abc.abstractmethod
    def owner_of_policy(self, number: str) -> int | None:
        """The owner who last showed this policy is theirs (None: nobody yet)."""


class HandoffQueue(abc.ABC):
    """Handoffs to a person, as the answer-time check sees them."""

    @abc.abstractmethod
    def unanswered(self, opened_before: datetime, limit: int = 100) -> list[Handoff]:
        """Open handoffs opened before the cut-off with no staff reply whose supervisors
        were not told yet, oldest first."""

    @abc.abstractmethod
    def mark_paged(self, handoff_id: int, now: datetime) -> None: ...


@dataclass(frozen=True)
class UntakenClaim:
    number: str
    reported_at: datetime
    urgent: bool


class EscalationReads(abc.ABC):
    @abc.abstractmethod
    def untaken_unarmed(self, key_prefix: str, limit: int) -> list[UntakenClaim]:
        """Reported claims without an adjuster and without a timer keyed
        ``{key_prefix}{number}``, oldest report first."""


class ClockReads(abc.ABC):
    @abc.abstractmethod
    def unarmed(
        self,
        statuses: Collection[ClaimStatus],
        key_prefix: str,
        limit: int,
        after_action: str | None = None,
    ) -> list[str]:
        """Numbers of claims in one of ``statuses`` without a timer keyed
        ``{key_prefix}{number}`` (with ``after_action``: whose timeline has that action),
        by id."""


class HandoffStore(HandoffQueue, HandoffDesk):
    """The handoff queue as turns (open, messages, close) and timers (pages) use it."""


class SchedulerUnitOfWork(UnitOfWork):
    """The unit of work the timer runner and its kinds use: the domain's, plus timers,
    the reads of the timer kinds and the purge."""

    timers: TimerStore
    reminders: ReminderReads
    handoffs: HandoffStore

    @property
    @abc.abstractmethod
    def escalation_queries(self) -> EscalationReads: ...

    @property
    @abc.abstractmethod
    def clock_queries(self) -> ClockReads: ...

    @abc.abstractmethod
    def purge(self, now: datetime, retention: timedelta, *, dry_run: bool) -> Removed:
        """Remove what is past retention (docs/security.md); the media rows removed (their
        files are the caller's to delete)."""

    @abc.abstractmethod
    def outbox_stats(self, now: datetime) -> OutboxStats:
        """The outbox backlog an operator watches (``GET /metrics``)."""

    @abc.abstractmethod
    def timer_stats(self, now: datetime) -> TimerStats:
        """The due, firing and failed timers an operator watches."""


class SchedulerDatabase(UnitOfWorkFactory[SchedulerUnitOfWork], Protocol):
    """Where the runner opens its units of work; on SQLite it pauses between chunks."""

    @property
    def is_sqlite(self) -> bool: ...


class ReadingDatabase(Protocol):
    """Where the operator's figures are read (a unit of work that never writes)."""

    def reading(self) -> AbstractContextManager[SchedulerUnitOfWork]: ...
