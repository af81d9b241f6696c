"""A claim's accident record and its part payments as the JSON kept on its adjudication
row (``claim_adjudication.accident``, ``.part_payments``); amounts in fen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.accident_record import (
    AccidentParty,
    AccidentRecord,
    InjuryRole,
    OwnerOptions,
    PartyKind,
    RecordedRatios,
    VictimLoss,
)
from domain.adjudication import Payment
from domain.money import Money
from domain.settlement.accident import LiabilitySource, LiabilitySourceKind, LossKind, TotalLoss


def accident_json(record: AccidentRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    ratios = record.ratios
    total = record.options.total_loss
    return {
        "parties": [
            {
                "label": p.label,
                "kind": p.kind.value,
                "insurer": p.insurer,
                "insured": p.insured,
                "jiaoqiang": p.jiaoqiang,
                "third_party_fen": p.third_party,
            }
            for p in record.parties
        ],
        "losses": [
            {
                "victim": x.victim,
                "kind": x.kind.value,
                "amount_fen": x.amount,
                "person": x.person,
                "role": None if x.role is None else x.role.value,
            }
            for x in record.losses
        ],
        "ratios": None
        if ratios is None
        else {
            "shares": dict(ratios.shares),
            "source": ratios.source.kind.value,
            "reference": ratios.source.reference,
        },
        "options": {
            "subrogation": record.options.subrogation,
            "rescue_fen": record.options.rescue,
            "total_loss": None
            if total is None
            else {
                "actual_value_fen": total.actual_value,
                "salvage_fen": total.salvage,
                "insurer_takes_salvage": total.insurer_takes_salvage,
            },
        },
    }


def accident_record(data: dict[str, Any] | None) -> AccidentRecord | None:
    if data is None:
        return None
    ratios = data.get("ratios")
    options = data.get("options") or {}
    total = options.get("total_loss")
    return AccidentRecord(
        parties=tuple(
            AccidentParty(
                p["label"],
                PartyKind(p["kind"]),
                p.get("insurer", ""),
                p.get("insured", True),
                p.get("jiaoqiang", True),
                p.get("third_party_fen"),
            )
            for p in data.get("parties", [])
        ),
        losses=tuple(
            VictimLoss(
                x["victim"],
                LossKind(x["kind"]),
                x["amount_fen"],
                x.get("person", ""),
                None if x.get("role") is None else InjuryRole(x["role"]),
            )
            for x in data.get("losses", [])
        ),
        ratios=None
        if ratios is None
        else RecordedRatios(
            dict(ratios["shares"]),
            LiabilitySource(LiabilitySourceKind(ratios["source"]), ratios.get("reference", "")),
        ),
        options=OwnerOptions(
            subrogation=bool(options.get("subrogation", False)),
            total_loss=None
            if total is None
            else TotalLoss(
                total["actual_value_fen"], total["salvage_fen"], total["insurer_takes_salvage"]
            ),
            rescue=options.get("rescue_fen", 0),
        ),
    )


def payments_json(payments: list[Payment]) -> list[dict[str, Any]] | None:
    if not payments:
        return None
    return [
        {
            "amount_fen": p.amount.fen,
            "reference": p.reference,
            "recorded_by": p.recorded_by,
            "recorded_at": p.recorded_at.isoformat(),
        }
        for p in payments
    ]


def payments(data: list[dict[str, Any]] | None) -> list[Payment]:
    return [
        Payment(
            Money(p["amount_fen"]),
            p["reference"],
            p["recorded_by"],
            datetime.fromisoformat(p["recorded_at"]),
        )
        for p in data or []
    ]
