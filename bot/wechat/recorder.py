"""What the callback writes before it answers ``success``: the message in the inbox, and
nothing else (WeChat's dedupe; the user's window is opened when the message is claimed).

The acknowledgement waits for this write, so it is kept to the fewest round trips to the
database: one thread writes every message that waits in one statement (``GroupCommit``),
on a connection it keeps (``InboxWriter``: no pool checkout and its ping per message). On
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

from sqlalchemy import Connection

from domain.clock import Clock
from storage.db import Database
from storage.wechat_inbox import InboxMessage, WeChatInbox

log = logging.getLogger(__name__)


class InboxWriter:
    """Records batches of messages on a connection of its own (used by one thread).

    A failed write closes the connection (it may be the broken one); the next write takes
    a fresh one from the pool, which checks it first.
    """

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock
        self._connection: Connection | None = None

    def write(self, messages: Sequence[InboxMessage]) -> list[bool]:
        """Record ``messages``; False for each one recorded before (WeChat's retry)."""
        connection = self._connect()
        try:
            with connection.begin():
                return WeChatInbox(connection).record_all(messages, self._clock.now())
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


class GroupCommit:
    """One thread writes what the callbacks accepted, all that waits in one write.

    Many callbacks at once would otherwise each open a transaction and queue for the
    database's write lock (SQLite) or a connection; one writer keeps the time to answer
    flat. A batch that fails is written again one message at a time, so one bad message
    fails only its own callback (WeChat then retries it).
    """

    def __init__(self, write: Callable[[Sequence[InboxMessage]], list[bool]], max_batch: int = 200):
        self._write = write
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[InboxMessage, Future[bool]] | None] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def submit(self, message: InboxMessage) -> bool:
        future: Future[bool] = Future()
        self._queue.put((message, future))
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
                self._thread = threading.Thread(
                    target=self._run, name="wechat-inbox-writer", daemon=True
                )
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

    def _commit(self, batch: list[tuple[InboxMessage, Future[bool]]]) -> None:
        try:
            results = self._write([message for message, _ in batch])
        except Exception:
            if len(batch) > 1:
                for single in batch:
                    self._commit([single])
                return
            log.exception("could not record a wechat message")
            batch[0][1].set_exception(RuntimeError("the inbox could not be written"))
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
