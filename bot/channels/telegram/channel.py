"""The Telegram channel: a python-telegram-bot Application driven by our own app.

Polling mode (default): our own loop long-polls getUpdates and records each batch in the
database before the next call confirms it to Telegram (bot/channels/telegram/polling.py), then
feeds the one update handler; PTB's Updater is not used, as it confirms updates before
they are processed. Webhook mode: `POST /telegram/webhook` checks the secret header before
reading anything, parses the update and hands it to the same handler. Either way, the
Application (the Bot and its HTTP pools) is initialised and started by `start()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.channels.base import ChannelDeps
from bot.channels.telegram import CHANNEL
from bot.channels.telegram.keyboards import ShownKeyboards
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.request import AiohttpRequest
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.updates import UpdateHandler
from dialogs.registry import REGISTRY
from scheduler.dispatcher import ChannelSender, Pacing

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
# (catalog locale, Telegram language_code): en is also the default for every other language.
COMMAND_LANGUAGES = (("en", None), ("zh_CN", "zh"))
MAX_UPDATE_BYTES = 1024 * 1024


class TelegramConfigError(ValueError):
    """Webhook mode without a public URL or a secret."""


class TelegramChannel:
    name = CHANNEL

    def __init__(self, deps: ChannelDeps) -> None:
        settings = deps.settings
        if not settings.telegram_token:
            raise TelegramConfigError("CLAIMBOT_TELEGRAM_TOKEN is not set")
        self._deps = deps
        self._webhook = settings.telegram_mode == "webhook"
        if self._webhook and not (settings.public_url and settings.telegram_webhook_secret):
            raise TelegramConfigError(
                "webhook mode needs CLAIMBOT_PUBLIC_URL and CLAIMBOT_TELEGRAM_WEBHOOK_SECRET"
            )
        self._secret = (settings.telegram_webhook_secret or "").encode()
        builder = (
            ApplicationBuilder()
            .token(settings.telegram_token)
            .base_url(settings.telegram_api_url)
            .base_file_url(settings.telegram_file_url)
            .request(_api_request())
            # PTB refuses get_updates_* timeouts once a request instance is set
            .get_updates_request(_updates_request(settings.telegram_poll_timeout + 10))
            .concurrent_updates(True)  # chats in parallel; one chat in order (UpdateHandler)
            .updater(None)  # polling is ours (Poller): PTB's confirms before processing
        )
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        bot = self.application.bot
        self.pacing = Pacing(
            per_chat_interval=settings.telegram_per_chat_interval,
            per_second=settings.telegram_per_second,
        )
        keyboards = ShownKeyboards()  # taken off by a tap or when superseded, once
        self._sender = TelegramSender(
            bot,
            deps.catalogs,
            deps.database,
            settings.media_dir,
            per_chat_interval=settings.telegram_per_chat_interval,
            keyboards=keyboards,
            documents=deps.documents,
        )
        self.updates = UpdateHandler(
            bot=bot,
            engine_process=deps.engine.process,
            intake=deps.intake,
            database=deps.database,
            catalogs=deps.catalogs,
            clock=deps.clock,
            default_locale=settings.default_locale,
            max_download_bytes=settings.telegram_max_download_mb * 1024 * 1024,
            album_quiet=settings.telegram_album_quiet_seconds,
            keyboards=keyboards,
        )
        self.poller = Poller(
            bot,
            self.updates.handle,
            deps.database,
            deps.clock,
            timeout=settings.telegram_poll_timeout,
            allowed_updates=ALLOWED_UPDATES,
        )
        self._polling: asyncio.Task[None] | None = None

    @property
    def sender(self) -> ChannelSender:
        return self._sender

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        settings = self._deps.settings
        app = self.application
        await app.initialize()  # getMe: a wrong token fails here, loudly
        await self._set_commands()
        await app.start()
        if self._webhook:
            url = f"{str(settings.public_url).rstrip('/')}{WEBHOOK_PATH}"
            await app.bot.set_webhook(
                url,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
            log.info("telegram webhook registered at %s", url)
        else:
            self._polling = asyncio.create_task(self.poller.run())
            self._polling.add_done_callback(_log_polling_end)
        self.updates.start_sweeping()

    async def stop(self) -> None:
        app = self.application
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            await self.poller.stop()
        await self.updates.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def _set_commands(self) -> None:
        catalogs = self._deps.catalogs
        for locale, language_code in COMMAND_LANGUAGES:
            commands = [
                BotCommand(name, catalogs.render(locale, f"telegram.commands.{name}"))
                for name in REGISTRY.command_menu()
            ]
            try:
                await self.application.bot.set_my_commands(commands, language_code=language_code)
            except TelegramError as exc:  # the menu is a convenience: run without it
                log.warning("setMyCommands (%s) failed: %s", language_code or "default", exc)

    # --- updates ----------------------------------------------------------------------

    async def _on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await self.updates.handle(update)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # the update id only: an update's text is the owner's, not the log's
        update_id = update.update_id if isinstance(update, Update) else None
        log.error(
            "telegram update %s failed",
            update_id,
            exc_info=context.error,
            extra={"update_id": update_id},
        )

    def router(self) -> APIRouter | None:
        if not self._webhook:
            return None
        router = APIRouter()
        router.add_api_route(
            WEBHOOK_PATH,
            self.webhook,
            methods=["POST"],
            include_in_schema=False,
            max_body_size=MAX_UPDATE_BYTES,
        )
        return router

    async def webhook(self, request: Request) -> Response:
        """Telegram's POST: secret first, then the body; 200 once the update is processed.

        A failure answers 500, so Telegram delivers the update again (the engine's
        dedupe keeps a partly processed one from counting twice).
        """
        given = request.headers.get(SECRET_HEADER, "").encode("latin-1")
        if not hmac.compare_digest(given, self._secret):
            request.state.rejection = "secret"
            return Response(status_code=403)
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_UPDATE_BYTES):
            return Response(status_code=413)
        body = await request.body()
        if len(body) > MAX_UPDATE_BYTES:
            return Response(status_code=413)
        try:
            update = Update.de_json(json.loads(body), self.application.bot)
        except Exception:  # not JSON, or not an update
            return Response(status_code=400)
        try:
            reply = await self.updates.handle_webhook(update)
        except Exception:
            log.exception("telegram update failed", extra={"update_id": update.update_id})
            return Response(status_code=500)
        if reply is not None:  # Telegram performs one method given in the answer
            return JSONResponse(reply)
        return Response(status_code=200)


def _log_polling_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("telegram polling stopped", exc_info=task.exception())


# As many connections may be open as are kept: with more, every burst opened connections
# only to close them after one request (TCP connects were 2-3 % of the CPU); a request
# waits for a free one. 8 carry Telegram's 30 messages/s at up to about 250 ms a request.
KEEPALIVE_CONNECTIONS = 8
POOL_WAIT = 30.0  # seconds a request may wait for a connection (PTB's default is 1)


def _api_request() -> AiohttpRequest:
    return AiohttpRequest(KEEPALIVE_CONNECTIONS, pool_timeout=POOL_WAIT)


def _updates_request(read_timeout: float) -> AiohttpRequest:
    return AiohttpRequest(1, read_timeout=read_timeout)


def build_telegram_channel(deps: ChannelDeps) -> TelegramChannel:
    return TelegramChannel(deps)
