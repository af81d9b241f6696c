"""One catch-all handler: every Telegram update becomes an `Inbound` for the engine.

No dialog logic lives here. Updates of one chat are handled one at a time, in arrival
order, within a process; the engine serialises conversations across processes.

Albums: each part is downloaded and recorded in the database as it arrives; the album
is closed after a quiet period with no new part and goes to the engine as ONE media
message (one acknowledgement). A part that arrives after its album was closed is handled
on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot, CallbackQuery, Message, Update, User
from telegram.error import BadRequest, TelegramError

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.keyboards import ShownKeyboards
from bot.channels.telegram.translate import (
    INBOUND_KIND,
    Content,
    MediaRef,
    album_key,
    callback_key,
    contact_payload,
    content_of,
    location_payload,
    media_of,
    message_key,
)
from bot.logs import turn_context
from bot.media_intake import IntakeResult, MediaIntake, Upload
from dialogs.language import locale_for
from dialogs.turn import TurnOutcome
from domain.clock import Clock
from locales.catalog import Catalogs
from messages.inbound import Inbound, InboundKind, media_item_from_json, media_item_to_json
from storage.channels.telegram.albums import AlbumBuffer, AlbumContent, PartSlot, PartStatus
from storage.channels.telegram.lookups import TelegramLookups
from storage.db import Database
from storage.media.types import MediaRejection

log = logging.getLogger(__name__)

STALE_PART = timedelta(seconds=60)  # a part still downloading after this is given up
RECLAIM_AFTER = timedelta(seconds=60)  # an album taken but not processed after this is retried
KEEP_ALBUMS = timedelta(days=1)
SWEEP_EVERY = 10.0  # seconds


def wall_clock() -> datetime:
    """Albums are timed by the real clock: the quiet period is a transport matter."""
    return datetime.now(UTC)


class ChatLocks:
    """One asyncio lock per chat, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users <= 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)


class UpdateHandler:
    def __init__(
        self,
        *,
        bot: Bot,
        engine_process: Callable[[Inbound], TurnOutcome],
        intake: MediaIntake,
        database: Database,
        catalogs: Catalogs,
        clock: Clock,
        default_locale: str,
        max_download_bytes: int,
        album_quiet: float,
        keyboards: ShownKeyboards | None = None,
    ) -> None:
        self._bot = bot
        self._process = engine_process
        self._intake = intake
        self._database = database
        self._catalogs = catalogs
        self._clock = clock
        self._default_locale = default_locale
        self._max_download = max_download_bytes
        self._quiet = album_quiet
        self._keyboards = keyboards or ShownKeyboards()  # the sender's, shared
        self._locks = ChatLocks()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- entry points ---------------------------------------------------------------

    async def handle(self, update: Update) -> None:
        """Translate and process one update; raises if it could not be processed."""
        with turn_context(channel=CHANNEL, update_id=update.update_id):
            await self._handle(update, in_reply=False)

    async def handle_webhook(self, update: Update) -> dict[str, Any] | None:
        """As `handle`; a callback query's answer is returned to go back as the webhook's
        answer (one Bot API request fewer a tap) instead of being sent."""
        with turn_context(channel=CHANNEL, update_id=update.update_id):
            return await self._handle(update, in_reply=True)

    async def _handle(self, update: Update, *, in_reply: bool) -> dict[str, Any] | None:
        if update.callback_query is not None:
            return await self._callback(update.callback_query, in_reply=in_reply)
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return None  # member changes, channel posts, ...: nothing an owner said
        edited = update.edited_message is not None or update.edited_channel_post is not None
        content = content_of(message)
        if content is None or (edited and content is not Content.LOCATION):
            return None  # service messages; edits of anything but a live location
        chat_id = str(message.chat.id)
        async with self._locks.hold(chat_id):
            if content is Content.MEDIA and message.media_group_id:
                await self._album_part(chat_id, user, message)
            else:
                await self._message(chat_id, user, message, content, edited=edited)
        return None

    async def sweep(self) -> None:
        """Close the albums that are due (after a restart, or a worker that died)."""
        now = wall_clock()
        ids = await asyncio.to_thread(self._due, now)
        for album_id in ids:
            await self._close_album(album_id)

    def start_sweeping(self) -> None:
        self._spawn(self._sweep_forever())

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- plain messages ---------------------------------------------------------------

    async def _message(
        self, chat_id: str, user: User, message: Message, content: Content, *, edited: bool
    ) -> None:
        key = message_key(chat_id, message, edited=edited)
        fields: dict[str, Any] = {}
        if content is Content.TEXT:
            fields["text"] = message.text or ""
        elif content is Content.LOCATION:
            fields["payload"] = location_payload(message)
        elif content is Content.CONTACT:
            fields["payload"] = contact_payload(message)
        elif content is Content.MEDIA:
            if await asyncio.to_thread(self._seen, key):
                return  # a redelivery: do not download again
            result = await self._fetch(media_of(message), user.id)
            fields["media"], fields["rejected"] = result.items, result.rejected
        await self._run(self._inbound(chat_id, user, key, INBOUND_KIND[content], **fields))

    async def _callback(self, query: CallbackQuery, *, in_reply: bool) -> dict[str, Any] | None:
        chat = query.message.chat if query.message is not None else None
        chat_id = str(chat.id if chat is not None else query.from_user.id)
        data = query.data if isinstance(query.data, str) else ""
        inbound = self._inbound(
            chat_id, query.from_user, callback_key(query.id), InboundKind.CHOICE, text=data
        )
        if query.message is not None:  # taken off below: the sender must not again
            self._keyboards.forget(chat_id, query.message.message_id)
        async with self._locks.hold(chat_id):
            outcome = await self._run(inbound)
        stale = not outcome.duplicate and bool(outcome.replies) and outcome.replies[0].stale_choice
        text = await self._stale_text(chat_id, query) if stale else None
        calls = [] if in_reply else [self._answer(query, text)]
        if not outcome.duplicate and query.message is not None:
            calls.append(self._take_keyboard_off(query))
        await asyncio.gather(*calls)  # at once: the webhook answers sooner
        if not in_reply:
            return None
        answer: dict[str, Any] = {
            "method": "answerCallbackQuery",
            "callback_query_id": query.id,
            "show_alert": False,
        }
        if text is not None:
            answer["text"] = text
        return answer

    @staticmethod
    async def _answer(query: CallbackQuery, text: str | None) -> None:
        try:
            await query.answer(text=text, show_alert=False)
        except TelegramError as exc:  # answered already (a redelivery), or too old
            log.info("answerCallbackQuery failed: %s", exc)

    @staticmethod
    async def _take_keyboard_off(query: CallbackQuery) -> None:
        """The tapped keyboard has served (or is stale): take it off that message."""
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(reply_markup=None)

    async def _stale_text(self, chat_id: str, query: CallbackQuery) -> str:
        locale = await asyncio.to_thread(self._locale, chat_id)
        if locale is None:
            locale = locale_for(query.from_user.language_code, self._default_locale)
        return self._catalogs.render(locale, "telegram.stale_button")

    # --- albums -----------------------------------------------------------------------

    async def _album_part(self, chat_id: str, user: User, message: Message) -> None:
        group = str(message.media_group_id)
        slot = await asyncio.to_thread(self._add_part, chat_id, group, user, message.message_id)
        if slot.status is PartStatus.DUPLICATE:
            return
        if slot.status is PartStatus.LATE:
            await self._message(chat_id, user, message, Content.MEDIA, edited=False)
            return
        assert slot.part_id is not None and slot.album_id is not None
        result = await self._fetch(media_of(message), user.id)
        await asyncio.to_thread(self._finish_part, slot.part_id, result)
        self._spawn(self._close_later(slot.album_id))

    async def _close_later(self, album_id: int) -> None:
        await asyncio.sleep(self._quiet + 0.05)
        await self._close_album(album_id)

    async def _close_album(self, album_id: int) -> None:
        content = await asyncio.to_thread(self._take_album, album_id)
        if content is None:
            return  # not quiet yet, a part still downloading, or taken by another worker
        try:
            if content.unfinished:
                log.warning("album %s: %d part(s) never downloaded", album_id, content.unfinished)
            inbound = self._inbound(
                content.chat_id,
                None,
                album_key(album_id),
                InboundKind.MEDIA,
                user_id=content.user_id,
                language=content.language,
                media=tuple(media_item_from_json(item) for item in content.media),
                rejected=content.rejected,
            )
            async with self._locks.hold(content.chat_id):
                await self._run(inbound)
        except Exception:
            log.exception("album %s could not be processed; it will be retried", album_id)
            await asyncio.to_thread(self._reopen, album_id)
            return
        await asyncio.to_thread(self._mark_processed, album_id)

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.sweep()
                await asyncio.to_thread(self._prune)
            except Exception:
                log.exception("album sweep failed")
            await asyncio.sleep(SWEEP_EVERY)

    # --- media ------------------------------------------------------------------------

    async def _fetch(self, ref: MediaRef, user_id: int) -> IntakeResult:
        """Download a file (within the Bot API's limit) and pass it to the media store."""
        data = await self._download(ref)
        if data is None:
            return IntakeResult((), (MediaRejection.TOO_LARGE.value,))
        upload = Upload(data, ref.declared_kind, ref.filename, f"telegram:{user_id}")
        return await asyncio.to_thread(self._intake.accept, [upload])

    async def _download(self, ref: MediaRef) -> bytes | None:
        if ref.file_size is not None and ref.file_size > self._max_download:
            return None  # the Bot API would refuse getFile: do not even ask
        try:
            file = await self._bot.get_file(ref.file_id)
        except BadRequest as exc:
            if "too big" in str(exc).lower():
                return None
            raise
        if file.file_size is not None and file.file_size > self._max_download:
            return None
        return bytes(await file.download_as_bytearray())

    # --- the engine -------------------------------------------------------------------

    def _inbound(
        self,
        chat_id: str,
        user: User | None,
        message_id: str,
        kind: InboundKind,
        *,
        user_id: str | None = None,
        language: str | None = None,
        **fields: Any,
    ) -> Inbound:
        return Inbound(
            channel=CHANNEL,
            user_id=str(user.id) if user is not None else str(user_id),
            chat_id=chat_id,
            message_id=message_id,
            kind=kind,
            received_at=self._clock.now(),
            language_hint=user.language_code if user is not None else language,
            **fields,
        )

    async def _run(self, inbound: Inbound) -> TurnOutcome:
        return await asyncio.to_thread(self._process, inbound)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- database work (run in threads) -------------------------------------------------

    def _seen(self, key: str) -> bool:
        with self._database.reading() as uow:
            return uow.channel_store(TelegramLookups).seen(CHANNEL, key)

    def _locale(self, chat_id: str) -> str | None:
        with self._database.reading() as uow:
            return uow.channel_store(TelegramLookups).locale(CHANNEL, chat_id)

    def _add_part(self, chat_id: str, group: str, user: User, message_id: int) -> PartSlot:
        with self._database.unit_of_work() as uow:
            slot = uow.channel_store(AlbumBuffer).add_part(
                chat_id=chat_id,
                media_group_id=group,
                user_id=str(user.id),
                language=user.language_code,
                message_id=message_id,
                at=wall_clock(),
            )
            uow.commit()
        return slot

    def _finish_part(self, part_id: int, result: IntakeResult) -> None:
        media = [media_item_to_json(item) for item in result.items]
        with self._database.unit_of_work() as uow:
            uow.channel_store(AlbumBuffer).finish_part(
                part_id, media, list(result.rejected), wall_clock()
            )
            uow.commit()

    def _take_album(self, album_id: int) -> AlbumContent | None:
        now = wall_clock()
        with self._database.unit_of_work() as uow:
            albums = uow.channel_store(AlbumBuffer)
            taken = albums.close(
                album_id,
                at=now,
                quiet_before=now - timedelta(seconds=self._quiet),
                stale_before=now - STALE_PART,
                reclaim_before=now - RECLAIM_AFTER,
            )
            if not taken:
                return None
            content = albums.content(album_id)
            uow.commit()
        return content

    def _reopen(self, album_id: int) -> None:
        with self._database.unit_of_work() as uow:
            uow.channel_store(AlbumBuffer).reopen(album_id)
            uow.commit()

    def _mark_processed(self, album_id: int) -> None:
        with self._database.unit_of_work() as uow:
            uow.channel_store(AlbumBuffer).mark_processed(album_id, wall_clock())
            uow.commit()

    def _due(self, now: datetime) -> list[int]:
        with self._database.reading() as uow:
            return uow.channel_store(AlbumBuffer).due(
                quiet_before=now - timedelta(seconds=self._quiet),
                reclaim_before=now - RECLAIM_AFTER,
            )

    def _prune(self) -> None:
        with self._database.unit_of_work() as uow:
            uow.channel_store(AlbumBuffer).prune(wall_clock() - KEEP_ALBUMS)
            uow.commit()
