"""Tables of the timers feature (sqlmodel, same conventions as storage/tables/core.py).

``timer``: one row per reminder, escalation or sweep, keyed by a unique ``dedupe_key``
and written in the same transaction as the state change that caused it. Workers claim
due rows (``pending`` → ``firing``), fire them (outbox rows written in the transaction
that marks the timer ``fired``), and a reaper hands stale claims back. Finished rows
(``fired``, ``dropped``, ``cancelled``, ``failed``) are kept: their key is what makes a
second ``add`` of the same reminder a no-op.

``reminder_preference``: what an owner chose about reminders (``/mute``) and, when known,
their timezone (``NULL``: the configured ``CLAIMBOT_TIMEZONE``).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from storage.tables.core import table_of

TIMER_STATUSES = ("pending", "firing", "fired", "dropped", "cancelled", "failed")


class TimerRow(SQLModel, table=True):
    __tablename__ = "timer"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(repr(s) for s in TIMER_STATUSES) + ")", name="status"
        ),
        Index("ix_timer_status_due_at", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    dedupe_key: str = Field(max_length=200, unique=True)
    subject: str | None = Field(default=None, max_length=120, index=True)
    payload: dict[str, Any] = Field(sa_type=JSON)
    due_at: datetime
    status: str = Field(max_length=10)
    attempts: int = 0  # claims since the timer was (re)armed
    fires: int = 0  # times fired over the row's life (recurring timers re-arm themselves)
    claimed_by: str | None = Field(default=None, max_length=120)
    claimed_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str | None = Field(default=None, sa_type=Text)  # why dropped / deferred / failed
    created_at: datetime
    updated_at: datetime


class ReminderPreferenceRow(SQLModel, table=True):
    __tablename__ = "reminder_preference"

    party_id: int = Field(foreign_key="party.id", ondelete="CASCADE", primary_key=True)
    muted: bool = False
    timezone: str | None = Field(default=None, max_length=64)
    updated_at: datetime


timer_t = table_of(TimerRow)
reminder_preference_t = table_of(ReminderPreferenceRow)
