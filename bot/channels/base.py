"""What a chat channel is to the composition root (``Channel``) and what it is given
(``ChannelDeps``). Every channel package under ``bot/channels/`` imports this module and
no other channel's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from fastapi import APIRouter

from bot.documents import KeptDocuments
from bot.engine import SqlEngine
from bot.media_intake import MediaIntake
from bot.settings import Settings
from bot.telemetry import Telemetry
from domain.clock import Clock
from locales.catalog import Catalogs
from scheduler.dispatcher import ChannelSender, Pacing
from storage.db import Database


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


@dataclass(frozen=True)
class ChannelDeps:
    """What a chat channel adapter is given by the composition root."""

    settings: Settings
    clock: Clock
    database: Database
    engine: SqlEngine
    intake: MediaIntake
    catalogs: Catalogs
    telemetry: Telemetry
    documents: KeptDocuments = field(default_factory=lambda: KeptDocuments({}))


@dataclass(frozen=True)
class ChannelEntry:
    """A channel as the composition root lists it: on when its settings say so."""

    configured: Callable[[Settings], bool]
    build: Callable[[ChannelDeps], Channel]
