"""fast lane: the repair price list, a perceptual hash on each photo, automatic decisions

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Price list tables (part, car class, 配件/工时/喷漆 in fen) and ``media.phash``."""
    op.create_table(
        "repair_car_class",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("makes", sa.JSON(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_car_class")),
        sa.UniqueConstraint("code", name=op.f("uq_repair_car_class_code")),
    )
    op.create_table(
        "repair_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_part")),
        sa.UniqueConstraint("code", name=op.f("uq_repair_part_code")),
    )
    op.create_table(
        "repair_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("car_class_id", sa.Integer(), nullable=False),
        sa.Column("part_fen", sa.BigInteger(), nullable=False),
        sa.Column("labour_fen", sa.BigInteger(), nullable=False),
        sa.Column("paint_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["car_class_id"],
            ["repair_car_class.id"],
            name=op.f("fk_repair_price_car_class_id_repair_car_class"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["part_id"],
            ["repair_part.id"],
            name=op.f("fk_repair_price_part_id_repair_part"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_price")),
        sa.UniqueConstraint(
            "part_id", "car_class_id", name=op.f("uq_repair_price_part_id_car_class_id")
        ),
    )
    with op.batch_alter_table("repair_price", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_repair_price_car_class_id"), ["car_class_id"], unique=False
        )
    op.create_table(
        "fastlane_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("rule_version", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("sampled", sa.Boolean(), nullable=False),
        sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reviewed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fastlane_decision")),
    )
    with op.batch_alter_table("fastlane_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fastlane_decision_claim_number"), ["claim_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fastlane_decision_sampled"), ["sampled"], unique=False)
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phash", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_media_phash"), ["phash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fastlane_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fastlane_decision_sampled"))
        batch_op.drop_index(batch_op.f("ix_fastlane_decision_claim_number"))
    op.drop_table("fastlane_decision")
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_phash"))
        batch_op.drop_column("phash")
    with op.batch_alter_table("repair_price", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_repair_price_car_class_id"))
    op.drop_table("repair_price")
    op.drop_table("repair_part")
    op.drop_table("repair_car_class")
