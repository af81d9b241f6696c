"""Handoffs nobody answers: the supervisors are told.

``handoff_sla_scan`` (every minute) finds open handoffs (an owner waiting for a person,
``dialogs/human.py``) with no staff reply after ``CLAIMBOT_HANDOFF_ANSWER_MINUTES`` and
sends each supervisor (every bound adjuster when no supervisor is bound) one notice per
handoff, pointing at the dashboard's queue. Each handoff is paged once (``paged_at``).
Operational, not an owner reminder: quiet hours do not hold it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.handoffs import Handoff
from domain.timers import Timer
from scheduler.booking import contacts
from scheduler.kinds import FireContext, Message, Misfire, Outcome, Send, Skip, TimerKind

HANDOFF_SLA_SCAN = "handoff_sla_scan"
KEY_UNANSWERED = "escalation.handoff"


@dataclass(frozen=True)
class HandoffSlaConfig:
    answer_within: timedelta = timedelta(minutes=10)
    default_locale: str = "zh_CN"
    scan_every: timedelta = timedelta(minutes=1)


class HandoffSlaScan:
    def __init__(self, config: HandoffSlaConfig) -> None:
        self._config = config

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        late = ctx.uow.handoffs.unanswered(ctx.now - self._config.answer_within)
        if not late:
            return Skip("every handoff is answered or still within its time")
        adjusters = ctx.uow.staff.adjusters()
        to = [a for a in adjusters if a.supervisor] or adjusters
        messages = [
            Message.of(contact, KEY_UNANSWERED, self._params(ctx, handoff))
            for handoff in late
            for adjuster in to
            if adjuster.party_id is not None
            for contact in contacts(ctx.uow, adjuster.party_id, self._config.default_locale)
        ]
        for handoff in late:
            ctx.uow.handoffs.mark_paged(handoff.id, ctx.now)
        return Send(messages)

    def _params(self, ctx: FireContext, handoff: Handoff) -> dict[str, object]:
        said = [m.text for m in handoff.messages if m.from_owner]
        return {
            "channel": handoff.channel,
            "minutes": int((ctx.now - handoff.opened_at).total_seconds() // 60),
            "last": said[-1][:100] if said else None,
            "reason": handoff.reason,
        }


def handoff_timer_kinds(config: HandoffSlaConfig) -> list[TimerKind]:
    return [
        TimerKind(
            HANDOFF_SLA_SCAN,
            HandoffSlaScan(config),
            Misfire(None, "runs once, late; then every interval"),
            quiet_hours=False,
            mutable=False,
            recurring=config.scan_every,
            summary="tells the supervisors of owners waiting for a person nobody answered",
        )
    ]
