"""media: the pHash of each photo in 16-bit bands, for the photo-reuse lookup

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As domain.fraud_signals.phash_bands at this revision (kept here: a migration must not
# change when the code does): 4 bands of 16 bits of the 64-bit hash, most significant first.
_BANDS = 4
_BAND_BITS = 16
_BATCH = 5000


def _bands(phash: str) -> Iterator[tuple[int, int]]:
    if len(phash) != _BANDS * _BAND_BITS // 4:
        return
    try:
        value = int(phash, 16)
    except ValueError:
        return
    for band in range(_BANDS):
        yield band, (value >> (_BAND_BITS * (_BANDS - 1 - band))) & 0xFFFF


def upgrade() -> None:
    """``media_phash_band`` (looked up by band and value), filled from ``media.phash``."""
    band_t = op.create_table(
        "media_phash_band",
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.id"],
            name=op.f("fk_media_phash_band_media_id_media"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("media_id", "band", name=op.f("pk_media_phash_band")),
    )
    media = sa.table("media", sa.column("id", sa.Integer()), sa.column("phash", sa.String()))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(media.c.id, media.c.phash).where(media.c.phash.is_not(None)).order_by(media.c.id)
    ).all()
    batch: list[dict[str, int]] = []
    for media_id, phash in rows:
        batch += [
            {"media_id": media_id, "band": band, "value": value} for band, value in _bands(phash)
        ]
        if len(batch) >= _BATCH:
            conn.execute(band_t.insert(), batch)
            batch = []
    if batch:
        conn.execute(band_t.insert(), batch)
    with op.batch_alter_table("media_phash_band", schema=None) as batch_op:
        batch_op.create_index(
            "ix_media_phash_band_band_value", ["band", "value", "media_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("media_phash_band", schema=None) as batch_op:
        batch_op.drop_index("ix_media_phash_band_band_value")
    op.drop_table("media_phash_band")
