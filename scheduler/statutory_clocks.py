"""Pages for the Insurance Law's clocks: the supervisors hear at 80 % and at breach, once each.

The clocks are ``domain.statutory_clocks`` (``CLAIMBOT_CLOCK_*``). Paged: the payment
clock (payment due within 10 days of the owner's agreement, 保险法 第二十三条), and the
decision clock (a proposal or a rejection due within 30 days of complete documents, from
the instant the checklist recorded them complete, ``domain.claim_documents``). A
rejection is told to the owner with its reasons when approved, so its notice clock never
runs.

- ``clock_scan`` (every few minutes) finds claims whose clock runs and whose timers are
  not armed (agreed claims; claims being assessed with complete documents) and arms
  ``clock_warn:<clock>:<number>`` at the warning instant and
  ``clock_breach:<clock>:<number>`` at the due instant.
- Each re-reads the claim when due: paid meanwhile → nothing; not yet at the instant
  (the settings changed) → later; else the supervisors of the claim's region are told.

Operational, like the escalations: quiet hours do not hold them, ``/mute`` does not
silence them; each key is armed once and fires once, late after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from domain.claim import Claim, ClaimStatus
from domain.claim_clocks import clock_events
from domain.claim_documents import DocStep, documents_complete_at
from domain.services import escalation_recipients
from domain.statutory_clocks import (
    ClockKind,
    ClockRules,
    ClockState,
    StatutoryClock,
    claim_clocks,
)
from domain.timers import Timer, TimerSpec
from scheduler.booking import contacts
from scheduler.kinds import (
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

CLOCK_SCAN = "clock_scan"
CLOCK_WARN = "clock_warn"
CLOCK_BREACH = "clock_breach"
KEY_AT_RISK = "rulebook.page.at_risk"
KEY_BREACHED = "rulebook.page.breached"
# The clocks paged: the claim statuses in which each runs, and the timeline action that
# starts it where the status alone does not tell (complete documents, for the decision).
PAGED: dict[ClockKind, tuple[frozenset[ClaimStatus], str | None]] = {
    ClockKind.PAYMENT: (frozenset({ClaimStatus.AGREED}), None),
    ClockKind.DECISION: (
        frozenset({ClaimStatus.ASSIGNED, ClaimStatus.SURVEYING, ClaimStatus.ASSESSED}),
        DocStep.COMPLETE.value,
    ),
}


@dataclass(frozen=True)
class ClockPageConfig:
    rules: ClockRules = field(default_factory=ClockRules)
    default_locale: str = "zh_CN"
    scan_every: timedelta = timedelta(minutes=5)
    scan_page: int = 500


def page_key(step: str, kind: ClockKind, number: str) -> str:
    return f"{step}:{kind.value}:{number}"


def _clock(
    ctx: FireContext, number: str, kind: ClockKind, rules: ClockRules
) -> tuple[Claim, StatutoryClock] | None:
    claim = ctx.uow.claims.get(number)
    if claim is None:
        return None
    events = clock_events(claim, documents_complete_at(claim))
    clock = next((c for c in claim_clocks(events, rules) if c.kind is kind), None)
    return None if clock is None else (claim, clock)


class ClockScan:
    def __init__(self, config: ClockPageConfig) -> None:
        self._config = config

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        queries = ctx.uow.clock_queries
        specs: list[TimerSpec] = []
        full = False
        for kind, (statuses, started_by) in PAGED.items():
            prefix = page_key(CLOCK_BREACH, kind, "")
            numbers = queries.unarmed(statuses, prefix, self._config.scan_page, started_by)
            full = full or len(numbers) == self._config.scan_page
            for number in numbers:
                found = _clock(ctx, number, kind, self._config.rules)
                if found is None:
                    continue
                clock = found[1]
                payload = {"number": number, "clock": kind.value}
                specs += [
                    TimerSpec(step, page_key(step, kind, number), at, payload, f"claim:{number}")
                    for step, at in ((CLOCK_WARN, clock.warn_at), (CLOCK_BREACH, clock.due_at))
                ]
        return arm_page(ctx, timer, specs, full=full)


class ClockPage:
    """The page at 80 % (``at_risk``) or at the due instant (``breached``)."""

    def __init__(self, config: ClockPageConfig, state: ClockState) -> None:
        self._config = config
        self._state = state

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        number = str(timer.payload["number"])
        kind = ClockKind(str(timer.payload["clock"]))
        found = _clock(ctx, number, kind, self._config.rules)
        if found is None:
            return Skip("the claim or its clock is gone")
        claim, clock = found
        if not clock.running:
            return Skip(f"done at {clock.stopped_at}")
        instant = clock.warn_at if self._state is ClockState.AT_RISK else clock.due_at
        if ctx.now < instant:
            return Defer(instant, "the clock's instant is later now")
        if self._state is ClockState.AT_RISK and clock.state(ctx.now) is ClockState.BREACHED:
            return Skip("already due: the breach page says more")
        params = {
            "number": number,
            "plate": claim.report.plate or "",
            "clock": kind.value,
            "started_at": clock.started_at.isoformat(),
            "due_at": clock.due_at.isoformat(),
            "days": (clock.due_at - clock.started_at).days,
        }
        key = KEY_AT_RISK if self._state is ClockState.AT_RISK else KEY_BREACHED
        messages = [
            Message.of(contact, key, params)
            for supervisor in escalation_recipients(ctx.uow, claim)
            if supervisor.party_id is not None
            for contact in contacts(ctx.uow, supervisor.party_id, self._config.default_locale)
        ]
        if not messages:
            return Skip("no supervisor is bound to a chat")
        return Send(messages)


def clock_timer_kinds(config: ClockPageConfig) -> list[TimerKind]:
    return [
        TimerKind(
            CLOCK_SCAN,
            ClockScan(config),
            Misfire(None, "runs once, late; then every interval"),
            quiet_hours=False,
            mutable=False,
            recurring=config.scan_every,
            summary="arms the statutory-clock pages of agreed claims",
        ),
        TimerKind(
            CLOCK_WARN,
            ClockPage(config, ClockState.AT_RISK),
            SEND_LATE,
            quiet_hours=False,
            mutable=False,
            summary="a statutory clock at 80 %: tell the supervisors",
        ),
        TimerKind(
            CLOCK_BREACH,
            ClockPage(config, ClockState.BREACHED),
            SEND_LATE,
            quiet_hours=False,
            mutable=False,
            summary="a statutory clock due and not met: tell the supervisors",
        ),
    ]
