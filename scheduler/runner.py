"""The timer runner: claim due timers, fire them, reap stale claims.

Exactly once, by construction:

1. **Claim** (one short transaction): due ``pending`` rows become ``firing`` under a claim
   token unique to this claim (PostgreSQL ``FOR UPDATE SKIP LOCKED``: two workers never
   claim one row; SQLite: one ``UPDATE .. RETURNING`` under ``BEGIN IMMEDIATE``).
2. **Fire** (one transaction per chunk): for each timer, ``hold`` re-checks that the claim
   is still ours (and on PostgreSQL locks the row until commit), the handler decides, and
   the outbox rows, the timer's new status and its follow-up timers commit together.
   Nothing is written for a timer whose claim was lost (reaped and taken by someone else,
   cancelled, re-armed), so a slow worker cannot fire a timer a second time.
3. **Reap**: a claim older than ``stale_after`` (its worker died between 1 and 2) goes
   back to ``pending`` and is fired by whoever claims it next.

A crash anywhere therefore either leaves the timer pending/firing (it fires later, once)
or commits it fired with its messages. The outbox rows carry the idempotency key
``timer:<id>:<fire number>:<n>``, a second guard. Delivery of those rows is the outbox
dispatcher's business (at least once; see scheduler/dispatcher.py).

Every worker may run this loop at once: the claim is the only coordination needed, and
the periodic sweeps are timers themselves (one row each), so each run of a sweep happens
on one worker. No leader is elected.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.clock import Clock
from domain.outbox import OutboxItem
from domain.scheduler_ports import SchedulerDatabase, SchedulerUnitOfWork
from domain.timers import DROPPED, FAILED, FIRED, Timer, TimerSpec
from scheduler.config import SchedulerConfig
from scheduler.kinds import Defer, FireContext, Registry, Send, Skip, TimerKind

log = logging.getLogger(__name__)

UNKNOWN_KIND_RETRY = timedelta(minutes=5)
MIN_DEFER = timedelta(seconds=1)
RETRY_BACKOFF = (10, 60, 300, 900, 3600)  # seconds, by attempt


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class TimerRunner:
    def __init__(
        self,
        database: SchedulerDatabase,
        registry: Registry,
        clock: Clock,
        config: SchedulerConfig,
        *,
        worker: str | None = None,
    ) -> None:
        self._database = database
        self._registry = registry
        self._clock = clock
        self._config = config
        # A random suffix: a restarted process that reuses a pid never owns old claims.
        self.worker = f"{worker or default_worker_name()}/{uuid.uuid4().hex[:6]}"
        self._claims = itertools.count(1)
        self._listeners: list[Callable[[], None]] = []
        self._last_reap = float("-inf")

    @property
    def config(self) -> SchedulerConfig:
        return self._config

    @property
    def registry(self) -> Registry:
        return self._registry

    def on_outbox(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after a transaction that wrote outbox rows (wakes the dispatcher)."""
        self._listeners.append(listener)

    # --- start-up ---------------------------------------------------------------------

    def ensure_recurring(self) -> int:
        """Arm each recurring sweep unless it is pending already; returns how many were armed."""
        now = self._clock.now()
        armed = 0
        with self._database.unit_of_work() as uow:
            for kind in self._registry:
                if kind.recurring is not None:
                    spec = TimerSpec(kind.name, kind.sweep_key, now, {})
                    armed += uow.timers.ensure(spec, now)
            uow.commit()
        return armed

    # --- the loop's steps -------------------------------------------------------------

    def run_due(self) -> int:
        """Reap if it is time, then claim and fire until nothing is due; timers handled."""
        if time.monotonic() - self._last_reap >= self._config.reap_every.total_seconds():
            self.reap()
        handled = 0
        while True:  # until a claim comes back empty: a sweep may arm timers already due
            timers = self._claim()
            if not timers:
                return handled
            for start in range(0, len(timers), self._config.chunk):
                began = time.monotonic()
                self._fire_chunk(timers[start : start + self._config.chunk])
                if self._database.is_sqlite:  # at most half of the time holding the lock
                    held = time.monotonic() - began
                    time.sleep(max(held, self._config.sqlite_pause.total_seconds()))
            handled += len(timers)

    def next_due(self) -> datetime | None:
        with self._database.unit_of_work() as uow:
            return uow.timers.next_due()

    def reap(self) -> int:
        self._last_reap = time.monotonic()
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            released = uow.timers.release_stale(now - self._config.stale_after)
            uow.commit()
        if released:
            log.warning("released %d stale timer claim(s)", released)
        return released

    # --- claiming and firing ----------------------------------------------------------

    def _claim(self) -> list[Timer]:
        token = f"{self.worker}#{next(self._claims)}"
        with self._database.unit_of_work() as uow:
            timers = uow.timers.claim_due(token, self._clock.now(), self._config.batch)
            uow.commit()
        return timers

    def _fire_chunk(self, timers: Sequence[Timer]) -> None:
        written = 0
        try:
            with self._database.unit_of_work() as uow:
                now = self._clock.now()
                written = self._fire_all(uow, timers, now)
                uow.commit()
        except Exception:
            log.exception("firing %d timer(s) failed; firing them one by one", len(timers))
            written = sum(self._fire_alone(timer) for timer in timers)
        if written:
            for listener in self._listeners:
                listener()

    def _fire_alone(self, timer: Timer) -> int:
        try:
            with self._database.unit_of_work() as uow:
                written = self._fire_all(uow, [timer], self._clock.now())
                uow.commit()
            return written
        except Exception as exc:
            log.exception("timer %s (%s) failed", timer.id, timer.key)
            self._failed(timer, f"{type(exc).__name__}: {exc}")
            return 0

    def _fire_all(self, uow: SchedulerUnitOfWork, timers: Sequence[Timer], now: datetime) -> int:
        """Fire claimed timers inside ``uow``; returns the number of outbox rows written.

        Writes are gathered and applied in this order: the outbox rows, the timers'
        final states, then the follow-up timers (a follow-up may re-arm a key finished
        just before, e.g. a sweep's own).
        """
        held = uow.timers.hold_many(timers, now)
        batch = _Batch()
        for timer in timers:
            if timer.id in held:
                self._fire(uow, timer, now, batch)
            else:
                log.info("timer %s (%s): claim lost, not fired here", timer.id, timer.key)
        items = uow.with_status_links(batch.items, self._config.status_base_url)
        written = uow.outbox.add(items, now)
        uow.timers.fired(batch.fired, now)
        for timer, status, outcome in batch.finished:
            uow.timers.finish(timer, status, now, outcome)
        for spec in batch.then:
            uow.timers.set(spec, now)
        return written

    def _failed(self, timer: Timer, error: str) -> None:
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            if not uow.timers.hold(timer, now):
                return
            if timer.attempts >= self._config.max_attempts:
                log.error("timer %s (%s) given up: %s", timer.id, timer.key, error)
                uow.timers.finish(timer, FAILED, now, error)
            else:
                backoff = RETRY_BACKOFF[min(timer.attempts, len(RETRY_BACKOFF)) - 1]
                until = now + timedelta(seconds=backoff)
                uow.timers.defer(timer, until, now, error, count_attempt=True)
            uow.commit()

    def _fire(self, uow: SchedulerUnitOfWork, timer: Timer, now: datetime, batch: _Batch) -> None:
        """Decide one held timer; deferrals are written at once, the rest go to ``batch``."""
        kind = self._registry.get(timer.kind)
        if kind is None:
            reason = f"unknown kind {timer.kind!r} on this worker"
            uow.timers.defer(timer, now + UNKNOWN_KIND_RETRY, now, reason)
            return
        late = kind.misfire.drop_reason(timer, now)
        if late is not None:
            batch.finish(timer, DROPPED, late, self._follow_ups(kind, timer, now, ()))
            return
        outcome = kind.handler(FireContext(uow, now, self._config), timer)
        if isinstance(outcome, Defer):  # never into the past: that would spin the loop
            until = max(outcome.until, now + MIN_DEFER)
            uow.timers.defer(timer, until, now, outcome.reason)
            return
        if isinstance(outcome, Skip):
            then = self._follow_ups(kind, timer, now, outcome.then)
            batch.finish(timer, DROPPED, outcome.reason, then)
            return
        if not isinstance(outcome, Send):
            raise TypeError(f"handler of {kind.name!r} returned {outcome!r}")
        self._send(uow, kind, timer, outcome, now, batch)

    def _send(
        self,
        uow: SchedulerUnitOfWork,
        kind: TimerKind,
        timer: Timer,
        outcome: Send,
        now: datetime,
        batch: _Batch,
    ) -> None:
        messages = list(outcome.messages)
        muted = [m for m in messages if kind.mutable and m.to.muted]
        messages = [m for m in messages if not (kind.mutable and m.to.muted)]
        quiet = self._config.quiet_hours
        if kind.quiet_hours and quiet is not None and messages:
            ctx = FireContext(uow, now, self._config)
            ends = [q for m in messages if (q := quiet.quiet_until(now, ctx.tz(m.to)))]
            if ends:
                uow.timers.defer(timer, max(ends), now, "quiet hours")
                return
        fire_number = timer.fires + 1
        batch.items.extend(
            OutboxItem(
                channel=m.to.channel,
                chat_id=m.to.chat_id,
                locale=m.to.locale,
                payload=dict(m.payload),
                idempotency_key=f"timer:{timer.id}:{fire_number}:{index}",
                party_id=m.to.party_id,
            )
            for index, m in enumerate(messages)
        )
        then = self._follow_ups(kind, timer, now, outcome.then)
        if muted and not messages:
            batch.finish(timer, DROPPED, "muted", then)
        elif muted:
            batch.finish(timer, FIRED, f"muted: {len(muted)} recipient(s)", then)
        else:
            batch.fired.append(timer.id)
            batch.then.extend(then)

    def _follow_ups(
        self, kind: TimerKind, timer: Timer, now: datetime, then: Sequence[TimerSpec]
    ) -> list[TimerSpec]:
        """The handler's follow-ups, after a recurring sweep's own re-arm (so they win)."""
        specs = []
        if kind.recurring is not None and timer.key == kind.sweep_key:
            specs.append(TimerSpec(kind.name, timer.key, now + kind.recurring, {}))
        return [*specs, *then]


@dataclass
class _Batch:
    """The writes of one chunk of timers, applied together at its end."""

    items: list[OutboxItem] = field(default_factory=list)
    fired: list[int] = field(default_factory=list)  # fired, nothing to note
    finished: list[tuple[Timer, str, str | None]] = field(default_factory=list)
    then: list[TimerSpec] = field(default_factory=list)

    def finish(
        self, timer: Timer, status: str, outcome: str | None, then: Sequence[TimerSpec]
    ) -> None:
        self.finished.append((timer, status, outcome))
        self.then.extend(then)
