"""What the reminders read: where and how to reach a party, a report as the nudge sees it,
and a policy's term."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Preference:
    muted: bool = False
    timezone: str | None = None  # None: the configured default


@dataclass(frozen=True)
class Contact:
    """Where and how to reach a party: their latest conversation, and their preferences."""

    party_id: int
    channel: str
    chat_id: str
    locale: str
    muted: bool
    timezone: str | None


@dataclass(frozen=True)
class ReportConversation:
    """A conversation as the report nudge sees it."""

    conversation_id: int
    contact: Contact
    dialog: str | None
    state: str
    started_at: str | None
    last_activity: datetime | None
    plate: str | None


@dataclass(frozen=True)
class StalledReport:
    conversation_id: int
    started_at: str
    last_activity: datetime


@dataclass(frozen=True)
class PolicyTerm:
    id: int
    number: str
    plate: str
    valid_from: date
    valid_to: date
    vehicle: str  # "make model"
