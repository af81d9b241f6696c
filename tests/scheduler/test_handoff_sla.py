"""An owner waiting for a person nobody answers: the supervisors are told, once; nothing
once staff have replied or the handoff is closed."""

from __future__ import annotations

from datetime import timedelta

from bot.bootstrap import Container
from scheduler.handoff_sla import HandoffSlaConfig, handoff_timer_kinds
from scheduler.kinds import Registry
from scheduler.runner import TimerRunner
from tests.engine_harness import Owner
from tests.fakes import FixedClock
from tests.scheduler.helpers import config, outbox

SUPERVISOR = ("telegram", "900002")  # 赵主管, SUP-SH-01 in the sample directory


def runner(container: Container, clock: FixedClock) -> TimerRunner:
    kinds = handoff_timer_kinds(HandoffSlaConfig(timedelta(minutes=10)))
    run = TimerRunner(container.database, Registry(kinds), clock, config(), worker="test")
    run.ensure_recurring()
    return run


def paged(container: Container) -> list[str]:
    return [
        container.catalogs.render(row.locale, row.payload["key"], row.payload["params"])
        for row in outbox(container.database)
        if row.payload["key"] == "escalation.handoff" and (row.channel, row.chat_id) == SUPERVISOR
    ]


def test_an_unanswered_handoff_is_told_to_the_supervisors_once(
    container: Container, clock: FixedClock
) -> None:
    owner = Owner(container)
    owner.text("人工客服")
    owner.text("我在高速上，车动不了")
    run = runner(container, clock)
    clock.advance(timedelta(minutes=5))
    run.run_due()
    assert paged(container) == []  # still within its time
    clock.advance(timedelta(minutes=6))
    run.run_due()
    (notice,) = paged(container)
    assert "已等待 11分钟" in notice and "我在高速上，车动不了" in notice
    clock.advance(timedelta(minutes=5))
    run.run_due()
    assert len(paged(container)) == 1  # once


def test_an_answered_or_ended_handoff_is_not_paged(container: Container, clock: FixedClock) -> None:
    owner = Owner(container)
    owner.text("转人工")
    owner.text("结束人工")
    run = runner(container, clock)
    clock.advance(timedelta(minutes=30))
    run.run_due()
    assert paged(container) == []
