"""The read side of a proposal's settlement statement (``claim_settlement.statement``)."""

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
class ReceivableInfo:
    creditor: str
    debtor: str
    amount_fen: int


def statement_fields(data: dict[str, Any] | None, recorded_owner_part: int) -> dict[str, Any]:
    """A proposal's stored statement as ``SettlementInfo`` fields; a proposal recorded
    before statements has no lines, and its owner's part is ``recorded_owner_part``."""
    if data is None:
        return {"lines": (), "owner_pays_fen": recorded_owner_part, "receivables": ()}
    return {
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
