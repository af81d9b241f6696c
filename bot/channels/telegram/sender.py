"""Deliver outbox rows to Telegram: render, lay out keyboards, split, map errors.

Layout of one row (an `Outbound`):
- attachments first (one photo/video, or media groups of up to 10; documents such as the
  agreement's PDF with sendDocument), then the text, so the buttons end up next to the
  input field;
- text over 4096 characters is split at line breaks; the keyboard goes on the last part;
- choices become an inline keyboard (callback_data = the choice value, at most 64 bytes);
- `request_location` becomes a reply keyboard with one location button. Telegram allows
  one kind of keyboard per message, so a row with both sends the text with its inline
  keyboard and then a short hint carrying the location button;
- every other message carries `ReplyKeyboardRemove`, so a location keyboard left open
  (the owner typed the address instead) goes away with the next plain message.

A row of several Telegram messages remembers, per process, which of them went out: a
retry after a failure half-way resumes where it stopped.

Buttons that tell the truth: once a row answering a newer turn of the chat is sent, the
inline keyboards it supersedes (``bot/superseded.py``) are taken off their messages with
editMessageReplyMarkup, unless the tap on it took it off already
(``bot/channels/telegram/keyboards.py``). The keyboards sent are remembered per process (a
chat's rows go through one worker at a time); one sent by another worker stays, and a tap
on it is answered as stale.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    InputMediaVideo,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.keyboards import ShownKeyboards
from bot.documents import KeptDocuments
from bot.rendering import RenderedDocument, RenderedMessage, render
from bot.superseded import buttons_expire
from dialogs.turn import reply_turn
from domain.evidence import MediaKind
from locales.catalog import Catalogs
from messages.outbound import DOCUMENTS
from scheduler.dispatcher import Failed, Retry, SendResult, Sent
from storage.db import Database
from storage.media.store import MediaStore
from storage.media.types import StoredMedia
from storage.records import OutboxRow

log = logging.getLogger(__name__)

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096
MAX_GROUP = 10  # items in one media group
ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True)
class TextPart:
    text: str
    markup: ReplyMarkup


@dataclass(frozen=True)
class MediaPart:
    items: tuple[StoredMedia, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DocumentPart:
    filename: str
    data: bytes


Part = TextPart | MediaPart | DocumentPart


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line break or space where possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    """The outbox dispatcher's sender for the "telegram" channel."""

    channel = CHANNEL

    def __init__(
        self,
        bot: Bot,
        catalogs: Catalogs,
        database: Database,
        media_dir: Path,
        *,
        per_chat_interval: float,
        keyboards: ShownKeyboards | None = None,
        documents: KeptDocuments | None = None,
    ) -> None:
        self._bot = bot
        self._catalogs = catalogs
        self._database = database
        self._media = MediaStore(media_dir)  # only to open stored files
        self._documents = documents or KeptDocuments({})
        self._interval = per_chat_interval
        self._progress: dict[int, int] = {}  # outbox row id -> parts already sent
        self._last_sent: dict[str, float] = {}  # chat -> monotonic time of the latest send
        self._reply_keyboard: set[str] = set()  # chats shown a location keyboard since
        self._keyboards = keyboards or ShownKeyboards()  # expiring keyboards shown

    async def send(self, row: OutboxRow) -> SendResult:
        try:
            parts = await self._layout(row)
            turn = reply_turn(row.channel, row.idempotency_key)
            expires = buttons_expire(row.payload)
            for index in range(self._progress.get(row.id, 0), len(parts)):
                await self._pace(row.chat_id)
                try:
                    sent = await self._send_part(row.chat_id, parts[index])
                finally:
                    self._sent(row.chat_id)
                self._progress[row.id] = index + 1
                if sent is not None and expires:
                    self._keyboards.shown(row.chat_id, sent, turn)
            if turn is not None:
                await self._take_off_superseded(row.chat_id, turn)
        except RetryAfter as exc:
            return Retry(str(exc), after=retry_after_seconds(exc), code="429")
        except (Forbidden, BadRequest, ChatMigrated) as exc:
            # Blocked by the user, chat gone, or a message Telegram will never accept.
            self._progress.pop(row.id, None)
            return Failed(f"{type(exc).__name__}: {exc}")
        except (NetworkError, InvalidToken, TelegramError) as exc:  # 5xx, timeouts, ...
            return Retry(f"{type(exc).__name__}: {exc}")
        self._progress.pop(row.id, None)
        return Sent()

    async def send_leading(self, rows: Sequence[OutboxRow]) -> tuple[int, SendResult]:
        """The answers of one turn as one message where they fit in one: each a text
        without buttons, attachments or location request, before the last (which may
        carry them). Telegram API calls are most of a busy bot's CPU; a step answered
        with an acknowledgement and the next question costs one call, not two."""
        count = self._joinable(rows)
        if count < 2:
            return 1, await self.send(rows[0])
        messages = [render(self._catalogs, row.locale, row.payload) for row in rows[:count]]
        text = "\n\n".join(message.text for message in messages)
        if len(text) > MAX_TEXT:
            return 1, await self.send(rows[0])
        last, row = messages[-1], rows[count - 1]
        turn = reply_turn(row.channel, row.idempotency_key)
        try:
            await self._pace(row.chat_id)
            try:
                part = TextPart(text, self._markup(last, row.locale))
                sent = await self._send_part(row.chat_id, part)
            finally:
                self._sent(row.chat_id)
            if sent is not None and buttons_expire(row.payload):
                self._keyboards.shown(row.chat_id, sent, turn)
            if turn is not None:
                await self._take_off_superseded(row.chat_id, turn)
        except RetryAfter as exc:
            return count, Retry(str(exc), after=retry_after_seconds(exc), code="429")
        except (Forbidden, BadRequest, ChatMigrated) as exc:
            return count, Failed(f"{type(exc).__name__}: {exc}")
        except (NetworkError, InvalidToken, TelegramError) as exc:
            return count, Retry(f"{type(exc).__name__}: {exc}")
        return count, Sent()

    def _joinable(self, rows: Sequence[OutboxRow]) -> int:
        """How many leading rows are one turn's answers that can go as one message."""
        if rows[0].chat_id in self._reply_keyboard or rows[0].id in self._progress:
            return 1  # the first must take the open location keyboard away: alone
        turn = reply_turn(rows[0].channel, rows[0].idempotency_key)
        count = 0
        for row in rows:
            same_turn = reply_turn(row.channel, row.idempotency_key) == turn
            if turn is None or not same_turn or row.id in self._progress:
                break
            count += 1
            payload = row.payload
            if payload.get("attachments") or payload.get(DOCUMENTS) or (
                payload.get("choices") and payload.get("request_location")
            ):
                return count - 1  # attachments go first; a location hint goes after
            if payload.get("choices") or payload.get("request_location"):
                break  # the keyboard ends the message
        return count

    # --- layout -----------------------------------------------------------------------

    async def _layout(self, row: OutboxRow) -> list[Part]:
        message = render(self._catalogs, row.locale, row.payload)
        parts: list[Part] = []
        if message.attachments:
            stored = await asyncio.to_thread(self._load_media, message.attachments)
            parts += [
                MediaPart(tuple(stored[i : i + MAX_GROUP]))
                for i in range(0, len(stored), MAX_GROUP)
            ]
        if message.documents:
            parts += await asyncio.to_thread(self._load_documents, message.documents)
        pieces = split_text(message.text)
        parts += [TextPart(piece, ReplyKeyboardRemove()) for piece in pieces[:-1]]
        parts.append(TextPart(pieces[-1], self._markup(message, row.locale)))
        if message.request_location and message.choices:
            hint = self._catalogs.render(row.locale, "telegram.location_hint")
            parts.append(TextPart(hint, self._location_keyboard(row.locale)))
        return parts

    def _markup(self, message: RenderedMessage, locale: str) -> ReplyMarkup:
        if message.choices:
            return InlineKeyboardMarkup(
                [[InlineKeyboardButton(c.label, callback_data=c.value)] for c in message.choices]
            )
        if message.request_location:
            return self._location_keyboard(locale)
        return ReplyKeyboardRemove()

    def _location_keyboard(self, locale: str) -> ReplyKeyboardMarkup:
        button = KeyboardButton(
            self._catalogs.render(locale, "telegram.share_location"), request_location=True
        )
        return ReplyKeyboardMarkup(
            [[button]],
            resize_keyboard=True,
            one_time_keyboard=True,
            input_field_placeholder=self._catalogs.render(locale, "telegram.location_placeholder"),
        )

    def _load_media(self, media_ids: tuple[int, ...]) -> list[StoredMedia]:
        with self._database.reading() as uow:
            found = [uow.media.get(media_id) for media_id in media_ids]
        stored = [item for item in found if item is not None]
        if len(stored) < len(media_ids):
            log.warning("outbox attachments not found: %s", media_ids)
        return stored

    def _load_documents(self, documents: tuple[RenderedDocument, ...]) -> list[DocumentPart]:
        parts = []
        for document in documents:
            data = self._documents.read(document.store, document.name)
            if data is None:  # the link in the text still serves
                log.warning("document not found: %s/%s", document.store, document.name)
            else:
                parts.append(DocumentPart(document.filename, data))
        return parts

    # --- sending ----------------------------------------------------------------------

    async def _pace(self, chat_id: str) -> None:
        """At most one message per interval to a chat, also between the parts of a row.

        Counted from the end of the previous request, so that the gap Telegram sees between
        two arrivals is never shorter than the interval, whatever the network delay.
        """
        last = self._last_sent.get(chat_id)
        if last is not None:
            delay = last + self._interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    def _sent(self, chat_id: str) -> None:
        now = time.monotonic()
        self._last_sent[chat_id] = now
        if len(self._last_sent) > 10_000:
            horizon = now - self._interval
            self._last_sent = {c: t for c, t in self._last_sent.items() if t > horizon}

    async def _take_off_superseded(self, chat_id: str, turn: str) -> None:
        """Remove the inline keyboards of earlier turns from their messages."""
        for message_id in self._keyboards.superseded(chat_id, turn):
            await self._pace(chat_id)
            try:
                await self._bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
            except (BadRequest, Forbidden) as exc:  # deleted by the user, or chat gone
                log.info("editMessageReplyMarkup %s/%s: %s", chat_id, message_id, exc)
            finally:
                self._sent(chat_id)

    async def _send_part(self, chat_id: str, part: Part) -> int | None:
        """Send one part; the message id when it carries an inline keyboard."""
        if isinstance(part, TextPart):
            message = await self._bot.send_message(chat_id, part.text, reply_markup=part.markup)
            if isinstance(part.markup, ReplyKeyboardMarkup):
                if len(self._reply_keyboard) > 10_000:
                    self._reply_keyboard.clear()
                self._reply_keyboard.add(chat_id)
            elif isinstance(part.markup, ReplyKeyboardRemove):
                self._reply_keyboard.discard(chat_id)
            inline = isinstance(part.markup, InlineKeyboardMarkup)
            return message.message_id if inline else None
        if isinstance(part, DocumentPart):
            await self._bot.send_document(chat_id, part.data, filename=part.filename)
            return None
        files = [(item, await asyncio.to_thread(self._read, item)) for item in part.items]
        if len(files) == 1:
            item, data = files[0]
            if item.kind == MediaKind.VIDEO:
                await self._bot.send_video(chat_id, data)
            else:
                await self._bot.send_photo(chat_id, data)
            return None
        media: list[Any] = [
            InputMediaVideo(data) if item.kind == MediaKind.VIDEO else InputMediaPhoto(data)
            for item, data in files
        ]
        await self._bot.send_media_group(chat_id, media)
        return None

    def _read(self, item: StoredMedia) -> bytes:
        return self._media.served_copy(item.relative_path, item.mime)[0]  # no location
