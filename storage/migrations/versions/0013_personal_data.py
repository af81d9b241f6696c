"""personal data: consent to the privacy notice, full-data views, retention purges

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Consents (with the notice version), the audit of unmasked views, purged claims."""
    op.create_table(
        "privacy_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("agreed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["party.id"],
            name=op.f("fk_privacy_consent_party_id_party"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_consent")),
    )
    op.create_index(
        op.f("ix_privacy_consent_party_id"), "privacy_consent", ["party_id"], unique=False
    )
    op.create_table(
        "personal_data_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("viewer", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_view")),
    )
    op.create_index(
        op.f("ix_personal_data_view_claim_number"),
        "personal_data_view",
        ["claim_number"],
        unique=False,
    )
    op.create_table(
        "claim_purge",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("purged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_purge_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claim_purge")),
    )


def downgrade() -> None:
    op.drop_table("claim_purge")
    op.drop_index(op.f("ix_personal_data_view_claim_number"), table_name="personal_data_view")
    op.drop_table("personal_data_view")
    op.drop_index(op.f("ix_privacy_consent_party_id"), table_name="privacy_consent")
    op.drop_table("privacy_consent")
