"""booking tables

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = (
    "status IN ('requested', 'held', 'proposed', 'confirmed', 'declined', 'expired', "
    "'cancelled', 'arrived', 'in_repair', 'ready', 'problem', 'accepted', 'paid', 'rated')"
)


def upgrade() -> None:
    """Bookings, their timelines, and the shops' closed days."""
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("owner_party_id", sa.Integer(), nullable=False),
        sa.Column("claim_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("policy_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("plate", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("make", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("origin_lat", sa.Float(), nullable=True),
        sa.Column("origin_lon", sa.Float(), nullable=True),
        sa.Column("origin_system", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("slot_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("slot_end", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("hold_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reschedules", sa.Integer(), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("estimated_done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("accepted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("payer", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("paid_fen", sa.BigInteger(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('repair', 'maintenance')", name=op.f("ck_booking_kind")),
        sa.CheckConstraint(
            "payer IS NULL OR payer IN ('insurer', 'owner')", name=op.f("ck_booking_payer")
        ),
        sa.CheckConstraint(_STATUSES, name=op.f("ck_booking_status")),
        sa.CheckConstraint(
            "rating IS NULL OR rating BETWEEN 1 AND 5", name=op.f("ck_booking_rating")
        ),
        sa.CheckConstraint("slot_end > slot_start", name=op.f("ck_booking_slot")),
        sa.ForeignKeyConstraint(
            ["owner_party_id"], ["party.id"], name=op.f("fk_booking_owner_party_id_party")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shop.id"], name=op.f("fk_booking_shop_id_shop"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking")),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_claim_number"), ["claim_number"])
        batch_op.create_index(batch_op.f("ix_booking_owner_party_id"), ["owner_party_id"])
        batch_op.create_index(
            "ix_booking_shop_id_slot_start", ["shop_id", "slot_start", "slot_end", "status"]
        )
        batch_op.create_index(
            "ix_booking_rated",
            ["shop_id", "rating"],
            sqlite_where=sa.text("rating IS NOT NULL"),
            postgresql_where=sa.text("rating IS NOT NULL"),
        )

    op.create_table(
        "shop_closed_day",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shop.id"],
            name=op.f("fk_shop_closed_day_shop_id_shop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "day", name=op.f("pk_shop_closed_day")),
    )
    op.create_table(
        "booking_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["booking.id"],
            name=op.f("fk_booking_change_booking_id_booking"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_change")),
    )
    with op.batch_alter_table("booking_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_change_booking_id"), ["booking_id"])


def downgrade() -> None:
    """Drop the tables of the booking feature."""
    with op.batch_alter_table("booking_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_change_booking_id"))
    op.drop_table("booking_change")
    op.drop_table("shop_closed_day")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_rated")
        batch_op.drop_index("ix_booking_shop_id_slot_start")
        batch_op.drop_index(batch_op.f("ix_booking_owner_party_id"))
        batch_op.drop_index(batch_op.f("ix_booking_claim_number"))
    op.drop_table("booking")
