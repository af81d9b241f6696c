"""The outbox dispatcher: claim due rows, send them through the channel senders, mark them.

At least once overall, at most once per idempotency key in the normal course. A claim is
a lease, renewed by this worker's heartbeat every ``lease / 4``; rows whose lease lapsed
(their worker died or stalled) go back to the queue within ``lease`` plus one heartbeat,
for this or any worker. A row is sent only while its lease is fresh (confirmed within
``lease / 2``), so a row is never sent by two live workers. A worker killed between a
send and its mark leaves that one row to be sent again (docs/deploy.md §4).

One transaction a round: the rows sent since the last round are marked sent and the due
rows of every channel are claimed together, so under load many turns share one
transaction and one thread hop; the loop is woken by every commit that wrote outbox rows
(and by each finished send), not by a timer. Each chat's rows go out one at a time in id
order, paced per chat and per channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from domain.clock import Clock
from domain.outbox import OutboxRow
from domain.ports import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

BACKOFF = (1, 2, 5, 15, 60, 300, 900)  # seconds, by attempt
MIN_SLEEP = 0.01  # seconds
MARK_WITHIN = 0.5  # seconds: by default, rows sent are marked by then at the latest
Due = datetime | None


@dataclass(frozen=True)
class Sent:
    pass


@dataclass(frozen=True)
class Retry:
    """A transient failure (rate limit, 5xx, network): try again later."""

    error: str
    after: float | None = None  # seconds; None → the backoff schedule
    code: str = ""  # the channel's code worth counting apart (Telegram's 429), for /metrics


@dataclass(frozen=True)
class Failed:
    """A permanent failure (the user blocked the bot, a malformed message)."""

    error: str
    code: str = ""


SendResult = Sent | Retry | Failed


class ChannelSender(Protocol):
    channel: str

    async def send(self, row: OutboxRow) -> SendResult: ...


class JoiningSender(ChannelSender, Protocol):
    """A sender that may send the leading rows of a chat's run as one message (the
    answers of one turn): how many rows its first message covered, and the result."""

    async def send_leading(self, rows: Sequence[OutboxRow]) -> tuple[int, SendResult]: ...


async def send_next(sender: ChannelSender, rows: Sequence[OutboxRow]) -> tuple[int, SendResult]:
    """Send the first of `rows`, joined with those after it if the sender can."""
    leading = getattr(sender, "send_leading", None)
    if leading is None:
        return 1, await sender.send(rows[0])
    count, result = await leading(rows)
    return max(1, min(int(count), len(rows))), result


@dataclass
class TurnClaim:
    """What a turn's transaction did for the dispatcher: marks, and the rows it claimed."""

    marks: list[int]
    at: float  # monotonic time of the claim (its lease's start)
    rows: list[OutboxRow] = field(default_factory=list)
    wanted: set[tuple[str, str]] = field(default_factory=set)  # (channel, chat) written to


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


def result_label(result: SendResult) -> str:
    """How a send is counted on /metrics: sent, retry, failed, or the channel's code."""
    if isinstance(result, Sent):
        return "sent"
    return result.code or ("retry" if isinstance(result, Retry) else "failed")


class OutboxDispatcher:
    def __init__(
        self,
        database: UnitOfWorkFactory[UnitOfWork],
        senders: Sequence[ChannelSender],
        clock: Clock,
        *,
        worker: str,
        pacing: Mapping[str, Pacing] | None = None,
        batch: int = 100,
        max_attempts: int = 8,
        lease: timedelta = timedelta(seconds=8),
        mark_within: float = MARK_WITHIN,
        on_result: Callable[[str, str], None] | None = None,
        on_retaken: Callable[[int], None] | None = None,
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
        self._lease = lease.total_seconds()
        self._mark_within = mark_within
        self._mark_due: asyncio.TimerHandle | None = None  # wakes the loop to mark sent rows
        self._on_result = on_result
        self._on_retaken = on_retaken
        self._held: dict[int, float] = {}  # row id -> monotonic time its lease was confirmed
        self._sent: list[int] = []  # sent, to be marked in the next round's transaction
        self.last_round = 0.0  # monotonic time the loop last ran a round (/ready)
        self.running = False
        # While running: the loop, its wake-up, the chats being sent (their tasks).
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._in_flight: dict[asyncio.Task[None], tuple[str, str]] = {}
        self._max_chats = 500
        self._blocked = False  # the last round left due rows behind chats in flight
        self._deferred: set[tuple[str, str]] = set()  # chats a turn could not claim

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self._senders)

    async def dispatch_once(self) -> int:
        """Claim what is due on every channel and send it all; the number of rows handled."""
        chats, _ = await asyncio.to_thread(self._round, 10**9)
        await asyncio.gather(*(self._send_chat(sender, rows) for sender, rows in chats))
        await asyncio.to_thread(self._flush)
        return sum(len(rows) for _, rows in chats)

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

        The loop sleeps until woken (a commit that wrote outbox rows, a chat finished, a
        lease taken back) or until the earliest pending row is due, at most `idle` seconds:
        some writers make rows sendable without waking it (WeChat's release of the rows
        kept for a user's next message, other processes).

        Each claimed chat is sent by its own task, so a chat waiting for its pacing (one
        message a second on Telegram) or a slow API call holds back only itself: the loop
        goes on claiming as soon as it is woken (a new outbox row, a send done). A chat is
        never claimed twice at once (the claim skips chats with a row in flight), and at
        most `max_chats` chats are in flight. On stop, what was not yet sent is handed back.
        """
        self._loop, self._wake, self._max_chats = asyncio.get_running_loop(), wake, max_chats
        self.running = True
        heartbeat = asyncio.create_task(self._heartbeat(stop, wake))
        try:
            while not stop.is_set():
                wake.clear()  # before the round: a wake-up during it is not lost
                self.last_round = time.monotonic()
                claimed = 0
                sleep = idle
                try:
                    room = max_chats - len(self._in_flight)
                    chats, next_due = await asyncio.to_thread(self._round, room)
                    for sender, rows in chats:
                        claimed += len(rows)
                        self._start_chat(sender, rows)
                    now = self._clock.now()
                    self._blocked = next_due is not None and next_due <= now
                    if next_due is not None and next_due > now:  # a retry, a held row
                        sleep = min(idle, max((next_due - now).total_seconds(), MIN_SLEEP))
                except Exception:
                    log.exception("outbox dispatch failed; retrying")
                if claimed and len(self._in_flight) < max_chats:
                    continue
                if self._sent:  # sent rows are marked within mark_within
                    sleep = min(sleep, self._mark_within)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=sleep)
        finally:
            self.running = False  # turns stop claiming for this loop
            try:
                if self._in_flight:  # let chats finish their sends, then hand back the rest
                    tasks = set(self._in_flight)
                    _, unfinished = await asyncio.wait(tasks, timeout=stop_grace)
                    for task in unfinished:
                        task.cancel()
                    await asyncio.gather(*unfinished, return_exceptions=True)
            finally:
                heartbeat.cancel()
                await asyncio.gather(heartbeat, return_exceptions=True)
                if self._mark_due is not None:
                    self._mark_due.cancel()
                    self._mark_due = None
                await asyncio.to_thread(self._flush)
                self._loop = None

    def _start_chat(self, sender: ChannelSender, rows: list[OutboxRow]) -> None:
        """One task sends one chat's claimed rows, in order."""
        task = asyncio.create_task(self._send_chat(sender, rows))
        self._in_flight[task] = (sender.channel, rows[0].chat_id)
        task.add_done_callback(self._chat_done)

    def _chat_done(self, task: asyncio.Task[None]) -> None:
        chat = self._in_flight.pop(task, None)
        full = len(self._in_flight) + 1 >= self._max_chats
        deferred = chat is not None and chat in self._deferred
        if deferred:
            self._deferred.discard(chat)
        if self._blocked or full or deferred:
            self._wake.set()  # rows waited behind this chat (or for room): claim them

    def _mark_soon(self) -> None:
        """Sent rows are marked within `mark_within`: the loop may be asleep for longer
        (it went to sleep before this send), so wake it then unless a turn or a round
        marks them first."""
        if self._mark_due is not None or self._loop is None:
            return
        self._mark_due = self._loop.call_later(self._mark_within, self._marks_due)

    def _marks_due(self) -> None:
        self._mark_due = None
        if self._sent:
            self._wake.set()

    # --- a turn claims its own rows (one transaction a turn) ----------------------------

    def in_turn(self, uow: UnitOfWork, chats: Collection[tuple[str, str]]) -> TurnClaim | None:
        """Inside a turn's transaction, before its commit: mark the rows sent since the
        last transaction, and claim the due rows of the chats the turn wrote to, so that
        the turn's answers go out without a round of their own. None while not running."""
        if not self.running or len(self._in_flight) >= self._max_chats:
            return None
        marks, self._sent = self._sent, []
        claim = TurnClaim(marks=marks, at=time.monotonic())
        try:
            now = self._clock.now()
            uow.outbox.mark_sent(marks, now)
            wanted: dict[str, list[str]] = defaultdict(list)
            for channel, chat_id in chats:
                if channel in self._senders:
                    wanted[channel].append(chat_id)
                    claim.wanted.add((channel, chat_id))
            for channel, chat_ids in wanted.items():
                claim.rows += uow.outbox.claim_chats(
                    channel, chat_ids, self._worker, now, self._batch
                )
        except BaseException:
            self.rolled_back(claim)
            raise
        return claim

    def committed(self, claim: TurnClaim) -> None:
        """After the turn's commit (any thread): its rows are sent from the loop."""
        loop = self._loop
        if loop is None:
            return  # stopped meanwhile: the lease lapses, the rows go out at the next start
        loop.call_soon_threadsafe(self._adopt, claim)

    def rolled_back(self, claim: TurnClaim) -> None:
        self._sent = claim.marks + self._sent  # not marked after all: the next time

    def _adopt(self, claim: TurnClaim) -> None:
        for row_id in claim.marks:
            self._held.pop(row_id, None)
        by_chat: dict[tuple[str, str], list[OutboxRow]] = defaultdict(list)
        for row in claim.rows:
            self._held[row.id] = claim.at
            by_chat[(row.channel, row.chat_id)].append(row)
        for (channel, _), rows in by_chat.items():
            self._start_chat(self._senders[channel], rows)
        blocked = claim.wanted - set(by_chat)  # a row of theirs is still in flight
        if blocked:
            self._deferred |= blocked
            in_flight = set(self._in_flight.values())
            if not blocked <= in_flight:  # not behind a chat of ours: let the loop look
                self._wake.set()

    # --- the lease ----------------------------------------------------------------------

    async def _heartbeat(self, stop: asyncio.Event, wake: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                retaken = await asyncio.to_thread(self.renew_and_reap)
                if retaken:
                    wake.set()  # the rows taken back are due now
                    if self._on_retaken is not None:
                        self._on_retaken(retaken)
            except Exception:
                log.exception("outbox lease renewal failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._lease / 4)

    def renew_and_reap(self) -> int:
        """Renew this worker's leases and take back lapsed ones; how many were taken back."""
        held_before = list(self._held)  # rows claimed later are not judged by this renewal
        confirmed = time.monotonic()
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            still = set(uow.outbox.renew(self._worker, now))
            released = uow.outbox.release_stale(now - timedelta(seconds=self._lease))
            uow.commit()
        for row_id in held_before:
            if row_id in still:
                if row_id in self._held:
                    self._held[row_id] = confirmed
            else:
                self._held.pop(row_id, None)  # taken back (or settled meanwhile)
        if released:
            log.warning("took back %d outbox row(s) whose lease lapsed", released)
        return released

    def release_stale(self) -> int:
        """Take back rows whose lease lapsed (a dead worker's), now."""
        with self._database.unit_of_work() as uow:
            released = uow.outbox.release_stale(self._clock.now() - timedelta(seconds=self._lease))
            uow.commit()
        return released

    def _fresh(self, row: OutboxRow) -> bool:
        confirmed = self._held.get(row.id)
        return confirmed is not None and time.monotonic() - confirmed < self._lease / 2

    # --- one round: mark what was sent, claim what is due -------------------------------

    def _round(self, room: int) -> tuple[list[tuple[ChannelSender, list[OutboxRow]]], Due]:
        """In one transaction: mark the rows sent since the last round, then claim due
        rows of every channel; (sender, one chat's rows in id order) for at most `room`
        chats, and when the earliest row still pending is due."""
        sent, self._sent = self._sent, []
        chats: list[tuple[ChannelSender, list[OutboxRow]]] = []
        try:
            with self._database.unit_of_work() as uow:
                claimed_at = time.monotonic()  # with `now`: once the transaction has begun
                now = self._clock.now()
                uow.outbox.mark_sent(sent, now)
                for sender in self._senders.values():
                    if len(chats) >= room:
                        break
                    rows = uow.outbox.claim_due(sender.channel, self._worker, now, self._batch)
                    by_chat: dict[str, list[OutboxRow]] = defaultdict(list)
                    for row in rows:
                        by_chat[row.chat_id].append(row)
                    chats += [(sender, chat_rows) for chat_rows in by_chat.values()]
                next_due = uow.outbox.next_due(self.channels)
                uow.commit()
        except BaseException:
            self._sent = sent + self._sent  # marked next time
            raise
        for row_id in sent:
            self._held.pop(row_id, None)
        for _, rows in chats:
            for row in rows:
                self._held[row.id] = claimed_at
        extra = chats[room:]
        if extra:  # more chats than room: hand them back at once
            self._release([row for _, rows in extra for row in rows])
        return chats[:room], next_due

    def _flush(self) -> None:
        """Mark what was sent and not marked yet (stopping, or after `dispatch_once`)."""
        sent, self._sent = self._sent, []
        if not sent:
            return
        with self._database.unit_of_work() as uow:
            uow.outbox.mark_sent(sent, self._clock.now())
            uow.commit()
        for row_id in sent:
            self._held.pop(row_id, None)

    # --- one chat ---------------------------------------------------------------------

    async def _send_chat(self, sender: ChannelSender, rows: list[OutboxRow]) -> None:
        limiter = self._limiters[sender.channel]
        settled = 0  # rows before this index are sent or failed; the rest may be handed back
        try:
            index = 0
            while index < len(rows):
                row = rows[index]
                await limiter.wait(row.chat_id)
                if not all(self._fresh(r) for r in rows[index:]):
                    # The lease may have lapsed (a stalled worker): another may hold the
                    # rows now. Hand back those still ours; never send on a stale lease.
                    log.warning("outbox lease of row %s not confirmed in time", row.id)
                    settled = len(rows)
                    await asyncio.to_thread(self._release, rows[index:])
                    return
                count = 1
                try:  # a turn's answers may go as one message: `count` rows
                    count, result = await send_next(sender, rows[index:])
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # a sender bug must not lose the row
                    log.exception("sender %s raised on outbox row %s", sender.channel, row.id)
                    result = Retry(f"{type(exc).__name__}: {exc}")
                if self._on_result is not None:
                    self._on_result(sender.channel, result_label(result))
                if isinstance(result, Sent):
                    settled = index + count
                    # marked by the next turn's or round's transaction
                    self._sent += [r.id for r in rows[index:settled]]
                    self._mark_soon()
                    index = settled
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
        if not rows:
            return
        with self._database.unit_of_work() as uow:
            uow.outbox.release((r.id for r in rows), worker=self._worker)
            uow.commit()
        for row in rows:
            self._held.pop(row.id, None)

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
            uow.outbox.release((r.id for r in untried), worker=self._worker)
            uow.commit()
        for done in (row, *untried):
            self._held.pop(done.id, None)
