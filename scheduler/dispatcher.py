"""The outbox dispatcher: claim due rows, send them through the channel senders, mark them.

At least once overall, at most once per idempotency key in the normal course: a row is
marked sent right after its send returns. A crash between the send and the mark leaves
the row claimed; the stale-claim reaper hands it back after `stale_after`, and it is
sent again (documented in docs/decisions.md). Each chat's rows go out one at a time in
id order, paced per chat and per channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from domain.clock import Clock
from storage.db import Database
from storage.records import OutboxRow

log = logging.getLogger(__name__)

BACKOFF = (1, 2, 5, 15, 60, 300, 900)  # seconds, by attempt


@dataclass(frozen=True)
class Sent:
    pass


@dataclass(frozen=True)
class Retry:
    """A transient failure (rate limit, 5xx, network): try again later."""

    error: str
    after: float | None = None  # seconds; None → the backoff schedule


@dataclass(frozen=True)
class Failed:
    """A permanent failure (the user blocked the bot, a malformed message)."""

    error: str


SendResult = Sent | Retry | Failed


class ChannelSender(Protocol):
    channel: str

    async def send(self, row: OutboxRow) -> SendResult: ...


@dataclass(frozen=True)
class Pacing:
    per_chat_interval: float = 0.0  # seconds between two messages to one chat
    per_second: float = 0.0  # messages per second on the whole channel; 0 = no limit


class _RateLimiter:
    """Spaces sends: per chat by an interval, per channel by a steady rate."""

    def __init__(self, pacing: Pacing) -> None:
        self._pacing = pacing
        self._chat_ready: dict[str, float] = defaultdict(float)
        self._channel_ready = 0.0
        self._lock = asyncio.Lock()

    async def wait(self, chat_id: str) -> None:
        delay = self._chat_ready[chat_id] - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if self._pacing.per_second > 0:
            async with self._lock:
                now = time.monotonic()
                slot = max(now, self._channel_ready)
                self._channel_ready = slot + 1.0 / self._pacing.per_second
            if slot > now:
                await asyncio.sleep(slot - now)
        self._chat_ready[chat_id] = time.monotonic() + self._pacing.per_chat_interval


class OutboxDispatcher:
    def __init__(
        self,
        database: Database,
        senders: Sequence[ChannelSender],
        clock: Clock,
        *,
        worker: str,
        pacing: Mapping[str, Pacing] | None = None,
        batch: int = 100,
        max_attempts: int = 8,
        stale_after: timedelta = timedelta(minutes=5),
    ) -> None:
        self._database = database
        self._senders = {sender.channel: sender for sender in senders}
        self._clock = clock
        self._worker = worker
        self._limiters = {
            channel: _RateLimiter((pacing or {}).get(channel, Pacing()))
            for channel in self._senders
        }
        self._batch = batch
        self._max_attempts = max_attempts
        self._stale_after = stale_after

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self._senders)

    async def dispatch_once(self) -> int:
        """Claim what is due on every channel and send it all; the number of rows handled."""
        handled = 0
        for sender in self._senders.values():
            chats = await self._claim_chats(sender.channel)
            await asyncio.gather(*(self._send_chat(sender, rows) for rows in chats))
            handled += sum(len(rows) for rows in chats)
        return handled

    async def run(
        self,
        stop: asyncio.Event,
        wake: asyncio.Event,
        *,
        idle: float = 1.0,
        max_chats: int = 500,
        stop_grace: float = 5.0,
    ) -> None:
        """Dispatch until `stop` is set.

        Each claimed chat is sent by its own task, so a chat waiting for its pacing (one
        message a second on Telegram) or a slow API call holds back only itself: the loop
        goes on claiming as soon as it is woken (a new outbox row, a chat finished). A
        chat is never claimed twice at once (the claim skips chats with a row in flight),
        and at most `max_chats` chats are in flight. On stop, what was not yet sent is
        handed back.
        """
        in_flight: set[asyncio.Task[None]] = set()
        last_reap = 0.0
        while not stop.is_set():
            wake.clear()  # before the round: a wake-up during it is not lost
            claimed = 0
            try:
                if time.monotonic() - last_reap > 60:
                    await asyncio.to_thread(self.release_stale)
                    last_reap = time.monotonic()
                for sender in self._senders.values():
                    room = max_chats - len(in_flight)
                    if room <= 0:
                        break
                    for rows in (await self._claim_chats(sender.channel))[:room]:
                        claimed += len(rows)
                        task = asyncio.create_task(self._send_chat(sender, rows))
                        in_flight.add(task)
                        task.add_done_callback(in_flight.discard)
                        task.add_done_callback(lambda _: wake.set())
            except Exception:
                log.exception("outbox dispatch failed; retrying")
            if claimed and len(in_flight) < max_chats:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=idle)
        if in_flight:  # let chats finish what they are sending, then hand back the rest
            _, unfinished = await asyncio.wait(set(in_flight), timeout=stop_grace)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)

    async def _claim_chats(self, channel: str) -> list[list[OutboxRow]]:
        """Claim due rows of one channel, grouped by chat in id order."""
        rows = await asyncio.to_thread(self._claim, channel)
        chats: dict[str, list[OutboxRow]] = defaultdict(list)
        for row in rows:
            chats[row.chat_id].append(row)
        return list(chats.values())

    def release_stale(self) -> int:
        with self._database.unit_of_work() as uow:
            released = uow.outbox.release_stale(self._clock.now() - self._stale_after)
            uow.commit()
        return released

    async def _send_chat(self, sender: ChannelSender, rows: list[OutboxRow]) -> None:
        limiter = self._limiters[sender.channel]
        settled = 0  # rows before this index are sent or failed; the rest may be handed back
        try:
            for index, row in enumerate(rows):
                await limiter.wait(row.chat_id)
                try:
                    result = await sender.send(row)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # a sender bug must not lose the row
                    log.exception("sender %s raised on outbox row %s", sender.channel, row.id)
                    result = Retry(f"{type(exc).__name__}: {exc}")
                if isinstance(result, Sent):
                    settled = index + 1  # the mark's thread finishes even if we are cancelled
                    await asyncio.to_thread(self._mark_sent, row)
                    continue
                settled = len(rows)
                await asyncio.to_thread(self._mark_failed, row, result, rows[index + 1 :])
                return
        except asyncio.CancelledError:
            # Stopping: hand back what is not settled. A row cancelled in the middle of its
            # send may have gone out and will go again: at least once.
            await asyncio.to_thread(self._release, rows[settled:])
            raise

    def _release(self, rows: list[OutboxRow]) -> None:
        with self._database.unit_of_work() as uow:
            uow.outbox.release(r.id for r in rows)
            uow.commit()

    def _claim(self, channel: str) -> list[OutboxRow]:
        with self._database.unit_of_work() as uow:
            rows = uow.outbox.claim_due(channel, self._worker, self._clock.now(), self._batch)
            uow.commit()
        return rows

    def _mark_sent(self, row: OutboxRow) -> None:
        with self._database.unit_of_work() as uow:
            uow.outbox.mark_sent([row.id], self._clock.now())
            uow.commit()

    def _mark_failed(
        self, row: OutboxRow, result: Retry | Failed, untried: list[OutboxRow]
    ) -> None:
        retry_at = None
        if isinstance(result, Retry) and row.attempts < self._max_attempts:
            seconds = result.after or BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
            retry_at = self._clock.now() + timedelta(seconds=seconds)
        if retry_at is None:
            log.error("outbox row %s given up: %s", row.id, result.error)
        with self._database.unit_of_work() as uow:
            uow.outbox.mark_failed(row.id, result.error, retry_at)
            uow.outbox.release(r.id for r in untried)
            uow.commit()
