"""Plain records the conversation engine and the dispatcher exchange with storage."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Outcome = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class PartyRecord:
    id: int
    kind: str  # owner | adjuster | shop_staff
    name: str | None
    locale: str | None  # None: not chosen yet, use the default


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


@dataclass
class ImportSummary:
    """What an import did, per kind of record (policies, adjusters, shops, staff)."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, outcome: Outcome) -> None:
        getattr(self, outcome)[kind] += 1

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def as_dict(self) -> dict[str, dict[str, int]]:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return {
            kind: {
                "created": self.created[kind],
                "updated": self.updated[kind],
                "unchanged": self.unchanged[kind],
            }
            for kind in kinds
        }
