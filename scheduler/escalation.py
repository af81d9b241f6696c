"""Escalation of claims nobody took: re-page the adjusters, then tell the supervisors.

The response-time promise is ``domain.sla`` (``CLAIMBOT_SLA_*``): a claim still untaken
at its re-page deadline is paged again to the adjusters who were paged when it was filed;
at its escalation deadline it goes to the supervisor list. Urgent claims (injuries,
rescue) have their own, shorter deadlines.

- ``claim_sla_scan`` (every minute) finds reported claims without an adjuster whose
  timers are not armed yet and arms both, keyed ``claim_repage:<number>`` and
  ``claim_escalate:<number>``. The claim is filed in the report dialog's transaction,
  which this feature does not reach into; the sweep arms the timers within a minute,
  long before the shortest deadline, and a sweep missed while the process was down
  catches up on start.
- ``claim_repage`` and ``claim_escalate`` re-read the claim when due and send nothing
  once it is taken, withdrawn or closed. A re-page that comes due together with (or
  after) the escalation is dropped: the escalation says more.

Both are operational, not owner reminders: quiet hours do not hold them and ``/mute``
does not silence them. Each fires once (its key is added once, and the runner fires a
timer once); a restart fires an overdue one late, once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from domain.claim import Action, Claim, ClaimStatus
from domain.geo import place_fields
from domain.scheduler_ports import UntakenClaim
from domain.services import adjusters_to_page, escalation_recipients
from domain.sla import SlaPolicy, SlaState, take_sla_state
from domain.staff import Adjuster, pick_region_adjusters
from domain.timers import Timer, TimerSpec
from messages.choices import ClaimAction, ClaimChoice
from messages.outbound import Choice, Outbound
from scheduler.booking import contacts
from scheduler.kinds import (
    EXPIRES_AT,
    SEND_LATE,
    Defer,
    FireContext,
    Message,
    Misfire,
    Outcome,
    Send,
    Skip,
    TimerKind,
    arm_page,
)

log = logging.getLogger(__name__)

CLAIM_SLA_SCAN = "claim_sla_scan"
CLAIM_REPAGE = "claim_repage"
CLAIM_ESCALATE = "claim_escalate"
REPAGE_KEY_PREFIX = f"{CLAIM_REPAGE}:"
ESCALATE_KEY_PREFIX = f"{CLAIM_ESCALATE}:"

# The message keys (locales/*/escalation.yaml); the take button is the handoff card's.
KEY_REPAGE = "escalation.repage"
KEY_SUPERVISOR = "escalation.supervisor"
TAKE_LABEL = "claims.choice.take"


@dataclass(frozen=True)
class EscalationConfig:
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    default_locale: str = "zh_CN"
    scan_every: timedelta = timedelta(minutes=1)
    scan_page: int = 500  # claims armed per transaction


def claim_subject(number: str) -> str:
    return f"claim:{number}"


def escalation_timers(claim: UntakenClaim, sla: SlaPolicy) -> list[TimerSpec]:
    """The re-page and the escalation of an untaken claim, at its SLA deadlines."""
    deadlines = sla.deadlines(claim.urgent)
    escalate_at = claim.reported_at + deadlines.escalate_after
    subject = claim_subject(claim.number)
    repage = {"number": claim.number, EXPIRES_AT: escalate_at.isoformat()}
    return [
        TimerSpec(
            CLAIM_REPAGE,
            f"{REPAGE_KEY_PREFIX}{claim.number}",
            claim.reported_at + deadlines.repage_after,
            repage,
            subject,
        ),
        TimerSpec(
            CLAIM_ESCALATE,
            f"{ESCALATE_KEY_PREFIX}{claim.number}",
            escalate_at,
            {"number": claim.number},
            subject,
        ),
    ]


class ClaimSlaScan:
    """Arm the SLA timers of every untaken claim that has none yet."""

    def __init__(self, config: EscalationConfig) -> None:
        self._config = config

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        queries = ctx.uow.escalation_queries
        untaken = queries.untaken_unarmed(ESCALATE_KEY_PREFIX, self._config.scan_page)
        specs = [spec for claim in untaken for spec in escalation_timers(claim, self._config.sla)]
        return arm_page(ctx, timer, specs, full=len(untaken) == self._config.scan_page)


class _ClaimStep:
    """What the re-page and the escalation share: the claim, if still untaken, its card."""

    def __init__(self, config: EscalationConfig) -> None:
        self._config = config

    def _untaken(self, ctx: FireContext, timer: Timer) -> Claim | None:
        claim = ctx.uow.claims.get_for_update(str(timer.payload["number"]))
        if claim is None or claim.adjuster_id is not None:
            return None
        return claim if claim.status is ClaimStatus.REPORTED else None

    def _record(
        self, ctx: FireContext, claim: Claim, action: Action, told: Sequence[Adjuster]
    ) -> None:
        """The step on the claim's timeline (the dashboard's "who, when, why")."""
        claim.record_sla_step(action, ctx.now, ", ".join(a.code for a in told))
        ctx.uow.claims.save(claim)

    def _state(self, ctx: FireContext, claim: Claim) -> SlaState:
        return take_sla_state(
            self._config.sla,
            urgent=claim.urgent,
            reported_at=claim.reported_at,
            taken_at=None,
            now=ctx.now,
        )

    def _params(self, ctx: FireContext, claim: Claim) -> dict[str, object]:
        report = claim.report
        return {
            "number": claim.number,
            "plate": report.plate or "",
            "urgent": claim.urgent,
            "injuries": bool(report.injuries),
            "rescue": bool(report.rescue_requested),
            "reported_at": claim.reported_at.isoformat(),
            "minutes": int((ctx.now - claim.reported_at).total_seconds() // 60),
            **place_fields(report.address, report.location),
        }

    def _messages(
        self, ctx: FireContext, to: Sequence[Adjuster], key: str, params: dict[str, object]
    ) -> list[Message]:
        number = str(params["number"])
        value = ClaimChoice(ClaimAction.TAKE, number).encode()
        take = Choice(value, TAKE_LABEL, {"number": number})
        payload = Outbound(key, params, (take,)).to_payload()
        return [
            Message(contact, payload)
            for adjuster in to
            if adjuster.party_id is not None
            for contact in contacts(ctx.uow, adjuster.party_id, self._config.default_locale)
        ]


class ClaimRepage(_ClaimStep):
    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        claim = self._untaken(ctx, timer)
        if claim is None:
            return Skip("taken, withdrawn or closed before the re-page")
        if self._state(ctx, claim) is SlaState.ON_TIME:  # deadlines are configuration
            after = self._config.sla.deadlines(claim.urgent).repage_after
            return Defer(claim.reported_at + after, "the re-page deadline is later now")
        paged = adjusters_to_page(ctx.uow, claim)
        messages = self._messages(ctx, paged, KEY_REPAGE, self._params(ctx, claim))
        if not messages:
            return Skip("no bound adjuster to page again")
        self._record(ctx, claim, Action.REPAGE, paged)
        return Send(messages)


class ClaimEscalation(_ClaimStep):
    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        claim = self._untaken(ctx, timer)
        if claim is None:
            return Skip("taken, withdrawn or closed before the escalation")
        deadlines = self._config.sla.deadlines(claim.urgent)
        if self._state(ctx, claim) is not SlaState.BREACHED:
            after = deadlines.escalate_after
            return Defer(claim.reported_at + after, "the escalation deadline is later now")
        supervisors = escalation_recipients(ctx.uow, claim)
        fallback = not supervisors
        if fallback:
            log.warning(
                "claim %s escalated to every bound adjuster: no supervisor is bound", claim.number
            )
            supervisors = pick_region_adjusters(ctx.uow.staff.adjusters(), None, claim.owner_id)
        params = {
            **self._params(ctx, claim),
            "limit": int(deadlines.escalate_after.total_seconds() // 60),
            "paged": [a.name for a in adjusters_to_page(ctx.uow, claim)],
            "fallback": fallback,
        }
        messages = self._messages(ctx, supervisors, KEY_SUPERVISOR, params)
        if not messages:
            log.error("claim %s not escalated: no supervisor or adjuster is bound", claim.number)
            return Skip("nobody to escalate to: no supervisor or adjuster is bound")
        self._record(ctx, claim, Action.ESCALATE, supervisors)
        return Send(messages)


def escalation_timer_kinds(config: EscalationConfig) -> list[TimerKind]:
    return [
        TimerKind(
            CLAIM_SLA_SCAN,
            ClaimSlaScan(config),
            Misfire(None, "runs once, late; then every interval"),
            quiet_hours=False,
            mutable=False,
            recurring=config.scan_every,
            summary="arms the re-page and escalation timers of untaken claims",
        ),
        TimerKind(
            CLAIM_REPAGE,
            ClaimRepage(config),
            Misfire(None, "sent late; dropped once the escalation is due"),
            quiet_hours=False,
            mutable=False,
            summary="a claim still untaken at its re-page deadline: page the adjusters again",
        ),
        TimerKind(
            CLAIM_ESCALATE,
            ClaimEscalation(config),
            SEND_LATE,
            quiet_hours=False,
            mutable=False,
            summary="a claim still untaken at its escalation deadline: tell the supervisors",
        ),
    ]
