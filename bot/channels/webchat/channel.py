"""The web chat channel: a page at /chat and a small JSON API it talks to.

The browser's identity is a server-issued session cookie (``bot.channels.webchat.sessions``); no id
of the chat ever appears in a URL or a request body. The browser pulls its messages: a
web chat outbox row counts as delivered once the browser has fetched it. Photos attached
to messages (a claim's evidence on a handoff card) are linked with short-lived signed
URLs (``bot.channels.webchat.media_links``), made only for the parties allowed to see them
(``domain.services.may_view_media``); an expired link still works for a browser whose
session may see the photo, for nobody else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from bot.channels.webchat import CHANNEL
from bot.channels.webchat.media_links import MAX_SIGNATURE, MediaLinks
from bot.channels.webchat.sessions import ChatSessions
from bot.engine import SqlEngine
from bot.media_intake import MediaIntake, Upload
from bot.rendering import render
from bot.superseded import superseded
from bot.web.security.media_response import media_copy_response
from domain.clock import Clock
from domain.services import may_view_media
from locales.catalog import Catalogs
from messages.inbound import Inbound, InboundKind, MediaItem
from scheduler.dispatcher import ChannelSender, Pacing
from storage.db import Database
from storage.media.types import MediaRejection
from storage.records import OutboxRow
from storage.uow import SqlUnitOfWork

WEB_DIR = Path(__file__).parent / "static"
STATIC_FILES = {"chat.js": "text/javascript", "chat.css": "text/css"}
ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
UPLOAD_CHUNK = 1024 * 1024
HISTORY = 100  # messages per answer; chat.js knows this number too
MAX_MESSAGE_BYTES = 128 * 1024  # 20,000 characters of Chinese text and the JSON around them


class ChatMessageIn(BaseModel):
    message_id: str = Field(pattern=ID_PATTERN)
    language: str | None = Field(default=None, max_length=35)
    kind: Literal["text", "choice", "location", "open"]  # open: the chat shown, still empty
    text: str | None = Field(default=None, max_length=20000)
    value: str | None = Field(default=None, max_length=64)
    lat: float | None = None
    lon: float | None = None
    accuracy: float | None = None
    after: int = 0


class ChoiceOut(BaseModel):
    value: str
    label: str


class AttachmentOut(BaseModel):
    url: str
    kind: str


class ChatMessageOut(BaseModel):
    id: int
    text: str
    choices: list[ChoiceOut]
    request_location: bool
    attachments: list[AttachmentOut]


class ChatBatch(BaseModel):
    messages: list[ChatMessageOut]
    cursor: int
    # The locale the bot speaks in this chat (its newest message's); None: no message in
    # this batch. The page's own words follow it (after /lang too).
    locale: str | None = None
    # A name for this chat the page keys its own records by (not a credential); None
    # before the browser has a session.
    chat: str | None = None
    # Messages (of this batch or shown before) whose buttons a newer turn superseded:
    # the page greys them (bot/superseded.py).
    superseded: list[int] = Field(default_factory=list)


class WebChat:
    """A ``Channel`` that sends nothing itself: the browser pulls its outbox rows."""

    name = CHANNEL
    pacing = Pacing()

    def __init__(
        self,
        engine: SqlEngine,
        database: Database,
        intake: MediaIntake,
        catalogs: Catalogs,
        clock: Clock,
        sessions: ChatSessions,
        links: MediaLinks,
        *,
        max_upload_bytes: int,
        max_files: int,
        max_upload_request_bytes: int,
    ) -> None:
        self._engine = engine
        self._database = database
        self._intake = intake
        self._catalogs = catalogs
        self._clock = clock
        self._sessions = sessions
        self._links = links
        self._max_upload_bytes = max_upload_bytes
        self._max_files = max_files
        self._max_upload_request_bytes = max_upload_request_bytes

    @property
    def sessions(self) -> ChatSessions:
        return self._sessions

    @property
    def sender(self) -> ChannelSender | None:
        return None  # a row counts as delivered once the browser has fetched it

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def router(self) -> APIRouter:
        router = APIRouter()
        router.add_api_route("/chat", self.page, methods=["GET"], include_in_schema=False)
        router.add_api_route(
            "/chat/static/{name}", self.static, methods=["GET"], include_in_schema=False
        )
        router.add_api_route(
            "/chat/api/messages", self.send, methods=["POST"], max_body_size=MAX_MESSAGE_BYTES
        )
        router.add_api_route("/chat/api/messages", self.poll, methods=["GET"])
        router.add_api_route(
            "/chat/api/upload",
            self.upload,
            methods=["POST"],
            max_body_size=self._max_upload_request_bytes,
        )
        router.add_api_route(
            "/chat/media/{media_id}", self.media, methods=["GET"], include_in_schema=False
        )
        return router

    def page(self) -> FileResponse:
        return FileResponse(WEB_DIR / "chat.html", media_type="text/html; charset=utf-8")

    def static(self, name: str) -> FileResponse:
        if name not in STATIC_FILES:
            raise HTTPException(404)
        return FileResponse(WEB_DIR / name, media_type=STATIC_FILES[name])

    def media(
        self,
        request: Request,
        response: Response,
        media_id: int,
        exp: Annotated[int, Query(ge=0)] = 0,
        sig: Annotated[str, Query(max_length=MAX_SIGNATURE)] = "",
    ) -> Response:
        """An attached photo or video: by a valid signed link, or for a browser whose
        session's party may see it; else 404."""
        allowed = self._links.valid(media_id, exp, sig, self._clock.now())
        if not allowed:
            chat = self._sessions.current(request, response, renew=False)
            with self._database.reading() as uow:
                party = None if chat is None else uow.recipients.party_of(CHANNEL, chat)
                allowed = party is not None and may_view_media(uow, party, media_id)
        found = self._intake.served_copy(media_id) if allowed else None
        if found is None:
            raise HTTPException(404)
        data, mime = found  # without the place it was taken
        return media_copy_response(data, mime, media_id)

    def send(self, request: Request, response: Response, message: ChatMessageIn) -> ChatBatch:
        """Take one typed text, tapped choice or shared location (a first message opens
        the browser's session)."""
        chat = self._sessions.current_or_new(request, response)
        self._engine.process(self._inbound(chat, message))
        return self._deliver(chat, message.after)

    def poll(
        self,
        request: Request,
        response: Response,
        after: Annotated[int, Query(ge=0)] = 0,
    ) -> ChatBatch:
        chat = self._sessions.current(request, response)
        if chat is None:  # nothing said yet: no session, nothing to show
            return ChatBatch(messages=[], cursor=after)
        return self._deliver(chat, after)

    async def upload(
        self,
        request: Request,
        response: Response,
        message_id: Annotated[str, Form(pattern=ID_PATTERN)],
        files: Annotated[list[UploadFile], File()],
        language: Annotated[str | None, Form(max_length=35)] = None,
        after: Annotated[int, Form(ge=0)] = 0,
    ) -> ChatBatch:
        """Take one or more photos/videos sent together; refusals are answered, not raised."""
        if len(files) > self._max_files:
            raise HTTPException(413, f"at most {self._max_files} files at once")
        chat = await run_in_threadpool(self._sessions.current_or_new, request, response)
        uploads: list[Upload] = []
        too_large = 0
        for file in files:
            data = await self._read_limited(file)
            if data is None:
                too_large += 1
            else:
                kind = _declared_kind(file.content_type)
                uploads.append(Upload(data, kind, file.filename, f"{CHANNEL}:{chat}"))
        result = await run_in_threadpool(self._intake.accept, uploads)
        rejected = result.rejected + (MediaRejection.TOO_LARGE.value,) * too_large
        inbound = self._media_inbound(chat, message_id, language, result.items, rejected)
        await run_in_threadpool(self._engine.process, inbound)
        return await run_in_threadpool(self._deliver, chat, after)

    async def _read_limited(self, file: UploadFile) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while chunk := await file.read(UPLOAD_CHUNK):
            size += len(chunk)
            if size > self._max_upload_bytes:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _inbound(self, chat: str, message: ChatMessageIn) -> Inbound:
        base: dict[str, Any] = {
            "channel": CHANNEL,
            "user_id": chat,
            "chat_id": chat,
            "message_id": f"{chat}:{message.message_id}",  # the browser's id, per sender
            "received_at": self._clock.now(),
            "language_hint": message.language,
        }
        if message.kind == "choice":
            return Inbound(kind=InboundKind.CHOICE, text=message.value or "", **base)
        if message.kind == "open":
            return Inbound(kind=InboundKind.EVENT, payload={"event": "open"}, **base)
        if message.kind == "location":
            payload = {"lat": message.lat, "lon": message.lon, "system": "wgs84"}
            return Inbound(kind=InboundKind.LOCATION, payload=payload, **base)
        return Inbound(kind=InboundKind.TEXT, text=message.text or "", **base)

    def _media_inbound(
        self,
        user_id: str,
        message_id: str,
        language: str | None,
        items: tuple[MediaItem, ...],
        rejected: tuple[str, ...],
    ) -> Inbound:
        return Inbound(
            channel=CHANNEL,
            user_id=user_id,
            chat_id=user_id,
            message_id=f"{user_id}:{message_id}",  # the browser's id, per sender
            kind=InboundKind.MEDIA,
            received_at=self._clock.now(),
            media=items,
            rejected=rejected,
            language_hint=language,
        )

    def _deliver(self, chat: str, after: int) -> ChatBatch:
        """The chat's messages after ``after``; ``after=0`` (a page opened afresh): the
        newest HISTORY of them, so that old messages and their buttons do not come first."""
        now = self._clock.now()
        with self._database.reading() as uow:  # a poll with nothing new writes nothing
            if after == 0:
                rows = uow.outbox.newest_for_chat(CHANNEL, chat, HISTORY)
            else:
                rows = uow.outbox.for_chat(CHANNEL, chat, after, HISTORY)
            attached = {media_id for row in rows for media_id in row.payload.get("attachments", [])}
            kinds = self._visible_kinds(uow, chat, attached)
            shown = rows if after == 0 or not rows else uow.outbox.newest_for_chat(CHANNEL, chat)
        unsent = [row.id for row in rows if row.sent_at is None]
        if unsent:
            with self._database.unit_of_work() as uow:
                uow.outbox.mark_sent(unsent, now)
                uow.commit()
        links = {media_id: self._links.url(media_id, now) for media_id in kinds}
        messages = [self._message(row, kinds, links) for row in rows]
        cursor = max((row.id for row in rows), default=after)
        locale = rows[-1].locale if rows else None
        marker = self._sessions.marker(chat)
        return ChatBatch(
            messages=messages,
            cursor=cursor,
            locale=locale,
            chat=marker,
            superseded=superseded(shown[-HISTORY:]),
        )

    @staticmethod
    def _visible_kinds(uow: SqlUnitOfWork, chat: str, media_ids: set[int]) -> dict[int, str]:
        """The kind of each attachment the chat's party may see (the others are left out)."""
        party = uow.recipients.party_of(CHANNEL, chat) if media_ids else None
        if party is None:
            return {}
        kinds: dict[int, str] = {}
        for media_id in media_ids:
            stored = uow.media.get(media_id)
            if stored is not None and may_view_media(uow, party, media_id):
                kinds[media_id] = stored.kind
        return kinds

    def _message(
        self, row: OutboxRow, kinds: dict[int, str], links: dict[int, str]
    ) -> ChatMessageOut:
        rendered = render(self._catalogs, row.locale, row.payload)
        return ChatMessageOut(
            id=row.id,
            text=rendered.text,
            choices=[ChoiceOut(value=c.value, label=c.label) for c in rendered.choices],
            request_location=rendered.request_location,
            attachments=[
                AttachmentOut(url=links[media_id], kind=kinds[media_id])
                for media_id in rendered.attachments
                if media_id in kinds
            ],
        )


def _declared_kind(content_type: str | None) -> str | None:
    if content_type and content_type.startswith("image/"):
        return "photo"
    if content_type and content_type.startswith("video/"):
        return "video"
    return None
