"""Tables of the fast lane (sqlmodel, same conventions as storage/tables/core.py).

The repair price list: ``repair_car_class`` (a class of cars and the makes in it; one may
be the default for makes no class names), ``repair_part`` (a part and its names per
locale) and ``repair_price`` (a part's 配件/工时/喷漆 prices for one class, in fen).
The perceptual hash of a photo is a column of ``media`` (storage/tables/core.py).
``fastlane_decision``: each automatic decision of the fast lane, with its rule version and
inputs, and whether it was sampled for a supervisor's review (and reviewed).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.core import table_of


class RepairCarClassRow(SQLModel, table=True):
    __tablename__ = "repair_car_class"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    makes: list[str] = Field(sa_type=JSON)
    is_default: bool = False
    position: int  # the order of the file


class RepairPartRow(SQLModel, table=True):
    __tablename__ = "repair_part"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60, unique=True)
    names: dict[str, Any] = Field(sa_type=JSON)  # locale -> name
    position: int


class RepairPriceRow(SQLModel, table=True):
    __tablename__ = "repair_price"
    __table_args__ = (UniqueConstraint("part_id", "car_class_id"),)

    id: int | None = Field(default=None, primary_key=True)
    part_id: int = Field(foreign_key="repair_part.id", ondelete="CASCADE")
    car_class_id: int = Field(foreign_key="repair_car_class.id", ondelete="CASCADE", index=True)
    part_fen: int = Field(sa_type=BigInteger)  # 配件
    labour_fen: int = Field(sa_type=BigInteger)  # 工时
    paint_fen: int = Field(sa_type=BigInteger)  # 喷漆


class PriceListVersionRow(SQLModel, table=True):
    """One row: bumped by every import of the price list, so a process may keep the list
    it read until the version changes."""

    __tablename__ = "price_list_version"

    id: int = Field(primary_key=True)  # always 1
    version: int = 0


class FastLaneDecisionRow(SQLModel, table=True):
    __tablename__ = "fastlane_decision"

    id: int | None = Field(default=None, primary_key=True)
    claim_number: str = Field(max_length=20, index=True)
    decided_at: datetime
    rule_version: str = Field(max_length=40)
    eligible: bool
    reasons: list[str] = Field(sa_type=JSON)
    inputs: dict[str, Any] = Field(sa_type=JSON)
    sampled: bool = Field(index=True)
    reviewed_at: datetime | None = None
    reviewed_by: str | None = Field(default=None, max_length=100)


repair_car_class_t = table_of(RepairCarClassRow)
repair_part_t = table_of(RepairPartRow)
repair_price_t = table_of(RepairPriceRow)
price_list_version_t = table_of(PriceListVersionRow)
fastlane_decision_t = table_of(FastLaneDecisionRow)


class PaymentInstructionRow(SQLModel, table=True):
    """One payment of an accepted 小额快赔 proposal, at most one per claim; handed to the
    payment port (``sent_at``) and closed by its confirmation (``confirmed_at``)."""

    __tablename__ = "payment_instruction"

    id: int | None = Field(default=None, primary_key=True)
    claim_number: str = Field(max_length=20, unique=True)
    amount_fen: int = Field(sa_type=BigInteger)
    payee_name: str = Field(max_length=100)
    card_number: str = Field(max_length=19)
    state: str = Field(max_length=20, index=True)
    created_at: datetime
    sent_at: datetime | None = None
    attempts: int = 0
    confirmed_at: datetime | None = None
    reference: str = Field(default="", max_length=64)


payment_instruction_t = table_of(PaymentInstructionRow)
