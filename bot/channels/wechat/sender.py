"""Deliver WeChat outbox rows: customer-service text while the user's window is open, the
progress template message when it is closed, and nothing lost when neither is possible.

- Choices become numbered lines (the router maps a typed number to the n-th choice), or,
  with ``CLAIMBOT_WECHAT_MSGMENU``, one menu message whose items the user taps
  (``bot.channels.wechat.msgmenu``; the hint under it says a number works too).
- Each user's allowance is counted (``wechat_quota``). When fewer messages are left than
  rows are queued for the user, consecutive rows are merged into one text, so the last
  allowed message carries everything that waits.
- Window closed (no allowance left, or WeChat answers 45015/45047): the queued rows go as
  one progress template message (``CLAIMBOT_WECHAT_TEMPLATE_PROGRESS``). Without a
  template the row is kept: it stays pending and goes out when the user writes again.
- Errors: a busy or unreachable API and rate limits → ``Retry``; a user who unfollowed
  or an invalid openid → ``Failed``; a template or permission problem → kept (logged).
- Attachments (the evidence of a handoff card): the text goes first, then each photo as
  an image message and each video as a video message (``bot.channels.wechat.media_out``), in the
  row's order, each counted against the allowance like any message, as far as the
  allowance goes once the rows still queued have had theirs. What cannot go (no allowance
  left, files WeChat refuses: a QuickTime video, anything over 10 MB) is counted in a line
  added to the text. Files left by a transient error go out on the row's retry
  (remembered per process), without the text again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from wechatpy.exceptions import APILimitedException, WeChatClientException

from bot.channels.wechat import CHANNEL
from bot.channels.wechat.client import SYSTEM_BUSY, TOKEN_ERRORS, ClaimbotWeChatClient
from bot.channels.wechat.media_out import OutboundMedia
from bot.channels.wechat.msgmenu import msgmenu
from bot.rendering import RenderedMessage, as_numbered_text, render
from domain.clock import Clock
from locales.catalog import Catalogs
from messages.outbound import Outbound
from scheduler.dispatcher import Failed, Retry, SendResult, Sent
from storage.channels.wechat.delivery import QueuedMessage, WeChatQueue, WeChatQuotas
from storage.channels.wechat.inbox import WeChatInbox
from storage.db import Database
from storage.media.types import StoredMedia
from storage.records import OutboxRow

log = logging.getLogger(__name__)

MAX_MERGED = 10  # rows looked at for merging
MAX_TEXT_CHARS = 2000  # a merged text stops growing here
TEMPLATE_CONTENT_CHARS = 200
KEEP_FOR_USER = 6 * 3600.0  # seconds before a kept row is looked at again anyway
# While the user's later messages (an album's photos) are still being processed, answers
# wait, for at most HOLD_FOR_BURST, and then go out merged: each photo's answer alone
# would use up the user's allowance of 5.
HOLD_FOR_BURST = timedelta(seconds=3)
HOLD_STEP = 0.3
WINDOW_CLOSED = frozenset({45015, 45047})
# The account's setup is wrong, not the message: a bad AppID/secret (40013, 40125), this
# machine not on the IP allow-list (40164), a bad template or data (40037, 47003), no
# permission for the API (48001). The message is kept and the operator told (logged).
NEEDS_OPERATOR = frozenset({40013, 40125, 40164, 40037, 47003, 48001})
RATE_LIMITED = frozenset({45009, 45011})


@dataclass(frozen=True)
class TemplateConfig:
    template_id: str | None
    fields: tuple[str, str, str, str]  # title, content, time, note ("" = left out)


class WeChatSender:
    channel = CHANNEL

    def __init__(
        self,
        database: Database,
        catalogs: Catalogs,
        clock: Clock,
        client: ClaimbotWeChatClient,
        template: TemplateConfig,
        media: OutboundMedia,
        *,
        use_msgmenu: bool = False,
        on_code: Callable[[str, str], None] | None = None,
    ) -> None:
        self._on_code = on_code  # (channel, code): the window-closed answers, for /metrics
        self._database = database
        self._catalogs = catalogs
        self._clock = clock
        self._client = client
        self._template = template
        self._delivered: set[int] = set()  # rows of the current batch merged into a send
        self._media = media
        self._use_msgmenu = use_msgmenu
        self._media_left: dict[int, list[StoredMedia]] = {}  # row id -> files still to send

    async def send(self, row: OutboxRow) -> SendResult:
        if row.id in self._delivered:
            self._delivered.discard(row.id)
            return Sent()
        return await asyncio.to_thread(self._send, row)

    def _send(self, row: OutboxRow) -> SendResult:
        if row.id in self._media_left:  # the text went out; photos or videos remain
            return self._send_media(row, self._media_left.pop(row.id))
        now = self._clock.now()
        state = self._queue_state(row, now)
        if state is None:  # the user is still sending (an album): answer once, merged, after
            return self._wait(row, "the user's next messages are being processed", HOLD_STEP)
        available, queued = state
        payloads = [(row.locale, row.payload), *((q.locale, q.payload) for q in queued)]
        ids = [row.id, *(q.id for q in queued)]
        texts = [self.text(locale, payload) for locale, payload in payloads]
        if available > 0:
            count = _merge_count(texts, available)
            # Attachments get what is left once this text and each row still queued had theirs.
            room = available - 1 - (len(texts) - count)
            media, left_out = self._attachments(payloads[:count], room)
            note = "\n" + self._left_out_note(row.locale, left_out) if left_out else ""
            # As a menu when the last merged row has choices (the earlier rows' text on top).
            menu = self._menu(payloads[count - 1], ids[count - 1], texts[: count - 1], note)
            try:
                if menu is None:
                    self._client.send_text(row.chat_id, "\n\n".join(texts[:count]) + note)
                else:
                    self._client.send_msg_menu(row.chat_id, menu)
            except WeChatClientException as exc:
                if exc.errcode not in WINDOW_CLOSED:
                    return self._failure(row, exc)
                self._close_window(row.chat_id, exc.errcode)
            except requests.RequestException as exc:
                return Retry(f"network: {exc}")
            else:
                self._delivered_now(row, queued[: count - 1], counted=True)
                return self._send_media(row, media)
        return self._send_template(row, queued, texts)

    # --- photos and videos -----------------------------------------------------------------

    def _attachments(
        self, payloads: Sequence[tuple[str, dict[str, Any]]], room: int
    ) -> tuple[list[StoredMedia], dict[str, int]]:
        """The files to send (at most ``room``, in order) and what is left out, by kind."""
        media_ids = tuple(
            media_id
            for _, payload in payloads
            for media_id in Outbound.from_payload(payload).attachments
        )
        found = self._media.attachments(media_ids)
        media = list(found.sendable[: max(room, 0)])
        beyond = found.sendable[len(media) :]
        photos = found.other_photos + sum(1 for item in beyond if item.kind == "photo")
        videos = found.other_videos + sum(1 for item in beyond if item.kind == "video")
        return media, {"photos": photos, "videos": videos} if photos or videos else {}

    def _left_out_note(self, locale: str, left_out: dict[str, int]) -> str:
        return self._catalogs.render(locale, "wechat.media_left_out", left_out)

    def _send_media(self, row: OutboxRow, media: list[StoredMedia]) -> SendResult:
        for index, item in enumerate(media):
            with self._database.unit_of_work() as uow:
                quotas = uow.channel_store(WeChatQuotas)
                available = quotas.available(row.chat_id, self._clock.now())
            if available <= 0:
                left = len(media) - index
                log.warning("row %s: %d file(s) not sent, no allowance left", row.id, left)
                break
            try:
                self._media.send(row.chat_id, item)
            except WeChatClientException as exc:
                if exc.errcode in WINDOW_CLOSED:
                    self._close_window(row.chat_id, exc.errcode)
                    log.warning("row %s: window closed before all files went", row.id)
                    break
                result = self._failure(row, exc)
                if isinstance(result, Failed):  # the text went; this file cannot
                    log.warning("row %s: attachments not sent: %s", row.id, result.error)
                    break
                self._media_left[row.id] = media[index:]
                return result
            except requests.RequestException as exc:
                self._media_left[row.id] = media[index:]
                return Retry(f"network: {exc}")
            with self._database.unit_of_work() as uow:
                uow.channel_store(WeChatQuotas).use(row.chat_id, self._clock.now())
                uow.commit()
        return Sent()

    def _queue_state(self, row: OutboxRow, now: datetime) -> tuple[int, list[QueuedMessage]] | None:
        """The user's allowance and the rows queued after ``row``; None while the user's
        later messages wait to be processed (for at most ``HOLD_FOR_BURST``)."""
        with self._database.unit_of_work() as uow:
            inbox = uow.channel_store(WeChatInbox)
            if now - row.created_at < HOLD_FOR_BURST and inbox.unfinished_besides(
                row.chat_id, _answered_message(row)
            ):
                return None
            available = uow.channel_store(WeChatQuotas).available(row.chat_id, now)
            queue = uow.channel_store(WeChatQueue)
            queued = queue.following(CHANNEL, row.chat_id, row.id, now, MAX_MERGED - 1)
        return available, queued

    def _send_template(
        self, row: OutboxRow, queued: Sequence[QueuedMessage], texts: Sequence[str]
    ) -> SendResult:
        if not self._template.template_id:
            return self._keep(row, "the user's window is closed and no progress template is set")
        try:
            self._client.send_template(
                row.chat_id, self._template.template_id, self._template_data(row, texts)
            )
        except WeChatClientException as exc:
            return self._failure(row, exc)
        except requests.RequestException as exc:
            return Retry(f"network: {exc}")
        self._delivered_now(row, queued, counted=False)
        return Sent()

    # --- rendering ------------------------------------------------------------------------

    def text(self, locale: str, payload: dict[str, Any]) -> str:
        """One outbox payload as WeChat text: the message and its choices, numbered."""
        rendered = render(self._catalogs, locale, payload)
        return self._with_hint(locale, rendered, as_numbered_text(rendered))

    def _menu(
        self, message: tuple[str, dict[str, Any]], row_id: int, before: Sequence[str], note: str
    ) -> dict[str, Any] | None:
        """The message as a menu (``before``: the texts merged above it, ``note`` below);
        None when menus are off or it has no choices."""
        locale, payload = message
        rendered = render(self._catalogs, locale, payload)
        if not self._use_msgmenu or not rendered.choices:
            return None
        head = "\n\n".join([*before, self._with_hint(locale, rendered, rendered.text)]) + note
        tail = self._catalogs.render(locale, "wechat.msgmenu_tail")
        return msgmenu(head, row_id, rendered.choices, tail)

    def _with_hint(self, locale: str, rendered: RenderedMessage, text: str) -> str:
        if rendered.request_location:
            return f"{text}\n{self._catalogs.render(locale, 'wechat.location_hint')}"
        return text

    def _template_data(self, row: OutboxRow, texts: Sequence[str]) -> dict[str, Any]:
        title, content, moment, note = self._template.fields
        body = "\n".join(texts)
        if len(body) > TEMPLATE_CONTENT_CHARS:
            body = body[: TEMPLATE_CONTENT_CHARS - 1] + "…"
        values = {
            title: self._catalogs.render(row.locale, "wechat.template.title"),
            content: body,
            moment: self._catalogs.render(
                row.locale, "wechat.template.time", {"at": self._clock.now()}
            ),
            note: self._catalogs.render(row.locale, "wechat.template.note"),
        }
        return {name: {"value": value} for name, value in values.items() if name}

    # --- bookkeeping ----------------------------------------------------------------------

    def _delivered_now(
        self, row: OutboxRow, merged: Sequence[QueuedMessage], *, counted: bool
    ) -> None:
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            if counted:
                uow.channel_store(WeChatQuotas).use(row.chat_id, now)
            if merged:
                uow.outbox.mark_sent([m.id for m in merged], now)
            uow.commit()
        self._delivered.update(m.id for m in merged if m.claimed)

    def _close_window(self, openid: str, code: int | None) -> None:
        if self._on_code is not None:
            self._on_code(CHANNEL, str(code))
        with self._database.unit_of_work() as uow:
            uow.channel_store(WeChatQuotas).close(openid)
            uow.commit()

    def _keep(self, row: OutboxRow, reason: str) -> SendResult:
        """Leave the row pending for the user's next message."""
        return self._wait(row, f"kept for the user's next message: {reason}", KEEP_FOR_USER)

    def _wait(self, row: OutboxRow, reason: str, seconds: float) -> SendResult:
        """Send the row later, its attempts not used up (waiting is not failing)."""
        with self._database.unit_of_work() as uow:
            uow.channel_store(WeChatQueue).park(row.id)
            uow.commit()
        return Retry(reason, after=seconds)

    def _failure(self, row: OutboxRow, exc: WeChatClientException) -> SendResult:
        code = exc.errcode
        error = f"wechat {code}: {exc.errmsg}"
        if isinstance(exc, APILimitedException) or code in RATE_LIMITED:
            return Retry(error, after=60, code=str(code))
        if code is None or code == SYSTEM_BUSY or code in TOKEN_ERRORS:
            return Retry(error)
        if code in NEEDS_OPERATOR:
            log.error("wechat refused row %s (%s): kept", row.id, error)
            return self._keep(row, error)
        return Failed(error)  # unfollowed (43004), invalid openid (40003), bad message, ...


def _answered_message(row: OutboxRow) -> str | None:
    """The inbox message a row answers: the engine keys its rows ``wechat:<message id>:<n>``
    (None for rows of other origins, e.g. the scheduler's)."""
    prefix, _, rest = row.idempotency_key.partition(":")
    message, _, index = rest.rpartition(":")
    return message if prefix == CHANNEL and message and index.isdigit() else None


def _merge_count(texts: Sequence[str], available: int) -> int:
    """How many queued texts the next message carries: all that do not fit the allowance
    otherwise, as long as the merged text stays readable."""
    wanted = max(1, len(texts) - available + 1)
    count, size = 1, len(texts[0])
    while count < wanted and size + 2 + len(texts[count]) <= MAX_TEXT_CHARS:
        size += 2 + len(texts[count])
        count += 1
    return count
