"""Polling mode: getUpdates in a loop, each batch recorded before it is confirmed.

Telegram drops the updates below the offset of the next getUpdates call, so that call is
the confirmation. Each batch is written to ``telegram_update`` (one statement, committed)
before the next call, and handed to the update handler only then; a process killed at any
point finds the updates it had fetched and not finished in the table at its next start and
processes them first. Marks of processed updates ride along with the next batch's write.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from telegram import Bot, Update
from telegram.error import TelegramError

from domain.clock import Clock
from storage.channels.telegram.updates import UpdateInbox
from storage.db import Database

log = logging.getLogger(__name__)

RETRY_AFTER_ERROR = 2.0  # seconds before the next getUpdates after a failed one
KEEP_PROCESSED = timedelta(days=1)
PRUNE_EVERY = 1000  # batches


class Poller:
    def __init__(
        self,
        bot: Bot,
        handle: Callable[[Update], Awaitable[None]],
        database: Database,
        clock: Clock,
        *,
        timeout: int,
        allowed_updates: Sequence[str],
    ) -> None:
        self._bot = bot
        self._handle = handle
        self._database = database
        self._clock = clock
        self._timeout = timeout
        self._allowed = list(allowed_updates)
        self._done: list[int] = []  # processed, to be marked with the next batch
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Until cancelled: replay what a previous run left, then poll."""
        await self._bot.delete_webhook()  # getUpdates and a webhook exclude each other
        for body in await asyncio.to_thread(self._unprocessed):
            self._spawn(Update.de_json(body, self._bot))
        offset: int | None = None
        batches = 0
        while True:
            try:
                updates = await self._bot.get_updates(
                    offset=offset, timeout=self._timeout, allowed_updates=self._allowed
                )
            except TelegramError as exc:
                log.warning("getUpdates failed (retrying): %s", exc)
                await asyncio.sleep(RETRY_AFTER_ERROR)
                continue
            if not updates and not self._done:
                continue
            try:
                new = await asyncio.to_thread(self._record, updates)
            except Exception:  # not recorded: not confirmed either (same offset again)
                log.exception(
                    "recording %d telegram update(s) failed; fetching again", len(updates)
                )
                await asyncio.sleep(RETRY_AFTER_ERROR)
                continue
            for update in updates:
                if update.update_id in new:
                    self._spawn(update)
            if updates:
                offset = updates[-1].update_id + 1
            batches += 1
            if batches % PRUNE_EVERY == 0:
                await asyncio.to_thread(self._prune)

    async def stop(self, grace: float = 5.0) -> None:
        """Let updates in progress finish (up to `grace` seconds), then mark them."""
        if self._tasks:
            _, unfinished = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
        await asyncio.to_thread(self._record, ())

    def _spawn(self, update: Update) -> None:
        task = asyncio.get_running_loop().create_task(self._process(update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, update: Update) -> None:
        try:
            await self._handle(update)
        except Exception:  # left unprocessed: tried again at the next start
            log.exception("telegram update failed", extra={"update_id": update.update_id})
            return
        self._done.append(update.update_id)

    # --- database work (in threads) -----------------------------------------------------

    def _record(self, updates: Sequence[Update]) -> set[int]:
        done, self._done = self._done, []
        try:
            with self._database.unit_of_work() as uow:
                inbox = uow.channel_store(UpdateInbox)
                now = self._clock.now()
                inbox.processed(done, now)
                new = inbox.record([(u.update_id, u.to_dict()) for u in updates], now)
                uow.commit()
        except BaseException:
            self._done = done + self._done
            raise
        return new

    def _unprocessed(self) -> list[dict[str, object]]:
        with self._database.reading() as uow:
            return uow.channel_store(UpdateInbox).unprocessed()

    def _prune(self) -> None:
        with self._database.unit_of_work() as uow:
            uow.channel_store(UpdateInbox).prune(self._clock.now() - KEEP_PROCESSED)
            uow.commit()
