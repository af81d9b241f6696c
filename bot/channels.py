"""What the composition root needs of a chat channel (Telegram, WeChat, ...)."""

from __future__ import annotations

from typing import Protocol

from fastapi import APIRouter

from scheduler.dispatcher import ChannelSender, Pacing


class Channel(Protocol):
    name: str
    pacing: Pacing  # how fast the dispatcher may send on this channel

    @property
    def sender(self) -> ChannelSender | None:
        """How the outbox dispatcher delivers this channel's rows (None: the channel pulls)."""
        ...

    def router(self) -> APIRouter | None:
        """HTTP routes the channel serves (webhooks, callbacks), if any."""
        ...

    async def start(self) -> None:
        """Connect (register webhooks, start polling) once the app runs."""
        ...

    async def stop(self) -> None: ...
