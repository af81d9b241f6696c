"""Settle an accident: the 交强险 first, then the rest by liability, into one statement."""

from __future__ import annotations

from collections.abc import Sequence

from domain.settlement.accident import Accident
from domain.settlement.jiaoqiang import jiaoqiang_shares, mutual_shares
from domain.settlement.liability import liability_shares
from domain.settlement.losses import settled_losses
from domain.settlement.rules import SettlementRules
from domain.settlement.shares import Share
from domain.settlement.statement import Line, OwnItem, Receivable, Rule, Statement
from domain.settlement.subrogation import subrogate
from domain.settlement.validation import check_accident


def settle(accident: Accident, rules: SettlementRules | None = None) -> Statement:
    """The statement of an accident; ``InvalidAccident`` when it cannot be settled as given."""
    rules = rules or SettlementRules()
    check_accident(accident)
    losses, notes = settled_losses(accident)
    receivables: list[Receivable] = []
    if accident.options.mutual:
        shares = mutual_shares(accident, losses, rules)
        notes += (Rule("mutual", {"limit_fen": rules.jiaoqiang.at_fault.property}),)
    else:
        remaining = [loss.amount for loss in losses]
        shares = jiaoqiang_shares(accident, losses, remaining, rules)
        shares += liability_shares(accident, losses, remaining)
        if accident.options.subrogation:
            shares, receivables = subrogate(accident, shares)
            notes += tuple(
                Rule("subrogation", {"party": label})
                for label in sorted(accident.options.subrogation)
            )
    if accident.source is not None:
        source = {"source": accident.source.kind.value, "reference": accident.source.reference}
        notes = (Rule("liability_source", source), *notes)
    parties = tuple(party.id for party in accident.parties)
    return Statement(
        losses=losses,
        parties=parties,
        lines=_lines(shares, parties),
        own_items=_own_items(shares),
        receivables=_merged_receivables(receivables),
        notes=notes,
        vehicles=tuple(vehicle.id for vehicle in accident.vehicles),
        insurers={v.id: v.insurer for v in accident.vehicles if v.insurer},
    )


def _lines(shares: Sequence[Share], parties: Sequence[str]) -> tuple[Line, ...]:
    """One line per (payer, coverage, victim, kind, person), payers in the parties' order."""
    merged: dict[tuple[object, ...], Line] = {}
    for s in shares:
        if s.coverage is None:
            continue
        key = (s.party, s.coverage, s.victim, s.kind, s.person, s.handled_by)
        line = merged.get(key)
        amount = s.amount + (line.amount if line else 0)
        merged[key] = Line(
            s.party, s.coverage, s.victim, s.kind, amount, s.rule, s.person, s.handled_by
        )
    return tuple(sorted(merged.values(), key=lambda line: parties.index(line.payer)))


def _own_items(shares: Sequence[Share]) -> tuple[OwnItem, ...]:
    merged: dict[tuple[object, ...], OwnItem] = {}
    for s in shares:
        if s.coverage is not None:
            continue
        key = (s.party, s.victim, s.kind, s.person, s.rule.key)
        item = merged.get(key)
        amount = s.amount + (item.amount if item else 0)
        merged[key] = OwnItem(s.party, s.victim, s.kind, amount, s.rule, s.person)
    return tuple(merged.values())


def _merged_receivables(receivables: Sequence[Receivable]) -> tuple[Receivable, ...]:
    totals: dict[tuple[str, str], int] = {}
    for r in receivables:
        totals[(r.creditor, r.debtor)] = totals.get((r.creditor, r.debtor), 0) + r.amount
    return tuple(Receivable(c, d, amount) for (c, d), amount in totals.items())
