"""快处快赔: the invitation and both drivers' answers, one row per claim

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quick_deal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["party.id"], name=op.f("fk_quick_deal_owner_id_party")
        ),
        sa.ForeignKeyConstraint(
            ["other_id"], ["party.id"], name=op.f("fk_quick_deal_other_id_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_deal")),
        sa.UniqueConstraint("claim_number", name=op.f("uq_quick_deal_claim_number")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_quick_deal_code_hash")),
    )
    op.create_index(op.f("ix_quick_deal_other_id"), "quick_deal", ["other_id"], unique=False)
    op.create_table(
        "quick_deal_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_id"], ["media.id"], name=op.f("fk_quick_deal_media_media_id_media")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_deal_media")),
    )
    op.create_index(op.f("ix_quick_deal_media_claim_number"), "quick_deal_media", ["claim_number"])
    op.create_index(op.f("ix_quick_deal_media_media_id"), "quick_deal_media", ["media_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_quick_deal_media_media_id"), table_name="quick_deal_media")
    op.drop_index(op.f("ix_quick_deal_media_claim_number"), table_name="quick_deal_media")
    op.drop_table("quick_deal_media")
    op.drop_index(op.f("ix_quick_deal_other_id"), table_name="quick_deal")
    op.drop_table("quick_deal")
