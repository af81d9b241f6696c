"""abuse limits: WeChat nonces seen, uploads per sender

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """(timestamp, nonce) pairs of WeChat callbacks, and one row per accepted upload."""
    op.create_table(
        "wechat_nonce",
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("body_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("timestamp", "nonce", name=op.f("pk_wechat_nonce")),
    )
    op.create_table(
        "media_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uploader", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_id"], ["media.id"], name=op.f("fk_media_upload_media_id_media")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_upload")),
    )
    op.create_index(
        "ix_media_upload_uploader_at", "media_upload", ["uploader", "uploaded_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_media_upload_uploader_at", table_name="media_upload")
    op.drop_table("media_upload")
    op.drop_table("wechat_nonce")
