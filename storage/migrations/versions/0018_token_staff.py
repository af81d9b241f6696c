"""dashboard tokens that act as a staff member (a supervisor's approvals)

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """``api_token.staff_code``: an insurer token issued to one staff member (e.g. a
    supervisor, whose dashboard approvals are theirs)."""
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(
            sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("staff_code")
