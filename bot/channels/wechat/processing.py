"""Turn one inbox row into a channel-neutral ``Inbound`` and run it through the engine.

Translation only: text → TEXT (a tap on a menu message's item, which comes as text with
``bizmsgmenuid``, → CHOICE: ``bot.channels.wechat.msgmenu``), image/video → MEDIA (downloaded
now: WeChat keeps user media for 3 days), location → LOCATION (GCJ-02, as WeChat gives
it), voice with WeChat's speech recognition (``Recognition``) → TEXT marked as voice
(``payload`` ``{"voice": true, "media_id": ...}``; the recording itself is not fetched),
voice without it and other kinds → UNSUPPORTED (the dialogs answer what is expected), follow →
``/start``, a menu click → EVENT with its key (the router maps REPORT to ``/report``).
Unfollow, location reports and link views change nothing. A new user's WeChat language
is fetched once (user/info) and picks the locale of the first contact.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import requests
import xmltodict
from wechatpy.exceptions import WeChatClientException

from bot.channels.wechat import CHANNEL
from bot.channels.wechat.client import ClaimbotWeChatClient, MediaTooLarge
from bot.channels.wechat.msgmenu import tapped_choice
from bot.engine import SqlEngine
from bot.media_intake import IntakeResult, MediaIntake, Upload
from dialogs.language import locale_for
from domain.clock import Clock
from messages.inbound import Inbound, InboundKind
from messages.outbound import Outbound
from storage.channels.wechat.accounts import WeChatUsers
from storage.channels.wechat.delivery import WeChatQuotas
from storage.channels.wechat.inbox import InboxRow
from storage.db import Database
from storage.media.types import MediaRejection
from storage.records import OutboxItem

log = logging.getLogger(__name__)

MEDIA_KINDS = {"image": "photo", "video": "video", "shortvideo": "video"}
# media/get errors that will not go away: invalid or expired media id, wrong media type.
MEDIA_GONE = frozenset({40007, 40004, 40005})
KNOWN_USERS_CACHED = 10_000
IGNORED_EVENTS = frozenset(
    {"unsubscribe", "location", "view", "scan", "templatesendjobfinish", "masssendjobfinish"}
)


class TransientFailure(Exception):
    """The WeChat API could not be reached or was busy: process the row again later."""


class MessageProcessor:
    def __init__(
        self,
        database: Database,
        engine: SqlEngine,
        intake: MediaIntake,
        client: ClaimbotWeChatClient,
        clock: Clock,
        *,
        default_locale: str,
        max_media_bytes: int,
    ) -> None:
        self._database = database
        self._engine = engine
        self._intake = intake
        self._client = client
        self._clock = clock
        self._default_locale = default_locale
        self._max_media_bytes = max_media_bytes
        self._languages: dict[str, str | None] = {}  # openids whose language is known

    def process(self, row: InboxRow, *, last_attempt: bool) -> None:
        """Process one message; ``TransientFailure`` asks for another attempt later."""
        fields: dict[str, Any] = xmltodict.parse(row.body, disable_entities=True)["xml"]
        msg_type = str(fields.get("MsgType", "")).lower()
        if msg_type == "event":
            event = str(fields.get("Event", "")).lower()
            if event == "unsubscribe":
                self._forget_window(row.openid)
            if event in IGNORED_EVENTS:
                return
        hint = self._language(row.openid)
        inbound = self._inbound(row, fields, msg_type, hint, last_attempt)
        if inbound is not None:
            self._engine.process(inbound)

    # --- translation ----------------------------------------------------------------------

    def _inbound(
        self,
        row: InboxRow,
        fields: Mapping[str, Any],
        msg_type: str,
        hint: str | None,
        last_attempt: bool,
    ) -> Inbound | None:
        base: dict[str, Any] = {
            "channel": CHANNEL,
            "user_id": row.openid,
            "chat_id": row.openid,
            "message_id": row.dedupe_key,
            "received_at": row.received_at,
            "language_hint": hint,
        }
        if msg_type == "text" and fields.get("bizmsgmenuid"):
            return Inbound(kind=InboundKind.CHOICE, text=self._tapped(row, fields), **base)
        if msg_type == "text":
            return Inbound(kind=InboundKind.TEXT, text=str(fields.get("Content") or ""), **base)
        if msg_type == "voice" and (heard := _recognised(fields)):
            payload = {"voice": True, "media_id": str(fields.get("MediaId") or "")}
            return Inbound(kind=InboundKind.TEXT, text=heard, payload=payload, **base)
        if msg_type in MEDIA_KINDS:
            media = self._download(row, str(fields.get("MediaId") or ""), msg_type, last_attempt)
            if media is None:
                return None
            return Inbound(
                kind=InboundKind.MEDIA, media=media.items, rejected=media.rejected, **base
            )
        if msg_type == "location":
            payload = {
                "lat": _number(fields.get("Location_X")),
                "lon": _number(fields.get("Location_Y")),
                "system": "gcj02",
                "label": str(fields.get("Label") or ""),
            }
            return Inbound(kind=InboundKind.LOCATION, payload=payload, **base)
        if msg_type == "event":
            event = str(fields.get("Event", "")).lower()
            if event == "subscribe":
                return Inbound(kind=InboundKind.COMMAND, text="/start", **base)
            key = str(fields.get("EventKey") or "")
            return Inbound(kind=InboundKind.EVENT, payload={"key": key, "event": event}, **base)
        return Inbound(kind=InboundKind.UNSUPPORTED, **base)  # voice not recognised, link, file

    def _tapped(self, row: InboxRow, fields: Mapping[str, Any]) -> str:
        """The choice a menu tap stands for; "" (answered as no longer current) when the id
        names no recent choice of this chat."""
        with self._database.unit_of_work() as uow:
            value = tapped_choice(uow.outbox, CHANNEL, row.openid, str(fields["bizmsgmenuid"]))
        return value or ""

    def _download(
        self, row: InboxRow, media_id: str, msg_type: str, last_attempt: bool
    ) -> IntakeResult | None:
        """The stored file, or a refusal; None when the owner was told it could not be had."""
        if not media_id:
            self._tell_unavailable(row)
            return None
        try:
            data = self._client.download_media(media_id, self._max_media_bytes)
        except MediaTooLarge:
            return IntakeResult((), (MediaRejection.TOO_LARGE.value,))
        except WeChatClientException as exc:
            if exc.errcode in MEDIA_GONE or last_attempt:
                log.warning("wechat media %s unavailable: %s", media_id, exc)
                self._tell_unavailable(row)
                return None
            raise TransientFailure(f"media/get: {exc}") from exc
        except requests.RequestException as exc:
            if last_attempt:
                self._tell_unavailable(row)
                return None
            raise TransientFailure(f"media/get: {exc}") from exc
        upload = Upload(data, MEDIA_KINDS[msg_type], uploader=f"wechat:{row.openid}")
        return self._intake.accept([upload])

    def _tell_unavailable(self, row: InboxRow) -> None:
        """The file could not be fetched from WeChat: ask the owner to send it again."""
        first = locale_for(self._language(row.openid), self._default_locale)
        with self._database.unit_of_work() as uow:
            party = uow.parties.resolve(CHANNEL, row.openid, locale=first)
            uow.outbox.add(
                [
                    OutboxItem(
                        channel=CHANNEL,
                        chat_id=row.openid,
                        locale=party.locale or first,
                        payload=Outbound("wechat.media_unavailable").to_payload(),
                        idempotency_key=f"{CHANNEL}:{row.dedupe_key}:unavailable",
                        party_id=party.id,
                    )
                ]
            )
            uow.commit()

    # --- the user's language and window -------------------------------------------------

    def _language(self, openid: str) -> str | None:
        """user/info's language, asked once per openid (failures count as unknown)."""
        if openid in self._languages:
            return self._languages[openid]
        with self._database.unit_of_work() as uow:
            known = uow.channel_store(WeChatUsers).get(openid)
        if known is not None:
            return self._remember(openid, known.language)
        try:
            language = self._client.user_language(openid)
        except (WeChatClientException, requests.RequestException) as exc:
            log.warning("wechat user/info failed for a new user: %s", exc)
            language = None
        with self._database.unit_of_work() as uow:
            uow.channel_store(WeChatUsers).remember(openid, language, self._clock.now())
            uow.commit()
        return self._remember(openid, language)

    def _remember(self, openid: str, language: str | None) -> str | None:
        if len(self._languages) >= KNOWN_USERS_CACHED:
            self._languages.clear()
        self._languages[openid] = language
        return language

    def _forget_window(self, openid: str) -> None:
        with self._database.unit_of_work() as uow:
            uow.channel_store(WeChatQuotas).close(openid)
            uow.commit()


def _number(value: Any) -> float | str:
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value or "")


def _recognised(fields: Mapping[str, Any]) -> str:
    """The text WeChat's speech recognition made of a voice message ("" when it is off)."""
    return str(fields.get("Recognition") or "").strip()
