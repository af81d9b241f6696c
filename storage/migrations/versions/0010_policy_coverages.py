"""policy coverages (交强险, 车损险, 三者险, 车上人员险); a proposal's settlement statement

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Covers not bought are NULL; existing policies keep their 车损险 and 三者险 figures
    and gain 交强险 (true), no rate deductible and no 车上人员险."""
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.alter_column("own_damage_fen", existing_type=sa.BigInteger(), nullable=True)
        batch_op.alter_column("third_party_fen", existing_type=sa.BigInteger(), nullable=True)
        batch_op.add_column(
            sa.Column("deductible_rate", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("seat_driver_fen", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("seat_passenger_fen", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("jiaoqiang", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("insurer", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
    # proposals keep their recorded figures; new ones also carry their statement
    with op.batch_alter_table("claim_settlement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("statement", sa.JSON(), nullable=True))
    # the defaults only filled the existing rows; the application always writes both
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.alter_column("deductible_rate", existing_type=sa.Integer(), server_default=None)
        batch_op.alter_column("jiaoqiang", existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("claim_settlement", schema=None) as batch_op:
        batch_op.drop_column("statement")
    op.execute("UPDATE policy SET own_damage_fen = 0 WHERE own_damage_fen IS NULL")
    op.execute("UPDATE policy SET third_party_fen = 0 WHERE third_party_fen IS NULL")
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.drop_column("insurer")
        batch_op.drop_column("jiaoqiang")
        batch_op.drop_column("seat_passenger_fen")
        batch_op.drop_column("seat_driver_fen")
        batch_op.drop_column("deductible_rate")
        batch_op.alter_column("third_party_fen", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("own_damage_fen", existing_type=sa.BigInteger(), nullable=False)
