"""A fake Telegram Bot API server on 127.0.0.1 that the real python-telegram-bot talks to.

It answers the methods the bot uses with the real JSON shapes (``{"ok": true, "result":
...}``, errors ``{"ok": false, "error_code": ..., "description": ..., "parameters":
{"retry_after": n}}``), long-polls getUpdates, delivers updates to a registered webhook
(with the secret header, one chat in order, chats in parallel), serves file downloads,
and records everything the bot sent. A test (or the benchmark) acts as users through
`FakeUser`: text, photos, albums, documents, videos, locations, taps on buttons.

Failure injection: `fail(method, status, retry_after=...)` makes the next call(s) of a
method fail; `chat_interval` makes the server answer 429 when a chat gets two messages
closer together than that (as Telegram does, about one per second).

The server runs on its own thread and event loop; the public methods are thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from tests.live_server import serve

BOT_ID = 7000001
BOT_USERNAME = "claimbot_test_bot"
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the cloud Bot API's getFile limit
JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "media", "scope"}
SEND_METHODS = {"sendmessage", "sendphoto", "sendvideo", "sendmediagroup", "senddocument"}
JsonDict = dict[str, Any]
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


@dataclass
class SentMessage:
    """A message the bot sent, as the server accepted it."""

    method: str
    chat_id: str
    message_id: int
    at: float
    text: str = ""
    reply_markup: JsonDict | None = None
    media: list[bytes] = field(default_factory=list)
    filename: str = ""  # a document's, as uploaded

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of the inline keyboard, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    @property
    def values(self) -> list[str]:
        return [value for _, value in self.buttons]

    @property
    def requests_location(self) -> bool:
        rows = (self.reply_markup or {}).get("keyboard", [])
        return any(isinstance(b, dict) and b.get("request_location") for r in rows for b in r)

    @property
    def removes_keyboard(self) -> bool:
        return bool((self.reply_markup or {}).get("remove_keyboard"))


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    path: str
    data: bytes | None  # None: announced only (e.g. too large to download)
    size: int


@dataclass
class Injected:
    status: int
    retry_after: int | None
    description: str


def ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def error(status: int, description: str, retry_after: int | None = None) -> JSONResponse:
    body: JsonDict = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return JSONResponse(body, status_code=status)


class FakeBotApi:
    def __init__(self, token: str, *, chat_interval: float = 0.0) -> None:
        self.token = token
        self.chat_interval = chat_interval
        self.base_url = ""
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._update_ids = itertools.count(100_000)
        self._file_ids = itertools.count(1)
        self._message_ids: defaultdict[str, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._pending: list[JsonDict] = []  # updates waiting for getUpdates
        # Called with each update before it is handed over (the harness records the
        # sender's agreement to the privacy notice there).
        self.before_update: Callable[[JsonDict], None] | None = None
        self.updates: dict[int, JsonDict] = {}  # every update made, by id
        self._webhook_queue: asyncio.Queue[JsonDict] | None = None
        self._chat_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._last_send: dict[str, float] = {}
        self._awaiting_reply: dict[str, float] = {}
        self._injected: defaultdict[str, list[Injected]] = defaultdict(list)
        self._answered: set[str] = set()
        self._held: set[str] = set()  # methods whose calls wait until released
        self.held_calls: Counter[str] = Counter()  # calls that had to wait, by method
        self._tasks: set[asyncio.Task[None]] = set()
        self.files: dict[str, StoredFile] = {}
        # What happened, for assertions.
        self.sent: list[SentMessage] = []
        self._by_chat: defaultdict[str, list[SentMessage]] = defaultdict(list)
        self.listeners: list[Callable[[SentMessage], None]] = []  # called on each message sent
        self.calls: list[tuple[str, JsonDict, int, float]] = []  # method, params, status, at
        self.callback_answers: list[JsonDict] = []
        self.webhook_replies: list[str] = []  # methods carried by webhook answers
        self.edits: list[JsonDict] = []
        self.commands: dict[str | None, list[JsonDict]] = {}
        self.webhook: JsonDict | None = None
        # A load balancer before several workers: updates go round-robin to these URLs
        # (by update id) instead of the registered webhook's (empty: no balancer).
        self.spread_to: list[str] = []
        self.deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status) per attempt
        self.get_file_calls: Counter[str] = Counter()
        self.downloads: Counter[str] = Counter()
        self.rate_limited = 0
        self.latencies: list[float] = []  # update delivered -> the bot's next message, seconds
        self.app = self._build_app()

    # --- running -------------------------------------------------------------------

    @contextmanager
    def running(self) -> Iterator[FakeBotApi]:
        with serve(self.app) as base:
            self.base_url = base
            yield self

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/bot"

    @property
    def file_url(self) -> str:
        return f"{self.base_url}/file/bot"

    # --- acting as users -------------------------------------------------------------

    def user(self, user_id: int, *, language_code: str | None = "zh-hans") -> FakeUser:
        return FakeUser(self, user_id, language_code)

    def add_file(
        self, data: bytes | None, *, size: int | None = None, ext: str = "jpg"
    ) -> StoredFile:
        number = next(self._file_ids)
        stored = StoredFile(
            file_id=f"FILE{number:06d}-{len(data or b'')}",
            unique_id=f"U{number:06d}",
            path=f"files/file_{number}.{ext}",
            data=data,
            size=size if size is not None else len(data or b""),
        )
        with self._lock:
            self.files[stored.file_id] = stored
        return stored

    def next_message_id(self, chat_id: str) -> int:
        with self._lock:
            return next(self._message_ids[chat_id])

    def push(self, body: JsonDict) -> int:
        """Make an update (``body`` without update_id) and hand it to the bot."""
        if self.before_update is not None:
            self.before_update(body)
        with self._lock:
            update = {"update_id": next(self._update_ids), **body}
            self.updates[update["update_id"]] = update
            webhook = self.webhook is not None
            if not webhook:
                self._pending.append(update)
        if webhook:
            self.redeliver(update)
        return int(update["update_id"])

    def redeliver(self, update: JsonDict) -> None:
        """Deliver an update (again) to the webhook: what Telegram does after a timeout."""
        loop, queue = self._loop, self._webhook_queue
        assert loop is not None and queue is not None, "the server is not running"
        loop.call_soon_threadsafe(queue.put_nowait, update)

    # --- failure injection and inspection ----------------------------------------------

    def fail(
        self, method: str, status: int, *, retry_after: int | None = None, times: int = 1
    ) -> None:
        descriptions = {
            429: f"Too Many Requests: retry after {retry_after}",
            500: "Internal Server Error",
            502: "Bad Gateway",
            403: "Forbidden: bot was blocked by the user",
            400: "Bad Request: message is not modified",
        }
        with self._lock:
            self._injected[method.lower()].extend(
                Injected(status, retry_after, descriptions.get(status, "Error"))
                for _ in range(times)
            )

    def hold(self, method: str) -> None:
        """Keep calls of `method` waiting (a slow Telegram) until `release(method)`."""
        with self._lock:
            self._held.add(method.lower())

    def release(self, method: str) -> None:
        with self._lock:
            self._held.discard(method.lower())

    def unconfirmed(self) -> list[int]:
        """Update ids getUpdates has not been told (by a higher offset) to drop yet."""
        with self._lock:
            return [int(update["update_id"]) for update in self._pending]

    def messages(self, chat_id: int | str | None = None) -> list[SentMessage]:
        with self._lock:
            return list(self.sent if chat_id is None else self._by_chat.get(str(chat_id), []))

    def statuses(self, method: str) -> list[int]:
        with self._lock:
            return [status for name, _, status, _ in self.calls if name == method.lower()]

    def wait_until(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the fake Bot API")
            time.sleep(0.01)

    # --- the HTTP side -----------------------------------------------------------------

    def _build_app(self) -> FastAPI:
        @asynccontextmanager
        async def lifespan(_: FastAPI) -> Any:
            self._loop = asyncio.get_running_loop()
            self._webhook_queue = asyncio.Queue()
            client = httpx.AsyncClient(timeout=30)
            dispatcher = asyncio.create_task(self._deliver_forever(client))
            try:
                yield
            finally:
                dispatcher.cancel()
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(dispatcher, *self._tasks, return_exceptions=True)
                await client.aclose()

        app = FastAPI(lifespan=lifespan)
        app.add_api_route("/bot{token}/{method}", self._method, methods=["GET", "POST"])
        app.add_api_route("/file/bot{token}/{path:path}", self._download, methods=["GET"])
        return app

    async def _method(self, token: str, method: str, request: Request) -> Response:
        if unquote(token) != self.token:
            return error(401, "Unauthorized")
        name = method.lower()
        params = await self._params(request)
        response = await self._answer(name, params)
        with self._lock:
            self.calls.append((name, params, response.status_code, time.monotonic()))
        return response

    async def _params(self, request: Request) -> JsonDict:
        params: JsonDict = dict(request.query_params)
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            params.update(await request.json())
            return params
        form = await request.form()
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                params[key] = await value.read()
                params[f"{key}:filename"] = value.filename or ""
            elif key in JSON_FIELDS:
                params[key] = json.loads(value)
            else:
                params[key] = value
        return params

    async def _answer(self, name: str, params: JsonDict) -> Response:
        if name in self._held:
            with self._lock:
                self.held_calls[name] += 1
        while name in self._held:
            await asyncio.sleep(0.01)
        with self._lock:
            injected = self._injected[name].pop(0) if self._injected[name] else None
        if injected is not None:
            return error(injected.status, injected.description, injected.retry_after)
        if name in SEND_METHODS:
            chat_id = str(params.get("chat_id"))
            limited = self._rate_limited(chat_id)
            if limited is not None:
                return limited
        handler = getattr(self, f"_m_{name}", None)
        if handler is None:
            return error(404, "Not Found")
        result = handler(params)
        if asyncio.iscoroutine(result):
            result = await result
        return result if isinstance(result, Response) else ok(result)

    def _rate_limited(self, chat_id: str) -> Response | None:
        now = time.monotonic()
        with self._lock:
            last = self._last_send.get(chat_id)
            if self.chat_interval > 0 and last is not None and now - last < self.chat_interval:
                self.rate_limited += 1
                return error(429, "Too Many Requests: retry after 1", 1)
            self._last_send[chat_id] = now
            started = self._awaiting_reply.pop(chat_id, None)
            if started is not None:
                self.latencies.append(now - started)
        return None

    async def _download(self, token: str, path: str) -> Response:
        if unquote(token) != self.token:
            return error(401, "Unauthorized")
        with self._lock:
            found = next((f for f in self.files.values() if f.path == path), None)
            if found is not None:
                self.downloads[found.file_id] += 1
        if found is None or found.data is None:
            return Response(status_code=404)
        return Response(found.data, media_type="application/octet-stream")

    # --- methods ---------------------------------------------------------------------

    def _bot_user(self) -> JsonDict:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Claimbot", "username": BOT_USERNAME}

    def _m_getme(self, params: JsonDict) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getupdates(self, params: JsonDict) -> Any:
        if self.webhook is not None:
            return error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset:  # confirms every update below the offset
                    self._pending = [u for u in self._pending if u["update_id"] >= offset]
                ready = self._pending[:limit]
                for update in ready:
                    self._mark_awaiting(update)
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.01)

    def _m_setwebhook(self, params: JsonDict) -> bool:
        with self._lock:
            self.webhook = {
                "url": params["url"],
                "secret_token": params.get("secret_token"),
                "allowed_updates": params.get("allowed_updates"),
            }
            pending, self._pending = self._pending, []
        for update in pending:
            self.redeliver(update)
        return True

    def _m_deletewebhook(self, params: JsonDict) -> bool:
        with self._lock:
            self.webhook = None
            if str(params.get("drop_pending_updates", "")).lower() == "true":
                self._pending = []
        return True

    def _m_getwebhookinfo(self, params: JsonDict) -> JsonDict:
        with self._lock:
            url = self.webhook["url"] if self.webhook else ""
            return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}

    def _m_setmycommands(self, params: JsonDict) -> bool:
        with self._lock:
            self.commands[params.get("language_code") or None] = params["commands"]
        return True

    def _m_getmycommands(self, params: JsonDict) -> list[JsonDict]:
        with self._lock:
            return self.commands.get(params.get("language_code") or None, [])

    def _m_sendmessage(self, params: JsonDict) -> Any:
        text = str(params.get("text", ""))
        if not text:
            return error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return error(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        return self._record("sendmessage", params, text=text, markup=markup)

    def _m_sendphoto(self, params: JsonDict) -> JsonDict:
        return self._record("sendphoto", params, media=[params["photo"]])

    def _m_sendvideo(self, params: JsonDict) -> JsonDict:
        return self._record("sendvideo", params, media=[params["video"]])

    def _m_senddocument(self, params: JsonDict) -> Any:
        document = params.get("document")
        if not isinstance(document, bytes) or not document:
            return error(400, "Bad Request: there is no document in the request")
        name = str(params.get("document:filename", ""))
        return self._record("senddocument", params, media=[document], filename=name)

    def _m_sendmediagroup(self, params: JsonDict) -> list[JsonDict]:
        items = params["media"]
        files = [params[item["media"].removeprefix("attach://")] for item in items]
        return [self._record("sendmediagroup", params, media=[data]) for data in files]

    def _record(
        self,
        method: str,
        params: JsonDict,
        *,
        text: str = "",
        markup: JsonDict | None = None,
        media: list[bytes] | None = None,
        filename: str = "",
    ) -> JsonDict:
        chat_id = str(params["chat_id"])
        message_id = self.next_message_id(chat_id)
        at = time.monotonic()
        sent = SentMessage(method, chat_id, message_id, at, text, markup, media or [], filename)
        with self._lock:
            self.sent.append(sent)
            self._by_chat[chat_id].append(sent)
        for listener in self.listeners:
            listener(sent)
        message: JsonDict = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": int(chat_id), "type": "private", "first_name": "Owner"},
            "from": self._bot_user(),
        }
        if text:
            message["text"] = text
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        if media and method == "senddocument":
            message["document"] = {
                "file_id": f"SENT{message_id}",
                "file_unique_id": f"S{message_id}",
                "file_name": filename,
            }
        elif media:
            message["photo"] = [
                {
                    "file_id": f"SENT{message_id}",
                    "file_unique_id": f"S{message_id}",
                    "width": 800,
                    "height": 600,
                }
            ]
        return message

    def _m_getfile(self, params: JsonDict) -> Any:
        file_id = str(params["file_id"])
        with self._lock:
            self.get_file_calls[file_id] += 1
            stored = self.files.get(file_id)
        if stored is None:
            return error(400, "Bad Request: invalid file_id")
        if stored.size > DOWNLOAD_LIMIT:
            return error(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": stored.size,
            "file_path": stored.path,
        }

    def _m_answercallbackquery(self, params: JsonDict) -> Any:
        query_id = str(params["callback_query_id"])
        with self._lock:
            if query_id in self._answered:
                return error(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID "
                    "is invalid",
                )
            self._answered.add(query_id)
            self.callback_answers.append(params)
        return True

    def _m_editmessagereplymarkup(self, params: JsonDict) -> Any:
        return self._edit(params)

    def _m_editmessagetext(self, params: JsonDict) -> Any:
        return self._edit(params)

    def _edit(self, params: JsonDict) -> Any:
        chat_id, message_id = str(params.get("chat_id")), int(params.get("message_id", 0))
        with self._lock:
            self.edits.append(params)
            target = next(
                (m for m in self.sent if m.chat_id == chat_id and m.message_id == message_id),
                None,
            )
            if target is None:
                return error(400, "Bad Request: message to edit not found")
            if _unchanged(target, params):
                return error(400, NOT_MODIFIED)
            target.reply_markup = params.get("reply_markup")
            if "text" in params:
                target.text = str(params["text"])
        message: JsonDict = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": int(chat_id), "type": "private", "first_name": "Owner"},
            "from": self._bot_user(),
            "text": target.text,
        }
        return message

    # --- webhook delivery -----------------------------------------------------------------

    def _mark_awaiting(self, update: JsonDict) -> None:
        """Start the clock for the bot's answer to this update (lock held)."""
        chat = _chat_of(update)
        if chat is not None:
            self._awaiting_reply.setdefault(chat, time.monotonic())

    async def _deliver_forever(self, client: httpx.AsyncClient) -> None:
        assert self._webhook_queue is not None
        limit = asyncio.Semaphore(40)  # Telegram's default max_connections
        while True:
            update = await self._webhook_queue.get()
            task = asyncio.create_task(self._deliver(client, limit, update))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(
        self, client: httpx.AsyncClient, limit: asyncio.Semaphore, update: JsonDict
    ) -> None:
        chat = _chat_of(update) or ""
        async with self._chat_locks[chat], limit:
            for attempt in range(3):
                with self._lock:
                    hook = dict(self.webhook) if self.webhook else None
                    if hook is not None:
                        self._mark_awaiting(update)
                if hook is None:
                    return
                headers = {}
                if hook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = str(hook["secret_token"])
                url = hook["url"]
                if self.spread_to:
                    url = self.spread_to[int(update["update_id"]) % len(self.spread_to)]
                try:
                    response = await client.post(url, json=update, headers=headers)
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0
                with self._lock:
                    self.deliveries.append((int(update["update_id"]), status))
                if 200 <= status < 300:
                    await self._webhook_reply(response)
                    return
                await asyncio.sleep(0.2 * (attempt + 1))

    async def _webhook_reply(self, response: httpx.Response) -> None:
        """Telegram performs the one method a webhook's answer may carry (its result is
        not reported back to the bot)."""
        if not response.headers.get("content-type", "").startswith("application/json"):
            return
        params = dict(response.json())
        name = str(params.pop("method", "")).lower()
        if not name:
            return
        answer = await self._answer(name, params)
        with self._lock:
            self.calls.append((name, params, answer.status_code, time.monotonic()))
            self.webhook_replies.append(name)


def _unchanged(target: SentMessage, params: JsonDict) -> bool:
    """An edit that changes neither the text nor the inline keyboard (Telegram refuses it)."""
    if "text" in params and str(params["text"]) != target.text:
        return False
    before = (target.reply_markup or {}).get("inline_keyboard")
    after = (params.get("reply_markup") or {}).get("inline_keyboard")
    return (before or None) == (after or None)


def _chat_of(update: JsonDict) -> str | None:
    for key in ("message", "edited_message"):
        if key in update:
            return str(update[key]["chat"]["id"])
    query = update.get("callback_query")
    if query is not None:
        message = query.get("message")
        return str(message["chat"]["id"] if message else query["from"]["id"])
    return None


class FakeUser:
    """One Telegram user in a private chat with the bot."""

    def __init__(self, api: FakeBotApi, user_id: int, language_code: str | None) -> None:
        self.api = api
        self.id = user_id
        self.language_code = language_code
        self.seen_before_tap = 0  # messages in the chat when the latest tap was sent

    @property
    def chat_id(self) -> str:
        return str(self.id)

    def _from(self) -> JsonDict:
        user: JsonDict = {"id": self.id, "is_bot": False, "first_name": f"User{self.id}"}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def _message(self, **content: Any) -> JsonDict:
        return {
            "message_id": self.api.next_message_id(self.chat_id),
            "date": int(time.time()),
            "chat": {"id": self.id, "type": "private", "first_name": f"User{self.id}"},
            "from": self._from(),
            **content,
        }

    def send(self, **content: Any) -> int:
        """Any message; returns the update id."""
        return self.api.push({"message": self._message(**content)})

    def text(self, text: str) -> int:
        extra: JsonDict = {}
        if text.startswith("/"):
            command = text.split(" ", 1)[0]
            extra["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.send(text=text, **extra)

    def photo_sizes(self, data: bytes, width: int = 800, height: int = 600) -> list[JsonDict]:
        """Telegram's sizes of one photo, smallest first: only the largest is the real one."""
        sizes = []
        for scale, payload in ((8, b"thumbnail"), (2, b"medium"), (1, data)):
            stored = self.api.add_file(payload)
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.unique_id,
                    "width": width // scale,
                    "height": height // scale,
                    "file_size": stored.size,
                }
            )
        return sizes

    def photo(self, data: bytes, *, media_group_id: str | None = None) -> int:
        extra: JsonDict = {"media_group_id": media_group_id} if media_group_id else {}
        return self.send(photo=self.photo_sizes(data), **extra)

    def album(self, images: list[bytes], *, group: str | None = None) -> list[int]:
        group = group or f"album-{self.id}-{time.monotonic_ns()}"
        return [self.photo(data, media_group_id=group) for data in images]

    def document(self, data: bytes | None, *, mime: str, name: str, size: int | None = None) -> int:
        stored = self.api.add_file(data, size=size, ext=name.rsplit(".", 1)[-1])
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": name,
            "mime_type": mime,
            "file_size": stored.size,
        }
        return self.send(document=document)

    def video(self, data: bytes | None, *, size: int | None = None, note: bool = False) -> int:
        stored = self.api.add_file(data, size=size, ext="mp4")
        common = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "duration": 5,
            "file_size": stored.size,
        }
        if note:
            return self.send(video_note={**common, "length": 240})
        return self.send(video={**common, "width": 640, "height": 480, "mime_type": "video/mp4"})

    def location(self, lat: float, lon: float, *, live: bool = False) -> int:
        location: JsonDict = {"latitude": lat, "longitude": lon}
        if live:
            location["live_period"] = 900
        return self.send(location=location)

    def edit_location(self, message_id: int, lat: float, lon: float) -> int:
        message = self._message(location={"latitude": lat, "longitude": lon, "live_period": 900})
        message["message_id"] = message_id
        message["edit_date"] = int(time.time())
        return self.api.push({"edited_message": message})

    def sticker(self) -> int:
        stored = self.api.add_file(b"RIFF....WEBP", ext="webp")
        return self.send(
            sticker={
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        )

    def tap(self, value: str, message: SentMessage | None = None) -> int:
        """Tap the button with callback data ``value`` (on the latest message offering it;
        a card pushed to this chat by another user's turn may still be on its way)."""
        if message is None:
            offering = self._offering(value)
            if not offering:
                with contextlib.suppress(AssertionError):  # answered below, by name
                    self.api.wait_until(lambda: bool(self._offering(value)), timeout=10)
                offering = self._offering(value)
            if not offering:
                raise AssertionError(f"no message offers {value!r}")
            message = offering[-1]
        self.seen_before_tap = len(self.messages())  # what arrived before the tap, awaited
        query = {
            "id": f"{self.id}{time.monotonic_ns()}",
            "from": self._from(),
            "chat_instance": f"ci{self.id}",
            "data": value,
            "message": {
                "message_id": message.message_id,
                "date": int(time.time()),
                "chat": {"id": self.id, "type": "private", "first_name": f"User{self.id}"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Claimbot"},
                "text": message.text or "-",
            },
        }
        return self.api.push({"callback_query": query})

    def messages(self) -> list[SentMessage]:
        return self.api.messages(self.chat_id)

    def _offering(self, value: str) -> list[SentMessage]:
        return [m for m in self.messages() if value in m.values]
