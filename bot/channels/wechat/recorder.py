"""What the callback writes before it answers ``success``: the (timestamp, nonce) pair it
was signed with (``storage.channels.wechat.nonces``, against replays) and the message in the
inbox, nothing else (WeChat's dedupe; the user's window is opened when the message is
claimed).

The acknowledgement waits for this write, so it is kept to the fewest round trips to the
database: one thread writes every message that waits in one statement (``GroupCommit``),
on a connection it keeps (``BatchWriter``: no pool checkout and its ping per message). On
PostgreSQL that connection runs in autocommit, so the one ``INSERT … ON CONFLICT DO
NOTHING`` is its own transaction, committed (durably: ``synchronous_commit`` as the server
has it) before the statement returns; no BEGIN and COMMIT round trips. On SQLite the
batch is one ``BEGIN IMMEDIATE`` transaction, as every other writer's.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Connection

from domain.clock import Clock
from storage.channels.wechat.inbox import InboxMessage, WeChatInbox
from storage.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class BatchWriter(Generic[T, R]):
    """Writes batches with ``write_batch`` on a connection of its own (used by one thread).

    A failed write closes the connection (it may be the broken one); the next write takes
    a fresh one from the pool, which checks it first.
    """

    def __init__(
        self,
        database: Database,
        clock: Clock,
        write_batch: Callable[[Connection, Sequence[T], datetime], list[R]],
    ) -> None:
        self._database = database
        self._clock = clock
        self._write_batch = write_batch
        self._connection: Connection | None = None

    def write(self, items: Sequence[T]) -> list[R]:
        connection = self._connect()
        try:
            with connection.begin():
                return self._write_batch(connection, items, self._clock.now())
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _connect(self) -> Connection:
        if self._connection is None:
            connection = self._database.engine.connect()
            if self._database.is_postgres:
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            self._connection = connection
        return self._connection


class InboxWriter(BatchWriter[InboxMessage, bool]):
    """Records batches of messages; False for each one recorded before (WeChat's retry)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        super().__init__(database, clock, _record_all)


def _record_all(conn: Connection, messages: Sequence[InboxMessage], now: datetime) -> list[bool]:
    return WeChatInbox(conn).record_all(messages, now)


class GroupCommit(Generic[T, R]):
    """One thread writes what the callbacks accepted, all that waits in one write.

    Many callbacks at once would otherwise each open a transaction and queue for the
    database's write lock (SQLite) or a connection; one writer keeps the time to answer
    flat. A batch that fails is written again one message at a time, so one bad message
    fails only its own callback (WeChat then retries it).
    """

    def __init__(
        self,
        write: Callable[[Sequence[T]], list[R]],
        max_batch: int = 200,
        name: str = "wechat-inbox-writer",
    ):
        self._write = write
        self._max_batch = max_batch
        self._name = name
        self._queue: queue.SimpleQueue[tuple[T, Future[R]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def submit(self, item: T) -> R:
        future: Future[R] = Future()
        self._queue.put((item, future))
        self._ensure_running()
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=30)

    def _ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(more)
            self._commit(batch)

    def _commit(self, batch: list[tuple[T, Future[R]]]) -> None:
        try:
            results = self._write([item for item, _ in batch])
        except Exception:
            if len(batch) > 1:
                for single in batch:
                    self._commit([single])
                return
            log.exception("%s: could not write", self._name)
            batch[0][1].set_exception(RuntimeError(f"{self._name} could not write"))
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
