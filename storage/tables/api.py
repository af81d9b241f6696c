"""Tables of the API feature (sqlmodel, same conventions as storage/tables/core.py).

``api_token``: one row per bearer token for the JSON API and the dashboard. Only the
SHA-256 of the token is stored; the raw token is shown once, when it is created. A token
is scoped to the insurer (sees everything) or to one shop (sees its own bookings and the
claims linked to them).
"""

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from storage.tables.core import _in, table_of

TOKEN_SCOPES = ("insurer", "shop")


class ApiTokenRow(SQLModel, table=True):
    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint(_in("scope", TOKEN_SCOPES), name="scope"),
        CheckConstraint("scope = 'insurer' OR shop_code IS NOT NULL", name="shop_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)  # SHA-256 hex of the raw token
    scope: str = Field(max_length=10)
    shop_code: str | None = Field(default=None, max_length=40)
    label: str | None = Field(default=None, max_length=100)
    staff_code: str | None = Field(default=None, max_length=40)  # an insurer token's holder
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


api_token_t = table_of(ApiTokenRow)
