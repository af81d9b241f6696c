"""Tables of the adjudication feature (sqlmodel, same conventions as storage/tables/core.py).

Staff invites, and what an adjuster records on a claim: survey, liability and the open
evidence request (one row per claim), loss items, settlement proposals and payment.
The claim's assigned adjuster is ``claim.adjuster_id``; its timeline is
``claim_status_change``. Money columns hold integer fen.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.core import _in, table_of

STAFF_ROLES = ("adjuster", "shop")
PROPOSAL_OUTCOMES = ("pending", "accepted", "disputed", "superseded")


class StaffInviteRow(SQLModel, table=True):
    __tablename__ = "staff_invite"
    __table_args__ = (CheckConstraint(_in("role", STAFF_ROLES), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)  # SHA-256 of the normalised code
    role: str = Field(max_length=20)
    name: str = Field(max_length=100)
    staff_code: str | None = Field(default=None, max_length=40)  # adjuster code to bind
    region: str | None = Field(default=None, max_length=100)
    shop_code: str | None = Field(default=None, max_length=40)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by_party_id: int | None = Field(default=None, foreign_key="party.id", ondelete="SET NULL")


class ClaimAdjudicationRow(SQLModel, table=True):
    __tablename__ = "claim_adjudication"

    claim_id: int = Field(primary_key=True, foreign_key="claim.id", ondelete="CASCADE")
    initial_assessment: str | None = Field(default=None, sa_type=Text)
    survey_mode: str | None = Field(default=None, max_length=10)
    survey_at: datetime | None = None
    survey_place: str | None = Field(default=None, max_length=200)
    liability: str | None = Field(default=None, max_length=10)
    liability_share: int | None = None
    liability_note: str | None = Field(default=None, sa_type=Text)
    request_text: str | None = Field(default=None, sa_type=Text)
    request_by: str | None = Field(default=None, max_length=100)
    request_at: datetime | None = None
    # the accident's parties, victims' losses, ratios and options; the parts paid before
    # the rest (storage.repositories.accident_codec); NULL when none were recorded
    accident: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    part_payments: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)


class ClaimLossItemRow(SQLModel, table=True):
    __tablename__ = "claim_loss_item"
    __table_args__ = (UniqueConstraint("claim_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", ondelete="CASCADE")
    position: int
    kind: str = Field(max_length=10)
    description: str = Field(max_length=100)
    amount_fen: int = Field(sa_type=BigInteger)


class ClaimSettlementRow(SQLModel, table=True):
    __tablename__ = "claim_settlement"
    __table_args__ = (
        UniqueConstraint("claim_id", "version"),
        CheckConstraint(_in("outcome", PROPOSAL_OUTCOMES), name="outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", ondelete="CASCADE")
    version: int
    route: str = Field(max_length=10)
    loss_total_fen: int = Field(sa_type=BigInteger)
    share: int
    own_portion_fen: int = Field(sa_type=BigInteger)
    covered_fen: int = Field(sa_type=BigInteger)
    other_share_fen: int = Field(sa_type=BigInteger)
    deductible_fen: int = Field(sa_type=BigInteger)
    payout_fen: int = Field(sa_type=BigInteger)
    # the statement's lines, owner's out-of-pocket and receivables
    # (storage.repositories.settlement_codec); NULL on proposals recorded before statements
    statement: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    proposed_by: str = Field(max_length=100)
    proposed_at: datetime
    outcome: str = Field(max_length=12)
    answered_by: str | None = Field(default=None, max_length=100)
    answered_at: datetime | None = None
    dispute_reason: str | None = Field(default=None, sa_type=Text)


class ClaimPaymentRow(SQLModel, table=True):
    __tablename__ = "claim_payment"

    claim_id: int = Field(primary_key=True, foreign_key="claim.id", ondelete="CASCADE")
    amount_fen: int = Field(sa_type=BigInteger)
    reference: str = Field(max_length=64)
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime


staff_invite_t = table_of(StaffInviteRow)
claim_adjudication_t = table_of(ClaimAdjudicationRow)
claim_loss_item_t = table_of(ClaimLossItemRow)
claim_settlement_t = table_of(ClaimSettlementRow)
claim_payment_t = table_of(ClaimPaymentRow)
