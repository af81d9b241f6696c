"""The read side of a claim's accident record and payments (dashboard, API, status page):
the parties and victims' losses as recorded, and what is paid and still due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from storage._sql import AnyRow
from storage.tables.adjudication import claim_payment_t, claim_settlement_t


@dataclass(frozen=True)
class AccidentPartyInfo:
    label: str
    kind: str  # vehicle, non_motor, pedestrian, property
    insurer: str
    insured: bool
    jiaoqiang: bool
    third_party_fen: int | None  # None: not known
    share: int | None  # percent; None: no ratios recorded, or a property owner


@dataclass(frozen=True)
class VictimLossInfo:
    victim: str
    kind: str  # vehicle, property, medical, disability_death
    amount_fen: int
    person: str
    role: str | None  # driver, passenger, third_party


@dataclass(frozen=True)
class AccidentInfo:
    parties: tuple[AccidentPartyInfo, ...]
    losses: tuple[VictimLossInfo, ...]
    source: str | None  # police, agreement, insurer; None: no ratios recorded
    reference: str
    subrogation: bool
    total_loss_value_fen: int | None
    salvage_fen: int | None
    insurer_takes_salvage: bool
    rescue_fen: int


@dataclass(frozen=True)
class PartPaymentInfo:
    amount_fen: int
    reference: str
    recorded_at: datetime


@dataclass(frozen=True)
class PaymentsInfo:
    """What the agreement pays: paid so far (parts and the closing payment) and due."""

    agreed_fen: int
    paid_fen: int
    due_fen: int
    parts: tuple[PartPaymentInfo, ...]


def accident_info(data: dict[str, Any] | None) -> AccidentInfo | None:
    if data is None:
        return None
    ratios = data.get("ratios")
    shares = {} if ratios is None else ratios["shares"]
    options = data.get("options") or {}
    total = options.get("total_loss")
    return AccidentInfo(
        parties=tuple(
            AccidentPartyInfo(
                p["label"],
                p["kind"],
                p.get("insurer", ""),
                p.get("insured", True),
                p.get("jiaoqiang", True),
                p.get("third_party_fen"),
                None if ratios is None or p["kind"] == "property" else shares.get(p["label"], 0),
            )
            for p in data.get("parties", [])
        ),
        losses=tuple(
            VictimLossInfo(
                x["victim"], x["kind"], x["amount_fen"], x.get("person", ""), x.get("role")
            )
            for x in data.get("losses", [])
        ),
        source=None if ratios is None else ratios["source"],
        reference="" if ratios is None else ratios.get("reference", ""),
        subrogation=bool(options.get("subrogation", False)),
        total_loss_value_fen=None if total is None else total["actual_value_fen"],
        salvage_fen=None if total is None else total["salvage_fen"],
        insurer_takes_salvage=False if total is None else total["insurer_takes_salvage"],
        rescue_fen=options.get("rescue_fen", 0),
    )


def payments_info(conn: Connection, claim_id: int, row: AnyRow) -> PaymentsInfo | None:
    """None until the owner agreed to a proposal."""
    s = claim_settlement_t.c
    agreed = conn.execute(
        select(s.payout_fen)
        .where(s.claim_id == claim_id, s.outcome == "accepted")
        .order_by(s.version.desc())
        .limit(1)
    ).scalar()
    if agreed is None:
        return None
    parts = tuple(
        PartPaymentInfo(p["amount_fen"], p["reference"], datetime.fromisoformat(p["recorded_at"]))
        for p in row.part_payments or []
    )
    p = claim_payment_t.c
    closing = conn.execute(select(p.amount_fen).where(p.claim_id == claim_id)).scalar() or 0
    paid = sum(part.amount_fen for part in parts) + closing
    return PaymentsInfo(agreed, paid, max(agreed - paid, 0), parts)
