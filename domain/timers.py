"""Timers as the scheduler sees them: one to arm (``TimerSpec``), one stored (``Timer``),
and the states a stored timer goes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PENDING, FIRING, FIRED, DROPPED, CANCELLED, FAILED = (
    "pending",
    "firing",
    "fired",
    "dropped",
    "cancelled",
    "failed",
)
FINISHED = (FIRED, DROPPED, CANCELLED, FAILED)


@dataclass(frozen=True)
class TimerSpec:
    """A timer to arm: what kind, which key, when, and what the handler needs."""

    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable
    subject: str | None = None  # e.g. "booking:42": cancel_subject removes them together


@dataclass(frozen=True)
class Timer:
    id: int
    kind: str
    key: str
    subject: str | None
    payload: dict[str, Any]
    due_at: datetime
    status: str
    attempts: int
    fires: int
    claimed_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class TimerStats:
    due: int  # pending and due by now
    oldest_due_at: datetime | None  # the earliest due_at among them
    firing: int  # claimed, being fired
    failed: int  # given up (needs an operator)
