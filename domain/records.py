"""Plain records a turn exchanges with storage: the party behind a chat, where a party is
reached, and the conversation's stored state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class PartyRecord:
    id: int
    kind: str  # owner | adjuster | shop_staff
    name: str | None
    locale: str | None  # None: not chosen yet, use the default


@dataclass(frozen=True)
class Recipient:
    channel: str
    chat_id: str  # private chats: the external user id
    locale: str | None  # the party's chosen locale, None: the default


@dataclass
class ConversationRecord:
    id: int | None  # None until saved
    channel: str
    chat_id: str
    party_id: int
    dialog: str | None
    state: str
    slots: dict[str, Any]  # JSON-serialisable
    locale: str
    last_activity: datetime | None
