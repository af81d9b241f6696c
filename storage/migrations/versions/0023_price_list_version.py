"""price_list_version: one row bumped by every import of the repair price list

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The version a process compares before using the price list it keeps."""
    version_t = op.create_table(
        "price_list_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_list_version")),
    )
    op.bulk_insert(version_t, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("price_list_version")
