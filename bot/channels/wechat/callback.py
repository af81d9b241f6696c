"""``GET|POST /wechat/callback``: WeChat's server talks to us here.

Order of checks, cheapest and safest first: the query signature (token, timestamp,
nonce; constant-time, timestamp within ±5 minutes) before the body is read; the body
size while it is read; then the mode: safe mode refuses plaintext, and an encrypted
payload's message signature is checked before it is decrypted; DOCTYPE/entities and
malformed XML before any field is used; then the (timestamp, nonce) pair, which is
accepted again only with the very same body (WeChat's retry, which the inbox dedupes;
any other body is a replay, 403), so that no signed URL can carry a second message.
An accepted message is recorded in the inbox (once, whatever WeChat's retries) and answered
``success`` at once; the real answer goes out later through the customer-service API.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from xml.parsers.expat import ExpatError

import xmltodict
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import Connection
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.utils import WeChatSigner

from bot.channels.wechat.recorder import BatchWriter, GroupCommit, InboxWriter
from domain.clock import Clock
from storage.channels.wechat.inbox import InboxMessage
from storage.channels.wechat.nonces import NonceClaim, Seen, WeChatNonces
from storage.db import Database

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_CLOCK_SKEW = 300  # seconds between WeChat's timestamp and ours
MAX_ECHOSTR = 128
MAX_DEDUPE_KEY = 200
PURGE_EVERY = 500  # pairs remembered between two purges of those past their window
_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


Mode = Literal["plaintext", "compatible", "safe"]
_REFUSALS: dict[int | str, dict[str, Any]] = {  # documented in the OpenAPI document
    400: {"description": "malformed, hostile or undecryptable XML, or a bad echostr"},
    403: {"description": "bad or stale signature, a replayed nonce, or plaintext in safe mode"},
    413: {"description": "body over 64 KiB"},
}


@dataclass(frozen=True)
class CallbackConfig:
    token: str
    app_id: str
    aes_key: str | None = None
    mode: Mode = "plaintext"


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts sorted and concatenated (wechatpy's signer)."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


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
    except (ExpatError, ValueError):
        raise Refused(400, "malformed XML") from None
    root = tree.get("xml") if isinstance(tree, dict) else None
    if not isinstance(root, dict):
        raise Refused(400, "not a WeChat message")
    return root


def decode(
    config: CallbackConfig, crypto: WeChatCrypto | None, query: Mapping[str, str], body: bytes
) -> tuple[str, dict[str, Any]]:
    """The message XML in plaintext and its fields; encrypted bodies are checked, then opened.

    plaintext: the plaintext fields only; compatible: either; safe: encrypted only."""
    encrypted_request = query.get("encrypt_type", "raw").lower() == "aes"
    if config.mode == "safe" and not encrypted_request:
        raise Refused(403, "plaintext message refused in safe mode")
    envelope = _parse_xml(body)
    if not encrypted_request:
        return body.decode("utf-8", "replace"), envelope
    encrypted = envelope.get("Encrypt")
    if crypto is None or config.mode == "plaintext":
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
    except Exception:  # bad padding, bad base64, ...
        raise Refused(400, "cannot decrypt") from None
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
        self._clock = clock
        self._on_recorded = on_recorded
        self._remembered = 0
        self._nonce_writer = BatchWriter(database, clock, self._remember)
        self.nonces = GroupCommit(self._nonce_writer.write, name="wechat-nonce-writer")
        self._writer = InboxWriter(database, clock)
        self.recorder = GroupCommit(self._writer.write)

    def router(self) -> APIRouter:
        router = APIRouter()
        router.add_api_route(
            "/wechat/callback",
            self.handshake,
            methods=["GET"],
            response_class=PlainTextResponse,
            responses=_REFUSALS,
        )
        router.add_api_route(
            "/wechat/callback",
            self.receive,
            methods=["POST"],
            response_class=PlainTextResponse,
            responses=_REFUSALS,
            max_body_size=MAX_BODY_BYTES,
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
            await self._once(query, body)
            message = inbox_message(xml, fields)
        except Refused as refusal:
            if refusal.status != 403:
                log.warning("wechat callback refused: %s", refusal.reason)
            raise HTTPException(refusal.status, refusal.reason) from None
        if await self.recorder.submit(message):
            self._on_recorded()
        return PlainTextResponse("success")

    async def _once(self, query: Mapping[str, str], body: bytes) -> None:
        """A signed (timestamp, nonce) pair carries one body: a repeat with another is refused."""
        claim = NonceClaim(
            int(query["timestamp"][:12]), query["nonce"], hashlib.sha256(body).hexdigest()
        )
        if await self.nonces.submit(claim) is Seen.REPLAY:
            # Worth an operator's attention (unlike a bad signature, which scanners send):
            # someone holds a URL that WeChat signed. The URL itself is not logged.
            log.warning("wechat callback: a used signed URL came again with another body")
            raise Refused(403, "nonce already used")

    def _remember(
        self, conn: Connection, claims: Sequence[NonceClaim], now: datetime
    ) -> list[Seen]:
        """One batch of pairs (the nonce writer's thread); now and then, forget the pairs
        whose timestamp can no longer pass the freshness check."""
        nonces = WeChatNonces(conn)
        seen = nonces.remember_all(claims, now)
        self._remembered += len(claims)
        if self._remembered >= PURGE_EVERY:
            self._remembered = 0
            nonces.purge(int(now.timestamp()) - 2 * MAX_CLOCK_SKEW)
        return seen

    def close(self) -> None:
        """Write what was accepted, then let go of the writers' connections."""
        self.nonces.close()
        self._nonce_writer.close()
        self.recorder.close()
        self._writer.close()


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
