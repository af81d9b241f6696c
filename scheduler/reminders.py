"""The timer kinds that today's features need, and the registry that holds them.

- ``push``: a non-urgent message to a party, held back during their quiet hours. What a
  feature arms (``schedule_push``) instead of writing the outbox row directly when the
  message may wait for the morning.
- ``report_nudge``: an owner who stopped mid-report is reminded once per report, after
  ``nudge_after`` of silence, in the conversation's locale, only if that report is still
  unfinished. ``report_nudge_scan`` (every few minutes) finds such conversations and arms
  their nudge; the conversation table is where a report's state lives.
- ``maintenance``: every ``maintenance_every_months`` from the policy's start, while the
  policy is in force, the owner is reminded to have the vehicle serviced. Each reminder
  arms the next one; ``maintenance_scan`` arms the first one for policies that have
  none (imported since). The owner is the party who last showed the policy is theirs (a
  claim, or a report in progress that verified it): an owner who never chatted cannot be
  reached, and their reminder is skipped (the next one is still armed).

Misfire policy of each kind: see ``MISFIRE`` below and docs/deploy.md.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from domain.reminders import PolicyTerm
from domain.scheduler_ports import SchedulerUnitOfWork
from domain.timers import Timer, TimerSpec
from messages.outbound import Outbound
from scheduler.config import SchedulerConfig
from scheduler.kinds import (
    SEND_LATE,
    Defer,
    FireContext,
    Message,
    Misfire,
    Outcome,
    Registry,
    Send,
    Skip,
    TimerKind,
    arm_page,
)

PUSH = "push"
REPORT_NUDGE = "report_nudge"
REPORT_NUDGE_SCAN = "report_nudge_scan"
MAINTENANCE = "maintenance"
MAINTENANCE_SCAN = "maintenance_scan"

NUDGE_KEY_PREFIX = f"{REPORT_NUDGE}:"
POLICY_SUBJECT_PREFIX = "policy:"

# The message keys (locales/*/scheduler.yaml).
KEY_REPORT_NUDGE = "reminder.report_nudge"
KEY_MAINTENANCE = "reminder.maintenance"


# --- push ---------------------------------------------------------------------------------


def schedule_push(
    uow: SchedulerUnitOfWork,
    party_id: int,
    key: str,
    params: Mapping[str, Any] | None,
    *,
    dedupe_key: str,
    now: datetime,
    subject: str | None = None,
) -> bool:
    """Send ``key`` to the party's latest chat now, or after their quiet hours.

    Call it in the transaction of the state change; ``dedupe_key`` makes it once.
    """
    payload = {"party_id": party_id, "message": Outbound(key, params or {}).to_payload()}
    return uow.timers.add(TimerSpec(PUSH, dedupe_key, now, payload, subject), now)


def fire_push(ctx: FireContext, timer: Timer) -> Outcome:
    contact = ctx.uow.reminders.contact(int(timer.payload["party_id"]))
    if contact is None:
        return Skip("party unreachable: never chatted")
    return Send([Message(contact, timer.payload["message"])])


# --- the report nudge ---------------------------------------------------------------------


def nudge_key(conversation_id: int, started_at: str) -> str:
    return f"{NUDGE_KEY_PREFIX}{conversation_id}:{started_at}"


class ReportNudgeScan:
    """Arm one nudge per unfinished report that has been silent for ``nudge_after``."""

    def __init__(self, config: SchedulerConfig) -> None:
        self._config = config

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        after, report = self._config.nudge_after, self._config.report
        if after is None or report is None:
            return Skip("report nudges are off")
        stalled = ctx.uow.reminders.stalled_reports(
            dialog=report.name,
            states=sorted(report.states),
            silent_since=ctx.now - after,
            not_before=ctx.now - self._config.nudge_max_silence,
            key_prefix=NUDGE_KEY_PREFIX,
            limit=self._config.scan_page,
        )
        specs = [
            TimerSpec(
                REPORT_NUDGE,
                nudge_key(s.conversation_id, s.started_at),
                s.last_activity + after,
                {"conversation_id": s.conversation_id, "started_at": s.started_at},
                subject=f"conversation:{s.conversation_id}",
            )
            for s in stalled
        ]
        return arm_page(ctx, timer, specs, full=len(stalled) == self._config.scan_page)


class ReportNudge:
    """Fire a nudge if the same report still waits and the owner is still silent."""

    def __init__(self, config: SchedulerConfig) -> None:
        self._config = config

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        after, report = self._config.nudge_after, self._config.report
        if after is None or report is None:
            return Skip("report nudges are off")
        conv = ctx.uow.reminders.report_conversation(int(timer.payload["conversation_id"]))
        if (
            conv is None
            or conv.dialog != report.name
            or conv.state not in report.states
            or conv.started_at != timer.payload.get("started_at")
        ):
            return Skip("the report is no longer waiting")
        if conv.last_activity is not None:
            silence = ctx.now - conv.last_activity
            if silence < after:
                return Defer(conv.last_activity + after, "the owner spoke again")
            if silence > self._config.nudge_max_silence:
                return Skip(f"silent for {silence}: too long to nudge")
        params = {"started_at": conv.started_at, "plate": conv.plate}
        return Send([Message.of(conv.contact, KEY_REPORT_NUDGE, params)])


# --- maintenance --------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the 31st becomes the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_maintenance(
    term: PolicyTerm, after: datetime, config: SchedulerConfig
) -> TimerSpec | None:
    """The policy's first maintenance reminder due after ``after``; None if none is left
    before the policy ends (or maintenance reminders are off)."""
    every = config.maintenance_every_months
    if every <= 0:
        return None
    local_after = after.astimezone(config.default_tz).date()
    elapsed = (local_after.year - term.valid_from.year) * 12 + (
        local_after.month - term.valid_from.month
    )
    k = max(1, elapsed // every)
    while True:
        day = add_months(term.valid_from, k * every)
        if day > term.valid_to:
            return None
        due = datetime.combine(day, config.maintenance_at, tzinfo=config.default_tz)
        if due > after:
            return TimerSpec(
                MAINTENANCE,
                f"{MAINTENANCE}:{term.number}:{day.isoformat()}",
                due,
                {"policy_number": term.number, "occurrence": day.isoformat()},
                subject=f"{POLICY_SUBJECT_PREFIX}{term.number}",
            )
        k += 1


class MaintenanceScan:
    """Arm the next maintenance reminder of every policy in force that has none pending."""

    def __init__(self, config: SchedulerConfig) -> None:
        self._config = config

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        if self._config.maintenance_every_months <= 0:
            return Skip("maintenance reminders are off")
        after_id = int(timer.payload.get("after_id", 0))
        terms = ctx.uow.reminders.policies_without_timer(
            kind=MAINTENANCE,
            subject_prefix=POLICY_SUBJECT_PREFIX,
            in_force_on=ctx.now.astimezone(self._config.default_tz).date(),
            after_id=after_id,
            limit=self._config.scan_page,
        )
        specs = [s for t in terms if (s := next_maintenance(t, ctx.now, self._config))]
        full = len(terms) == self._config.scan_page
        next_page = {"after_id": terms[-1].id} if full else None
        return arm_page(ctx, timer, specs, full=full, next_page=next_page)


class Maintenance:
    def __init__(self, config: SchedulerConfig) -> None:
        self._config = config

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        if self._config.maintenance_every_months <= 0:
            return Skip("maintenance reminders are off")
        number = str(timer.payload["policy_number"])
        occurrence = date.fromisoformat(timer.payload["occurrence"])
        term = ctx.uow.reminders.policy_term(number)
        if term is None:
            return Skip("the policy is no longer in the directory")
        # Missed occurrences are not replayed: the next one is the first after now.
        following = next_maintenance(term, ctx.now, self._config)
        then = [following] if following is not None else []
        if occurrence > term.valid_to:
            return Skip("the policy ended before this reminder", then)
        owner = ctx.uow.reminders.owner_of_policy(number)
        contact = None if owner is None else ctx.uow.reminders.contact(owner)
        if contact is None:
            return Skip("owner unknown: nobody has chatted about this policy yet", then)
        params = {
            "plate": term.plate,
            "vehicle": term.vehicle,
            "policy_number": term.number,
            "months": self._config.maintenance_every_months,
        }
        return Send([Message.of(contact, KEY_MAINTENANCE, params)], then)


# --- the registry -------------------------------------------------------------------------


def default_registry(config: SchedulerConfig) -> Registry:
    """Today's kinds. Appointment reminders, the shop's morning schedule and claim
    escalations register here when bookings and adjusters land (see docs/deploy.md)."""
    nudge_on = config.nudge_after is not None
    maintenance_on = config.maintenance_every_months > 0
    return Registry(
        [
            TimerKind(
                PUSH,
                fire_push,
                SEND_LATE,
                quiet_hours=True,
                mutable=False,
                summary="a non-urgent message; waits for the recipient's daytime",
            ),
            TimerKind(
                REPORT_NUDGE,
                ReportNudge(config),
                Misfire(config.nudge_max_silence, "dropped beyond the longest silence nudged"),
                quiet_hours=True,
                mutable=True,
                summary="once per unfinished report, after a few hours of silence",
            ),
            TimerKind(
                REPORT_NUDGE_SCAN,
                ReportNudgeScan(config),
                Misfire(None, "runs once, late; then every interval"),
                quiet_hours=False,
                mutable=False,
                recurring=config.nudge_scan_every if nudge_on else None,
                summary="arms the nudges of silent unfinished reports",
            ),
            TimerKind(
                MAINTENANCE,
                Maintenance(config),
                Misfire(None, "sent late, once; missed occurrences are not replayed"),
                quiet_hours=True,
                mutable=True,
                summary="every N months from the policy start, while in force",
            ),
            TimerKind(
                MAINTENANCE_SCAN,
                MaintenanceScan(config),
                Misfire(None, "runs once, late; then every interval"),
                quiet_hours=False,
                mutable=False,
                recurring=config.maintenance_scan_every if maintenance_on else None,
                summary="arms the next maintenance reminder of policies that have none",
            ),
        ]
    )
