"""Outbox rows as every layer sees them: what a turn or a timer queues, what a sender gets.

The payload is an ``Outbound`` in its stored form (``Outbound.to_payload``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class OutboxItem:
    channel: str
    chat_id: str
    locale: str
    payload: dict[str, Any]  # JSON-serialisable
    idempotency_key: str
    party_id: int | None = None
    available_at: datetime | None = None  # None: at once


@dataclass(frozen=True)
class OutboxRow:
    id: int
    channel: str
    chat_id: str
    locale: str
    payload: dict[str, Any]
    created_at: datetime
    status: str  # pending | sending | sent | failed
    attempts: int
    sent_at: datetime | None
    idempotency_key: str = ""
    party_id: int | None = None
    available_at: datetime | None = None


@dataclass(frozen=True)
class OutboxStats:
    backlog: int  # due and not sent: pending and due, or being sent
    oldest_due_at: datetime | None  # the earliest available_at among them
    failed: int  # given up
