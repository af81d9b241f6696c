"""The WeChat Official Account channel, as the composition root sees it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket

from fastapi import APIRouter

from bot.channels.base import ChannelDeps
from bot.channels.wechat import CHANNEL
from bot.channels.wechat.callback import CallbackConfig, WeChatCallback
from bot.channels.wechat.client import ClaimbotWeChatClient, DatabaseSessionStorage
from bot.channels.wechat.inbox import InboxWorker
from bot.channels.wechat.media_out import OutboundMedia
from bot.channels.wechat.processing import MessageProcessor
from bot.channels.wechat.sender import TemplateConfig, WeChatSender
from bot.settings import Settings
from scheduler.dispatcher import ChannelSender, Pacing
from storage.db import Database


class WeChatConfigError(ValueError):
    """A WeChat setting is missing or malformed."""


def build_client(settings: Settings, database: Database) -> ClaimbotWeChatClient:
    if not (settings.wechat_app_id and settings.wechat_app_secret):
        raise WeChatConfigError("CLAIMBOT_WECHAT_APP_ID and CLAIMBOT_WECHAT_APP_SECRET are needed")
    return ClaimbotWeChatClient(
        settings.wechat_app_id,
        settings.wechat_app_secret,
        api_url=settings.wechat_api_url,
        session=DatabaseSessionStorage(database),
    )


def template_config(settings: Settings) -> TemplateConfig:
    title, content, moment, note = (
        name.strip() for name in settings.wechat_template_progress_fields.split(",")
    )
    return TemplateConfig(settings.wechat_template_progress, (title, content, moment, note))


class WeChatChannel:
    name = CHANNEL

    def __init__(self, deps: ChannelDeps, client: ClaimbotWeChatClient | None = None) -> None:
        settings = deps.settings
        if not settings.wechat_token:
            raise WeChatConfigError("CLAIMBOT_WECHAT_TOKEN is needed (the callback token)")
        if settings.wechat_aes_key is not None and len(settings.wechat_aes_key) != 43:
            raise WeChatConfigError("CLAIMBOT_WECHAT_AES_KEY must be the 43-character key")
        self.client = client or build_client(settings, deps.database)
        self.pacing = Pacing(per_chat_interval=0.0, per_second=settings.wechat_per_second)
        processor = MessageProcessor(
            deps.database,
            deps.engine,
            deps.intake,
            self.client,
            deps.clock,
            default_locale=settings.default_locale,
            max_media_bytes=max(settings.max_photo_bytes, settings.max_video_bytes),
        )
        self.inbox = InboxWorker(
            deps.database,
            deps.clock,
            lambda row, last: processor.process(row, last_attempt=last),
            worker=f"{socket.gethostname()}:{os.getpid()}",
            on_released=deps.engine.outbox_written,
        )
        self.callback = WeChatCallback(
            CallbackConfig(
                token=settings.wechat_token,
                app_id=settings.wechat_app_id or "",
                aes_key=settings.wechat_aes_key,
                mode=settings.wechat_message_mode,
            ),
            deps.database,
            deps.clock,
            on_recorded=self.inbox.wake,
        )
        self.media = OutboundMedia(deps.database, settings.media_dir, self.client, deps.clock)
        self._sender = WeChatSender(
            deps.database,
            deps.catalogs,
            deps.clock,
            self.client,
            template_config(settings),
            self.media,
            use_msgmenu=settings.wechat_msgmenu,
            on_code=deps.telemetry.send,
        )
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def sender(self) -> ChannelSender:
        return self._sender

    def router(self) -> APIRouter:
        return self.callback.router()

    async def start(self) -> None:
        """Process the inbox in the background (rows left by a previous run included)."""
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.inbox.run(self._stop))

    async def stop(self) -> None:
        if self._stop is not None and self._task is not None:
            self._stop.set()
            self.inbox.wake()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        await asyncio.to_thread(self.callback.close)


def build_wechat_channel(deps: ChannelDeps) -> WeChatChannel:
    return WeChatChannel(deps)
