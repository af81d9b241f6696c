"""The scheduler service in real time: APScheduler wakes the runner; timers fire on time.

These are the only scheduler tests that wait for the wall clock (well under a second).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from domain.clock import SystemClock
from scheduler.kinds import FireContext, Outcome, Send, TimerKind
from scheduler.service import WAKE_JOB_ID, SchedulerService
from storage.db import Database
from storage.repositories.timers import Timer, TimerSpec
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.prometheus import prometheus_figures
from tests.scheduler.helpers import bare_runner, config


def test_timers_fire_at_their_due_time_and_the_service_stops(sqlite_database: Database) -> None:
    fired: dict[str, float] = {}

    def note(ctx: FireContext, timer: Timer) -> Outcome:
        fired[timer.key] = time.time()
        return Send()

    clock = SystemClock()
    runner = bare_runner(
        sqlite_database,
        clock,
        [TimerKind("note", note, quiet_hours=False)],
        config(poll=timedelta(seconds=0.2)),
    )
    service = SchedulerService(runner, clock)

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(service.run(stop))
        await asyncio.sleep(0.1)
        due = datetime.now(UTC) + timedelta(seconds=0.4)
        with sqlite_database.unit_of_work() as uow:  # armed by "another process"
            uow.timers.add(TimerSpec("note", "soon", due))
            uow.timers.add(TimerSpec("note", "past", datetime.now(UTC) - timedelta(hours=1)))
            uow.commit()
        service.poke()
        await asyncio.sleep(0.8)
        stop.set()
        await asyncio.wait_for(task, timeout=5)
        lag = fired["soon"] - due.timestamp()
        assert 0 <= lag < 0.15, lag  # slept until the due time, not until the next poll

    asyncio.run(scenario())
    assert set(fired) == {"past", "soon"}
    assert service.rounds >= 2


def test_the_wake_job_is_the_only_apscheduler_job() -> None:
    assert WAKE_JOB_ID == "claimbot-timer-wake"  # APScheduler holds no reminder at all


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", FixedClock())
    import_sample(built)
    yield built
    built.close()


def test_metrics_show_the_outbox_backlog_and_the_oldest_due_timer(container: Container) -> None:
    now = container.clock.now()
    with container.database.unit_of_work() as uow:
        uow.timers.add(TimerSpec("from_a_newer_worker", "x", now - timedelta(minutes=3)), now)
        uow.commit()
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as http:
        assert http.get("/health").json() == {"status": "ok"}
        deadline = time.monotonic() + 10
        while True:  # the sweeps armed at start-up have run
            data = prometheus_figures(http.get("/metrics").text)
            settled = data["claimbot_timers_due"] == data["claimbot_timers_firing"] == 0
            if settled or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    # The unknown kind was put back five minutes later; the sweeps ran and re-armed.
    assert data["claimbot_timers_due"] == 0
    assert data["claimbot_timer_lag_seconds"] == 0
    assert data["claimbot_timers_firing"] == data["claimbot_timers_failed"] == 0
    assert data["claimbot_outbox_backlog"] == data["claimbot_outbox_failed"] == 0
    assert data["claimbot_outbox_oldest_due_age_seconds"] == 0
    with container.database.unit_of_work() as uow:
        uow.outbox.add([], now)
        uow.timers.set(TimerSpec("from_a_newer_worker", "x", now - timedelta(minutes=3)), now)
        uow.commit()
    from scheduler.health import metrics

    snapshot = metrics(container.database, now)
    assert snapshot["timers"]["due"] == 1
    assert snapshot["timers"]["oldest_due_age_seconds"] == 180.0
