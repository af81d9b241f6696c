"""booking: the confirmed slot kept while a reschedule is asked

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A confirmed booking the owner asks to move keeps its slot until the shop answers."""
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kept_slot_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("kept_slot_end", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_index(
            "ix_booking_kept_slot",
            ["shop_id", "kept_slot_start", "kept_slot_end"],
            sqlite_where=sa.text("kept_slot_start IS NOT NULL"),
            postgresql_where=sa.text("kept_slot_start IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_kept_slot")
        batch_op.drop_column("kept_slot_end")
        batch_op.drop_column("kept_slot_start")
