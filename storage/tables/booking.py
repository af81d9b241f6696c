"""Tables of the booking feature (sqlmodel, same conventions as storage/tables/core.py).

``booking``: one row per repair or maintenance booking, its slot in UTC and where it
stands (domain.booking); ``booking_change``: its timeline. ``shop_closed_day``: the
local dates a shop is closed (holidays), from the directory. Ratings are read from the
bookings (``rating``), so they feed the shop's rating without a second record.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, PrimaryKeyConstraint, Text, text
from sqlmodel import Field, SQLModel

from storage.tables.core import _in, table_of

BOOKING_STATUSES = (
    "requested",
    "held",
    "proposed",
    "confirmed",
    "declined",
    "expired",
    "cancelled",
    "arrived",
    "in_repair",
    "ready",
    "problem",
    "accepted",
    "paid",
    "rated",
)
BOOKING_KINDS = ("repair", "maintenance")
PAYERS = ("insurer", "owner")


class BookingRow(SQLModel, table=True):
    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint(_in("status", BOOKING_STATUSES), name="status"),
        CheckConstraint(_in("kind", BOOKING_KINDS), name="kind"),
        CheckConstraint("payer IS NULL OR " + _in("payer", PAYERS), name="payer"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("slot_end > slot_start", name="slot"),
        # Capacity counts and free-slot searches read only this index (covering).
        Index("ix_booking_shop_id_slot_start", "shop_id", "slot_start", "slot_end", "status"),
        # The owners' ratings summed per shop, without reading unrated bookings.
        # The confirmed slots kept while a move is asked of the shop (few rows at a time).
        Index(
            "ix_booking_kept_slot",
            "shop_id",
            "kept_slot_start",
            "kept_slot_end",
            sqlite_where=text("kept_slot_start IS NOT NULL"),
            postgresql_where=text("kept_slot_start IS NOT NULL"),
        ),
        Index(
            "ix_booking_rated",
            "shop_id",
            "rating",
            sqlite_where=text("rating IS NOT NULL"),
            postgresql_where=text("rating IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    # No index of its own: SQLite would pick it for "status IN (...)" over the covering
    # (shop_id, slot_start, ...) index and read every booking (bench/slots.py).
    status: str = Field(max_length=20)
    shop_id: int = Field(foreign_key="shop.id", ondelete="RESTRICT")
    owner_party_id: int = Field(foreign_key="party.id", index=True)
    claim_number: str | None = Field(default=None, max_length=20, index=True)
    policy_number: str | None = Field(default=None, max_length=40)
    plate: str | None = Field(default=None, max_length=16)
    make: str | None = Field(default=None, max_length=60)
    origin_lat: float | None = None
    origin_lon: float | None = None
    origin_system: str | None = Field(default=None, max_length=10)
    slot_start: datetime
    slot_end: datetime
    hold_expires_at: datetime | None = None
    # A confirmed slot the owner asked to move: still reserved until the shop answers.
    kept_slot_start: datetime | None = None
    kept_slot_end: datetime | None = None
    reschedules: int = 0
    decline_reason: str | None = Field(default=None, sa_type=Text)
    estimated_done_at: datetime | None = None
    quote_fen: int | None = Field(default=None, sa_type=BigInteger)
    final_fen: int | None = Field(default=None, sa_type=BigInteger)
    tow: bool = False
    pickup: str | None = Field(default=None, sa_type=Text)
    problem: str | None = Field(default=None, sa_type=Text)
    accepted_at: datetime | None = None
    payer: str | None = Field(default=None, max_length=10)
    paid_fen: int | None = Field(default=None, sa_type=BigInteger)
    rating: int | None = None
    comment: str | None = Field(default=None, sa_type=Text)
    created_at: datetime
    updated_at: datetime


class BookingChangeRow(SQLModel, table=True):
    __tablename__ = "booking_change"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", ondelete="CASCADE", index=True)
    at: datetime
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    actor: str = Field(max_length=100)
    note: str = Field(default="", sa_type=Text)


class ShopClosedDayRow(SQLModel, table=True):
    __tablename__ = "shop_closed_day"
    __table_args__ = (PrimaryKeyConstraint("shop_id", "day"),)

    shop_id: int = Field(foreign_key="shop.id", ondelete="CASCADE")
    day: date


booking_t = table_of(BookingRow)
booking_change_t = table_of(BookingChangeRow)
shop_closed_day_t = table_of(ShopClosedDayRow)
