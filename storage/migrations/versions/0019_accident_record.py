"""the accident on a claim: parties, victims' losses, ratios, options; split payments

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Two JSON columns on ``claim_adjudication``; existing claims keep NULL in both (no
    parties recorded: the statement's assumptions; nothing paid in parts)."""
    with op.batch_alter_table("claim_adjudication") as batch:
        batch.add_column(sa.Column("accident", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("part_payments", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim_adjudication") as batch:
        batch.drop_column("part_payments")
        batch.drop_column("accident")
