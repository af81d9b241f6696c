"""A conversation handed to a person, and its chat with the staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HandoffMessage:
    at: datetime
    from_owner: bool
    author: str | None
    text: str


@dataclass(frozen=True)
class Handoff:
    id: int
    party_id: int
    channel: str
    chat_id: str
    locale: str
    reason: str
    opened_at: datetime
    closed_at: datetime | None
    messages: tuple[HandoffMessage, ...] = ()
