"""The read side of a proposal's settlement statement (``claim_settlement.statement``):
the whole stored statement (every payer and victim) for the dashboard, the API and the
status page; a statement stored before version 2 has the owner's lines only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SettlementLineInfo:
    payer: str
    coverage: str  # jiaoqiang_property, third_party, own_damage, ... (docs/settlement.md)
    victim: str
    kind: str
    amount_fen: int
    rule: str  # the rule's message key under settlement.rule.
    person: str | None
    handled_by: str | None
    rule_params: dict[str, Any]  # its parameters (``x_fen``: amounts)


@dataclass(frozen=True)
class OwnItemInfo:
    party: str  # who bears it
    victim: str
    kind: str
    amount_fen: int
    rule: str  # the rule's message key under settlement.own.
    person: str | None
    rule_params: dict[str, Any]


@dataclass(frozen=True)
class ReceivableInfo:
    creditor: str
    debtor: str
    amount_fen: int


def statement_fields(data: dict[str, Any] | None, recorded_owner_part: int) -> dict[str, Any]:
    """A proposal's stored statement as ``SettlementInfo`` fields; a proposal recorded
    before statements has no lines, and its owner's part is ``recorded_owner_part``."""
    if data is None:
        return {
            "lines": (),
            "owner_pays_fen": recorded_owner_part,
            "receivables": (),
            "party": None,
            "own_items": (),
        }
    return {
        "party": data.get("party"),
        "own_items": tuple(
            OwnItemInfo(
                item["party"],
                item["victim"],
                item["kind"],
                item["amount_fen"],
                item["rule"],
                item.get("person"),
                item.get("rule_params") or {},
            )
            for item in data.get("own_items", [])
        ),
        "lines": tuple(
            SettlementLineInfo(
                line["payer"],
                line["coverage"],
                line["victim"],
                line["kind"],
                line["amount_fen"],
                line["rule"],
                line.get("person"),
                line.get("handled_by"),
                line.get("rule_params") or {},
            )
            for line in data.get("lines", [])
        ),
        "owner_pays_fen": data["owner_pays_fen"],
        "receivables": tuple(
            ReceivableInfo(r["creditor"], r["debtor"], r["amount_fen"])
            for r in data.get("receivables", [])
        ),
    }
