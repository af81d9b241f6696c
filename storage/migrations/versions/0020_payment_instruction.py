"""小额快赔: payment instructions (one per claim) handed to the payment port

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_instruction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("payee_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("card_number", sqlmodel.sql.sqltypes.AutoString(length=19), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_instruction")),
        sa.UniqueConstraint("claim_number", name=op.f("uq_payment_instruction_claim_number")),
    )
    with op.batch_alter_table("payment_instruction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_instruction_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payment_instruction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_instruction_state"))
    op.drop_table("payment_instruction")
