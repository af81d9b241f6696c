"""The background worker that processes the WeChat inbox.

Rows are claimed from the database (each user's oldest unfinished row, so one user's
messages go in order and several workers can share the inbox), processed in threads
(the engine and the WeChat client are synchronous), and marked done. A transient
failure puts a row back with a delay; rows a crashed worker had claimed are handed back
after ``stale_after``; pending rows left by a stopped process are picked up on start.
The first claim of a message also opens the user's customer-service window
(``bot.channels.wechat.window``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from bot.channels.wechat.window import open_windows
from domain.clock import Clock
from storage.channels.wechat.inbox import InboxRow, WeChatInbox
from storage.db import Database

log = logging.getLogger(__name__)

BACKOFF = (2, 5, 15, 60, 300, 900)  # seconds, by attempt
KEEP_PROCESSED = timedelta(days=3)

Process = Callable[[InboxRow, bool], None]  # (row, last_attempt); raises to retry


class InboxWorker:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        process: Process,
        *,
        worker: str,
        concurrency: int = 4,
        max_attempts: int = len(BACKOFF) + 1,
        stale_after: timedelta = timedelta(minutes=2),
        on_released: Callable[[], None] = lambda: None,
    ) -> None:
        self._database = database
        self._on_released = on_released  # rows kept for a user's return are due again
        self._clock = clock
        self._process = process
        self._worker = worker
        self._concurrency = concurrency
        self._max_attempts = max_attempts
        self._stale_after = stale_after
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New rows were recorded (call from the event loop's thread)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event, *, idle: float = 1.0) -> None:
        """Claim whenever a processing slot is free and something is due: a message is
        not held back until the slowest of an earlier batch is done."""
        last_housekeeping = 0.0
        running: set[asyncio.Task[None]] = set()
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    if time.monotonic() - last_housekeeping > 60:
                        await asyncio.to_thread(self._housekeeping)
                        last_housekeeping = time.monotonic()
                    free = self._concurrency - len(running)
                    claimed = await asyncio.to_thread(self._claim, free) if free > 0 else []
                    if self._start(claimed, running):
                        continue
                except Exception:
                    log.exception("wechat inbox round failed; retrying")
                await self._wait(stop, idle)
        finally:
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    def _start(self, rows: list[InboxRow], running: set[asyncio.Task[None]]) -> int:
        for row in rows:
            task = asyncio.ensure_future(self._handle(row))
            running.add(task)
            task.add_done_callback(self._finished(running))
        return len(rows)

    def _finished(self, running: set[asyncio.Task[None]]) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            running.discard(task)
            self._wake.set()  # a slot is free, and the user's next message may be due
            error = None if task.cancelled() else task.exception()
            if error is not None:  # recording the failure failed: the row is taken back later
                log.error("wechat inbox row not finished", exc_info=error)

        return done

    async def _wait(self, stop: asyncio.Event, idle: float) -> None:
        waiter = asyncio.ensure_future(self._wake.wait())
        stopper = asyncio.ensure_future(stop.wait())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait({waiter, stopper}, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        stopper.cancel()

    async def _handle(self, row: InboxRow) -> None:
        last_attempt = row.attempts >= self._max_attempts
        try:
            await asyncio.to_thread(self._process, row, last_attempt)
        except Exception as exc:
            await asyncio.to_thread(self._failed, row, exc, last_attempt)
            return
        await asyncio.to_thread(self._done, row)

    def _claim(self, limit: int) -> list[InboxRow]:
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            rows = uow.channel_store(WeChatInbox).claim(self._worker, now, limit)
            released = open_windows(uow, rows, now)
            uow.commit()
        if released:
            self._on_released()
        return rows

    def _done(self, row: InboxRow) -> None:
        with self._database.unit_of_work() as uow:
            uow.channel_store(WeChatInbox).mark_done(row.id, self._clock.now())
            uow.commit()

    def _failed(self, row: InboxRow, exc: Exception, last_attempt: bool) -> None:
        error = f"{type(exc).__name__}: {exc}"
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            inbox = uow.channel_store(WeChatInbox)
            if last_attempt:
                log.error("wechat message %s given up: %s", row.dedupe_key, error)
                inbox.mark_failed(row.id, error, now)
            else:
                log.warning("wechat message %s failed, will retry: %s", row.dedupe_key, error)
                delay = BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
                inbox.retry(row.id, error, now + timedelta(seconds=delay))
            uow.commit()

    def _housekeeping(self) -> None:
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            inbox = uow.channel_store(WeChatInbox)
            inbox.release_stale(now - self._stale_after)
            inbox.prune(now - KEEP_PROCESSED)
            uow.commit()
