"""The outbox dispatcher: per-chat order, pacing, retries with backoff, permanent failures."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta

import pytest

from scheduler.dispatcher import Failed, OutboxDispatcher, Pacing, Retry, SendResult, Sent
from storage.db import Database
from storage.records import OutboxItem, OutboxRow
from tests.fakes import FixedClock


class RecordingSender:
    channel = "fake"

    def __init__(self, script: dict[int, list[SendResult]] | None = None) -> None:
        self.sent: list[tuple[str, int, float]] = []
        self.script = script or {}

    async def send(self, row: OutboxRow) -> SendResult:
        results = self.script.get(row.payload["n"])
        if results:
            return results.pop(0)
        self.sent.append((row.chat_id, row.payload["n"], time.monotonic()))
        return Sent()


def add_rows(database: Database, clock: FixedClock, chats: dict[str, int]) -> None:
    items = [
        OutboxItem("fake", chat, "en", {"n": n}, f"{chat}:{n}")
        for chat, count in chats.items()
        for n in range(count)
    ]
    with database.unit_of_work() as uow:
        uow.outbox.add(items, now=clock.now())
        uow.commit()


def statuses(database: Database, chat: str) -> list[str]:
    with database.unit_of_work() as uow:
        from sqlalchemy import select

        from storage.tables.core import outbox_t

        rows = uow.connection.execute(
            select(outbox_t.c.status).where(outbox_t.c.chat_id == chat).order_by(outbox_t.c.id)
        )
        return [row[0] for row in rows]


def make(database: Database, sender: RecordingSender, clock: FixedClock, **kw: object):  # type: ignore[no-untyped-def]
    return OutboxDispatcher(database, [sender], clock, worker="w1", **kw)  # type: ignore[arg-type]


def test_every_row_is_sent_once_in_chat_order(database: Database) -> None:
    clock = FixedClock()
    add_rows(database, clock, {"a": 5, "b": 3})
    sender = RecordingSender()
    dispatcher = make(database, sender, clock)
    assert asyncio.run(dispatcher.dispatch_once()) == 8
    assert asyncio.run(dispatcher.dispatch_once()) == 0
    assert [n for chat, n, _ in sender.sent if chat == "a"] == [0, 1, 2, 3, 4]
    assert sorted(n for chat, n, _ in sender.sent if chat == "b") == [0, 1, 2]
    assert statuses(database, "a") == ["sent"] * 5


def test_pacing_spaces_messages_to_one_chat(sqlite_database: Database) -> None:
    clock = FixedClock()
    add_rows(sqlite_database, clock, {"a": 4})
    sender = RecordingSender()
    dispatcher = make(sqlite_database, sender, clock, pacing={"fake": Pacing(0.05, 0)})
    asyncio.run(dispatcher.dispatch_once())
    times = [t for _, _, t in sender.sent]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.045


def test_a_transient_failure_is_retried_later_and_keeps_the_order(database: Database) -> None:
    clock = FixedClock()
    add_rows(database, clock, {"a": 3})
    sender = RecordingSender({1: [Retry("503", after=30)]})
    dispatcher = make(database, sender, clock)
    asyncio.run(dispatcher.dispatch_once())
    assert [n for _, n, _ in sender.sent] == [0]
    assert statuses(database, "a") == ["sent", "pending", "pending"]
    assert asyncio.run(dispatcher.dispatch_once()) == 0  # not due yet; row 2 waits behind it
    clock.advance(timedelta(seconds=31))
    asyncio.run(dispatcher.dispatch_once())
    assert [n for _, n, _ in sender.sent] == [0, 1, 2]


def test_a_permanent_failure_is_recorded_not_retried(database: Database) -> None:
    clock = FixedClock()
    add_rows(database, clock, {"a": 1})
    dispatcher = make(database, RecordingSender({0: [Failed("403 blocked")]}), clock)
    asyncio.run(dispatcher.dispatch_once())
    assert statuses(database, "a") == ["failed"]


def test_retries_give_up_after_max_attempts(sqlite_database: Database) -> None:
    clock = FixedClock()
    add_rows(sqlite_database, clock, {"a": 1})
    sender = RecordingSender({0: [Retry("boom")] * 10})
    dispatcher = make(sqlite_database, sender, clock, max_attempts=3)
    for _ in range(5):
        asyncio.run(dispatcher.dispatch_once())
        clock.advance(timedelta(hours=1))
    assert statuses(sqlite_database, "a") == ["failed"]
    assert len(sender.script[0]) == 7


@pytest.mark.parametrize("crash_after_send", [True])
def test_a_claim_left_by_a_crashed_worker_is_released(
    database: Database, crash_after_send: bool
) -> None:
    clock = FixedClock()
    add_rows(database, clock, {"a": 1})
    with database.unit_of_work() as uow:
        assert len(uow.outbox.claim_due("fake", "dead-worker", clock.now(), 10)) == 1
        uow.commit()
    sender = RecordingSender()
    dispatcher = make(database, sender, clock)
    assert asyncio.run(dispatcher.dispatch_once()) == 0
    clock.advance(timedelta(minutes=6))
    assert dispatcher.release_stale() == 1
    asyncio.run(dispatcher.dispatch_once())
    assert [n for _, n, _ in sender.sent] == [0]


def test_a_paced_chat_does_not_hold_back_a_new_message_to_another_chat(
    sqlite_database: Database,
) -> None:
    """Chat a has three rows at 0.3 s pacing; a row for chat b written while a is being
    paced goes out before a's last row, instead of waiting for a's whole batch."""
    clock = FixedClock()
    add_rows(sqlite_database, clock, {"a": 3})
    sender = RecordingSender()
    dispatcher = make(sqlite_database, sender, clock, pacing={"fake": Pacing(0.3, 0)})

    async def scenario() -> None:
        stop, wake = asyncio.Event(), asyncio.Event()
        runner = asyncio.create_task(dispatcher.run(stop, wake, idle=5.0))
        while not sender.sent:
            await asyncio.sleep(0.01)
        add_rows(sqlite_database, clock, {"b": 1})
        wake.set()
        while len(sender.sent) < 4:
            await asyncio.sleep(0.01)
        stop.set()
        await runner

    asyncio.run(scenario())
    order = [(chat, n) for chat, n, _ in sender.sent]
    assert order.index(("b", 0)) < order.index(("a", 2))
    assert [n for chat, n in order if chat == "a"] == [0, 1, 2]
    assert statuses(sqlite_database, "a") == ["sent"] * 3


def test_stopping_hands_back_what_was_not_sent(sqlite_database: Database) -> None:
    clock = FixedClock()
    add_rows(sqlite_database, clock, {"a": 3})
    sender = RecordingSender()
    dispatcher = make(sqlite_database, sender, clock, pacing={"fake": Pacing(30.0, 0)})

    async def scenario() -> None:
        stop, wake = asyncio.Event(), asyncio.Event()
        runner = asyncio.create_task(dispatcher.run(stop, wake, idle=5.0, stop_grace=0.1))
        while not sender.sent:
            await asyncio.sleep(0.01)
        stop.set()
        wake.set()
        await runner

    asyncio.run(scenario())
    assert statuses(sqlite_database, "a") == ["sent", "pending", "pending"]


def test_a_row_sent_while_the_loop_sleeps_is_marked_within_the_bound(
    sqlite_database: Database,
) -> None:
    """The loop sleeps up to `idle` (here 5 s) once nothing is due; a row sent meanwhile
    is still marked sent within `mark_within`, not at the loop's next wake-up."""
    clock = FixedClock()
    add_rows(sqlite_database, clock, {"a": 1})
    sender = RecordingSender()
    dispatcher = make(sqlite_database, sender, clock, mark_within=0.2)

    async def scenario() -> float:
        stop, wake = asyncio.Event(), asyncio.Event()
        runner = asyncio.create_task(dispatcher.run(stop, wake, idle=5.0))
        while not sender.sent:
            await asyncio.sleep(0.01)
        sent_at = time.monotonic()
        while await asyncio.to_thread(statuses, sqlite_database, "a") != ["sent"]:
            assert time.monotonic() - sent_at < 4.0, "not marked before the loop woke"
            await asyncio.sleep(0.02)
        marked_after = time.monotonic() - sent_at
        stop.set()
        wake.set()
        await runner
        return marked_after

    assert asyncio.run(scenario()) < 4.0
