"""A proposal's statement (its lines, the owner's out-of-pocket, receivables) as the JSON
kept with the proposal; proposals recorded before statements existed have none."""

from __future__ import annotations

from typing import Any

from domain.adjudication import SettlementFigures
from domain.money import Money
from domain.settlement import Coverage, Line, LossKind, Receivable, Rule


def statement_json(figures: SettlementFigures) -> dict[str, Any] | None:
    if figures.owner_pays is None:
        return None
    return {
        "lines": [
            {
                "payer": line.payer,
                "coverage": line.coverage.value,
                "victim": line.victim,
                "kind": line.kind.value,
                "amount_fen": line.amount,
                "rule": line.rule.key,
                "rule_params": dict(line.rule.params),
                "person": line.person,
                "handled_by": line.handled_by,
            }
            for line in figures.lines
        ],
        "owner_pays_fen": figures.owner_pays.fen,
        "receivables": [
            {"creditor": r.creditor, "debtor": r.debtor, "amount_fen": r.amount}
            for r in figures.receivables
        ],
    }


def statement_parts(
    data: dict[str, Any] | None,
) -> tuple[tuple[Line, ...], Money | None, tuple[Receivable, ...]]:
    if data is None:
        return (), None, ()
    lines = tuple(
        Line(
            payer=line["payer"],
            coverage=Coverage(line["coverage"]),
            victim=line["victim"],
            kind=LossKind(line["kind"]),
            amount=line["amount_fen"],
            rule=Rule(line["rule"], line.get("rule_params") or {}),
            person=line.get("person"),
            handled_by=line.get("handled_by"),
        )
        for line in data.get("lines", [])
    )
    receivables = tuple(
        Receivable(r["creditor"], r["debtor"], r["amount_fen"]) for r in data.get("receivables", [])
    )
    return lines, Money(data["owner_pays_fen"]), receivables
