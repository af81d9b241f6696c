"""A proposal's statement as the JSON kept with the proposal (``claim_settlement.statement``).

Version 2 (``"version": 2``) keeps the whole statement: every line of every payer and
victim (the owner's car and occupants, the other vehicle, 护栏, pedestrians), the own
items, the losses as settled, receivables and notes, and ``party``, the owner's vehicle in
it. Version 1 (no ``version`` key) kept only the lines paying the owner's car; proposals
recorded before statements have none (``None``). Every version stays readable.
"""

from __future__ import annotations

from typing import Any

from domain.adjudication import SettlementFigures
from domain.money import Money
from domain.settlement import (
    Coverage,
    Line,
    Loss,
    LossKind,
    Occupant,
    OwnItem,
    Receivable,
    Rule,
    Statement,
)

VERSION = 2


def statement_json(figures: SettlementFigures) -> dict[str, Any] | None:
    if figures.owner_pays is None:
        return None
    data: dict[str, Any] = {
        "lines": [_line_json(line) for line in figures.lines],
        "owner_pays_fen": figures.owner_pays.fen,
        "receivables": _receivables_json(figures.receivables),
    }
    statement = figures.statement
    if statement is None or figures.party is None:
        return data
    return {
        **data,
        "version": VERSION,
        "party": figures.party,
        "lines": [_line_json(line) for line in statement.lines],
        "receivables": _receivables_json(statement.receivables),
        "own_items": [_own_json(item) for item in statement.own_items],
        "losses": [_loss_json(loss) for loss in statement.losses],
        "notes": [_rule_json(note) for note in statement.notes],
        "parties": list(statement.parties),
        "vehicles": list(statement.vehicles),
        "insurers": dict(statement.insurers),
    }


def statement_parts(
    data: dict[str, Any] | None,
) -> tuple[tuple[Line, ...], Money | None, tuple[Receivable, ...]]:
    """The owner's lines, their out-of-pocket and the receivables, of any version."""
    if data is None:
        return (), None, ()
    lines = tuple(_line(line) for line in data.get("lines", []))
    party = data.get("party")
    if party is not None:
        lines = tuple(line for line in lines if line.victim == party)
    receivables = tuple(
        Receivable(r["creditor"], r["debtor"], r["amount_fen"]) for r in data.get("receivables", [])
    )
    return lines, Money(data["owner_pays_fen"]), receivables


def stored_statement(data: dict[str, Any] | None) -> tuple[Statement | None, str | None]:
    """The whole statement and the owner's vehicle in it; (None, None) before version 2."""
    if data is None or data.get("version", 1) < VERSION:
        return None, None
    statement = Statement(
        losses=tuple(_loss(x) for x in data["losses"]),
        parties=tuple(data["parties"]),
        lines=tuple(_line(x) for x in data["lines"]),
        own_items=tuple(_own(x) for x in data["own_items"]),
        receivables=tuple(
            Receivable(r["creditor"], r["debtor"], r["amount_fen"]) for r in data["receivables"]
        ),
        notes=tuple(Rule(n["key"], n.get("params") or {}) for n in data.get("notes", [])),
        vehicles=tuple(data.get("vehicles", [])),
        insurers=dict(data.get("insurers", {})),
    )
    return statement, data["party"]


def _line_json(line: Line) -> dict[str, Any]:
    return {
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


def _line(data: dict[str, Any]) -> Line:
    return Line(
        payer=data["payer"],
        coverage=Coverage(data["coverage"]),
        victim=data["victim"],
        kind=LossKind(data["kind"]),
        amount=data["amount_fen"],
        rule=Rule(data["rule"], data.get("rule_params") or {}),
        person=data.get("person"),
        handled_by=data.get("handled_by"),
    )


def _own_json(item: OwnItem) -> dict[str, Any]:
    return {
        "party": item.party,
        "victim": item.victim,
        "kind": item.kind.value,
        "amount_fen": item.amount,
        "rule": item.rule.key,
        "rule_params": dict(item.rule.params),
        "person": item.person,
    }


def _own(data: dict[str, Any]) -> OwnItem:
    return OwnItem(
        party=data["party"],
        victim=data["victim"],
        kind=LossKind(data["kind"]),
        amount=data["amount_fen"],
        rule=Rule(data["rule"], data.get("rule_params") or {}),
        person=data.get("person"),
    )


def _loss_json(loss: Loss) -> dict[str, Any]:
    return {
        "victim": loss.victim,
        "kind": loss.kind.value,
        "amount_fen": loss.amount,
        "occupant": None if loss.occupant is None else loss.occupant.value,
        "person": loss.person,
    }


def _loss(data: dict[str, Any]) -> Loss:
    occupant = data.get("occupant")
    return Loss(
        data["victim"],
        LossKind(data["kind"]),
        data["amount_fen"],
        occupant=None if occupant is None else Occupant(occupant),
        person=data.get("person") or "",
    )


def _rule_json(rule: Rule) -> dict[str, Any]:
    return {"key": rule.key, "params": dict(rule.params)}


def _receivables_json(receivables: tuple[Receivable, ...]) -> list[dict[str, Any]]:
    return [
        {"creditor": r.creditor, "debtor": r.debtor, "amount_fen": r.amount} for r in receivables
    ]
