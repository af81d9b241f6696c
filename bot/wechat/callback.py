"""``GET|POST /wechat/callback``: WeChat's server talks to us here.

Order of checks, cheapest and safest first: the query signature (token, timestamp,
nonce; constant-time, timestamp within ±5 minutes) before the body is read; the body
size while it is read; then, in safe or compatible mode, the message signature over the
encrypted payload before it is decrypted; DOCTYPE/entities and malformed XML before any
field is used. An accepted message is recorded in the inbox (once, whatever WeChat's
retries) and answered ``success`` at once; the real answer goes out later through the
customer-service API.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import queue
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException

from domain.clock import Clock
from storage.db import Database
from storage.wechat_delivery import WeChatQueue, WeChatQuotas
from storage.wechat_inbox import InboxMessage, WeChatInbox

log = logging.getLogger(__name__)

CHANNEL = "wechat"
MAX_BODY_BYTES = 64 * 1024
MAX_CLOCK_SKEW = 300  # seconds between WeChat's timestamp and ours
MAX_ECHOSTR = 128
MAX_DEDUPE_KEY = 200
_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)

# The customer-service allowance each user action opens: (kind, messages, lifetime).
MESSAGE_GRANT = ("message", 5, timedelta(hours=48))
EVENT_GRANT = ("event", 3, timedelta(minutes=1))
USER_MESSAGES = frozenset({"text", "image", "voice", "video", "shortvideo", "location", "link"})
GRANTING_EVENTS = frozenset({"subscribe", "click", "scan", "scancode_push", "scancode_waitmsg"})


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class CallbackConfig:
    token: str
    app_id: str
    aes_key: str | None = None


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts sorted and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def verify_query(token: str, query: Mapping[str, str], now: float) -> None:
    """The query signature and timestamp freshness (403 when wrong), before any body."""
    given = query.get("signature", "")
    timestamp = query.get("timestamp", "")
    nonce = query.get("nonce", "")
    if not (given and timestamp and nonce) or len(nonce) > 64 or not timestamp.isdigit():
        raise Refused(403, "missing or malformed signature parameters")
    if abs(now - int(timestamp[:12])) > MAX_CLOCK_SKEW:
        raise Refused(403, "timestamp too far off")
    if not _same(signature(token, timestamp, nonce), given):
        raise Refused(403, "bad signature")


def _same(expected: str, given: str) -> bool:
    """Constant-time comparison of a hex signature with what was sent (any characters)."""
    return hmac.compare_digest(expected.encode(), given.lower().encode("utf-8", "replace"))


def _parse_xml(data: bytes | str) -> dict[str, Any]:
    raw = data.encode() if isinstance(data, str) else data
    if _DECLARATIONS.search(raw):
        raise Refused(400, "XML declarations are not accepted")
    try:
        tree = xmltodict.parse(raw, disable_entities=True)
    except (ExpatError, ValueError) as exc:
        raise Refused(400, f"malformed XML: {exc}") from None
    root = tree.get("xml") if isinstance(tree, dict) else None
    if not isinstance(root, dict):
        raise Refused(400, "not a WeChat message")
    return root


def decode(
    config: CallbackConfig, crypto: WeChatCrypto | None, query: Mapping[str, str], body: bytes
) -> tuple[str, dict[str, Any]]:
    """The message XML in plaintext and its fields; encrypted bodies are checked, then opened."""
    envelope = _parse_xml(body)
    if query.get("encrypt_type", "raw").lower() != "aes":
        return body.decode("utf-8", "replace"), envelope
    encrypted = envelope.get("Encrypt")
    if crypto is None:
        if "MsgType" in envelope:  # compatible mode: the plaintext fields are there too
            return body.decode("utf-8", "replace"), envelope
        raise Refused(400, "encrypted message but CLAIMBOT_WECHAT_AES_KEY is not set")
    if not isinstance(encrypted, str) or len(encrypted) > MAX_BODY_BYTES:
        raise Refused(400, "no Encrypt element")
    expected = signature(config.token, query["timestamp"], query["nonce"], encrypted)
    if not _same(expected, query.get("msg_signature", "")):
        raise Refused(403, "bad message signature")
    try:
        plain = crypto.decrypt_message(
            {"Encrypt": encrypted}, expected, query["timestamp"], query["nonce"]
        )
    except InvalidAppIdException:
        raise Refused(403, "message for another app id") from None
    except Exception as exc:  # bad padding, bad base64, ...
        raise Refused(400, f"cannot decrypt: {type(exc).__name__}") from None
    text = plain.decode("utf-8", "replace") if isinstance(plain, bytes) else str(plain)
    return text, _parse_xml(text)


def _field(fields: Mapping[str, Any], name: str, limit: int) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise Refused(400, f"bad {name}")
    return value


def inbox_message(xml: str, fields: Mapping[str, Any]) -> InboxMessage:
    """What the inbox keeps: the dedupe key (MsgId; for events sender+time+event+key)."""
    openid = _field(fields, "FromUserName", 128)
    msg_type = _field(fields, "MsgType", 40).lower()
    if not openid or not msg_type:
        raise Refused(400, "FromUserName and MsgType are required")
    msg_id = _field(fields, "MsgId", 64) or _field(fields, "MsgID", 64)
    if msg_id and msg_id != "0":
        key = f"msg:{msg_id}"
    else:
        parts = (
            openid,
            _field(fields, "CreateTime", 20),
            _field(fields, "Event", 64),
            _field(fields, "EventKey", 1024),
        )
        key = "evt:" + ":".join(parts)
        if len(key) > MAX_DEDUPE_KEY:
            key = "evt:" + hashlib.sha256(key.encode()).hexdigest()
    event = _field(fields, "Event", 64).lower()
    return InboxMessage(
        dedupe_key=key,
        openid=openid,
        msg_type=f"event:{event}" if msg_type == "event" else msg_type,
        body=xml,
    )


class WeChatCallback:
    def __init__(
        self,
        config: CallbackConfig,
        database: Database,
        clock: Clock,
        on_recorded: Callable[[], None],
    ) -> None:
        self._config = config
        self._crypto = (
            WeChatCrypto(config.token, config.aes_key, config.app_id) if config.aes_key else None
        )
        self._database = database
        self._clock = clock
        self._on_recorded = on_recorded
        self.recorder = GroupCommit(self._record_all)

    def router(self) -> APIRouter:
        router = APIRouter()
        router.add_api_route(
            "/wechat/callback", self.handshake, methods=["GET"], response_class=PlainTextResponse
        )
        router.add_api_route(
            "/wechat/callback", self.receive, methods=["POST"], response_class=PlainTextResponse
        )
        return router

    async def handshake(self, request: Request) -> PlainTextResponse:
        """WeChat checks the server URL: echo ``echostr`` if the signature holds."""
        query = request.query_params
        try:
            verify_query(self._config.token, query, self._clock.now().timestamp())
        except Refused as refusal:
            raise HTTPException(refusal.status, refusal.reason) from None
        echostr = query.get("echostr", "")
        if not echostr or len(echostr) > MAX_ECHOSTR or not echostr.isalnum():
            raise HTTPException(400, "bad echostr")
        return PlainTextResponse(echostr)

    async def receive(self, request: Request) -> PlainTextResponse:
        query = request.query_params
        try:
            verify_query(self._config.token, query, self._clock.now().timestamp())
            body = await _read_capped(request)
            xml, fields = decode(self._config, self._crypto, query, body)
            message = inbox_message(xml, fields)
        except Refused as refusal:
            if refusal.status != 403:
                log.warning("wechat callback refused: %s", refusal.reason)
            raise HTTPException(refusal.status, refusal.reason) from None
        if await self.recorder.submit(message):
            self._on_recorded()
        return PlainTextResponse("success")

    def _record_all(self, messages: Sequence[InboxMessage]) -> list[bool]:
        """Record messages in one transaction; False for each one recorded before."""
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            inbox = WeChatInbox(uow.connection)
            quotas = WeChatQuotas(uow.connection)
            queue = WeChatQueue(uow.connection)
            recorded = []
            for message in messages:
                new = inbox.record(message, now)  # False: WeChat's retry of a message we have
                recorded.append(new)
                grant = _grant_for(message.msg_type) if new else None
                if grant is not None:
                    kind, allowance, lifetime = grant
                    quotas.grant(message.openid, kind, now, allowance, lifetime)
                    queue.release(CHANNEL, message.openid, now)
            uow.commit()
        return recorded


class GroupCommit:
    """One thread writes what the callbacks accepted, all that waits in one transaction.

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


def _grant_for(msg_type: str) -> tuple[str, int, timedelta] | None:
    if msg_type in USER_MESSAGES:
        return MESSAGE_GRANT
    if msg_type.startswith("event:") and msg_type[len("event:") :] in GRANTING_EVENTS:
        return EVENT_GRANT
    return None


async def _read_capped(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Refused(413, "body too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Refused(413, "body too large")
        chunks.append(chunk)
    if not size:
        raise Refused(400, "empty body")
    return b"".join(chunks)
