"""APScheduler wiring: one interval job wakes the timer runner; the timers are in the database.

APScheduler 3.11 keeps its jobs in memory and must not share a job store between
processes, so it holds no reminder at all: its single interval job (``claimbot-timer-wake``)
only sets an event. The loop below then claims and fires what is due, and sleeps until
the earliest pending due time or the next wake-up, whichever comes first. Timers armed by
another process are therefore picked up within one poll interval, timers known in
advance at their due time. A process that dies loses nothing: the next one reads the
same rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from domain.clock import Clock
from scheduler.runner import TimerRunner

log = logging.getLogger(__name__)

WAKE_JOB_ID = "claimbot-timer-wake"
ERROR_PAUSE = 1.0  # seconds to wait after a failed round (database down, ...)


class SchedulerService:
    def __init__(self, runner: TimerRunner, clock: Clock) -> None:
        self.runner = runner
        self._clock = clock
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.rounds = 0  # claim rounds run (tests and /metrics)

    def on_outbox(self, listener: Callable[[], None]) -> None:
        self.runner.on_outbox(listener)

    def poke(self) -> None:
        """Wake the loop now (thread-safe): a timer was armed in this process."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self, stop: asyncio.Event) -> None:
        """Fire timers until ``stop`` is set."""
        self._loop = asyncio.get_running_loop()
        wake = self._wake = asyncio.Event()

        async def tick() -> None:
            wake.set()

        poll = self.runner.config.poll.total_seconds()
        scheduler = AsyncIOScheduler()
        scheduler.add_job(
            tick,
            IntervalTrigger(seconds=poll),
            id=WAKE_JOB_ID,
            replace_existing=True,
            coalesce=True,  # missed ticks collapse into one
            max_instances=1,
            misfire_grace_time=None,  # a late tick still runs (it only sets an event)
        )
        scheduler.start()
        try:
            await self._ensure_recurring(stop)
            while not stop.is_set():
                wake.clear()
                timeout = await self._round()
                await _wait_any(wake, stop, timeout)
        finally:
            scheduler.shutdown(wait=False)
            self._wake = None

    async def _ensure_recurring(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.runner.ensure_recurring)
                return
            except Exception:
                log.exception("arming the recurring sweeps failed; retrying")
                await _wait_any(asyncio.Event(), stop, ERROR_PAUSE)

    async def _round(self) -> float | None:
        """Fire what is due; seconds until the next due timer (None: none pending)."""
        try:
            await asyncio.to_thread(self.runner.run_due)
            next_due = await asyncio.to_thread(self.runner.next_due)
        except Exception:
            log.exception("timer round failed; retrying")
            return ERROR_PAUSE
        finally:
            self.rounds += 1
        if next_due is None:
            return None
        return max(0.0, (next_due - self._clock.now()).total_seconds())


async def _wait_any(wake: asyncio.Event, stop: asyncio.Event, timeout: float | None) -> None:
    waiters = {asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())}
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        for waiter in waiters:
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
