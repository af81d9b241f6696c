"""booking: the shop's quote and final amount, and a tow to the shop

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """报价 before the repair starts, the final amount at ready; 拖车到店 and its pickup."""
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quote_fen", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("final_fen", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("tow", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("pickup", sa.Text(), nullable=True))
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.alter_column("tow", existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("pickup")
        batch_op.drop_column("tow")
        batch_op.drop_column("final_fen")
        batch_op.drop_column("quote_fen")
