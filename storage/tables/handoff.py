"""Tables of the human handoff (sqlmodel, same conventions as storage/tables/core.py).

``handoff``: a conversation handed to a person (the owner asked for 人工客服, or the bot
misunderstood three messages in a row): where the owner is (channel, chat, locale), why,
when it was opened and closed and by whom, and when the supervisors were told that nobody
answered in time. At most one open handoff per party.
``handoff_message``: the chat while it is open, the owner's messages and the staff's replies.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from storage.tables.core import table_of

HANDOFF_REASONS = ("asked", "misunderstood")


class HandoffRow(SQLModel, table=True):
    __tablename__ = "handoff"
    __table_args__ = (
        CheckConstraint("reason IN ('asked', 'misunderstood')", name="reason"),
        Index("ix_handoff_open", "closed_at", "opened_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    party_id: int = Field(foreign_key="party.id", index=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=128)
    locale: str = Field(max_length=10)
    reason: str = Field(max_length=20)
    opened_at: datetime
    closed_at: datetime | None = None
    closed_by: str | None = Field(default=None, max_length=60)
    paged_at: datetime | None = None  # supervisors told nobody answered in time


class HandoffMessageRow(SQLModel, table=True):
    __tablename__ = "handoff_message"

    id: int | None = Field(default=None, primary_key=True)
    handoff_id: int = Field(foreign_key="handoff.id", index=True)
    at: datetime
    from_owner: bool
    author: str | None = Field(default=None, max_length=60)
    text: str = Field(sa_type=Text)


handoff_t = table_of(HandoffRow)
handoff_message_t = table_of(HandoffMessageRow)
