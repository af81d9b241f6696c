"""The 快处快赔 case table (sqlmodel, same conventions as storage/tables/core.py).

``quick_deal``: one row per claim whose owner invited the other driver: the invitation
code's hash (never the code), its expiry, the other driver's party once joined, the state,
and the answers (the other driver's details, both picks and confirmations, photos, the
issued documents) as JSON. ``quick_deal_media``: the photos of a case, to tell who may see
one.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from storage.tables.core import table_of


class QuickDealRow(SQLModel, table=True):
    __tablename__ = "quick_deal"

    id: int | None = Field(default=None, primary_key=True)
    claim_number: str = Field(max_length=20, unique=True)
    owner_id: int = Field(foreign_key="party.id")
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime
    expires_at: datetime
    state: str = Field(max_length=20)
    other_id: int | None = Field(default=None, foreign_key="party.id", index=True)
    joined_at: datetime | None = None
    answers: dict[str, Any] = Field(sa_type=JSON)


class QuickDealMediaRow(SQLModel, table=True):
    """A photo either driver may see through the case: the other driver's photos and the
    owner's invitation QR code (the owner's report photos are the claim's evidence)."""

    __tablename__ = "quick_deal_media"

    id: int | None = Field(default=None, primary_key=True)
    claim_number: str = Field(max_length=20, index=True)
    media_id: int = Field(foreign_key="media.id", index=True)


quick_deal_t = table_of(QuickDealRow)
quick_deal_media_t = table_of(QuickDealMediaRow)
