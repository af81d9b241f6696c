"""A settlement statement in words (through the locale catalogs) and as the JSON document
of ``claimbot statement --format json``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.money import Money, with_amounts
from domain.settlement import Line, OwnItem, Rule, Statement
from locales.catalog import Catalogs

_ROLES = ("driver", "passenger")


class StatementWords:
    """One locale's words for one statement."""

    def __init__(self, catalogs: Catalogs, locale: str, statement: Statement) -> None:
        self._catalogs = catalogs
        self._locale = locale
        self._statement = statement

    def t(self, key: str, **params: Any) -> str:
        return self._catalogs.render(self._locale, key, params)

    def rule(self, family: str, rule: Rule, **context: str | None) -> str:
        """A rule's words; ``family`` is rule, own or note; amounts come formatted."""
        return self.t(f"settlement.{family}.{rule.key}", **context, **with_amounts(rule.params))

    def party(self, label: str) -> str:
        if label in self._statement.vehicles:
            return self.t("settlement.vehicle", label=label)
        return label

    def victim(self, victim: str, person: str | None) -> str:
        if person is None:
            return self.party(victim)
        who = self.t(f"settlement.occupant.{person}") if person in _ROLES else person
        return self.t("settlement.text.person", victim=self.party(victim), person=who)

    def line_rule(self, line: Line) -> str:
        return self.rule("rule", line.rule, payer=line.payer, victim=line.victim)

    def own_rule(self, item: OwnItem) -> str:
        return self.rule("own", item.rule, party=item.party, victim=item.victim)


def statement_document(statement: Statement, words: StatementWords) -> dict[str, Any]:
    """The calculator's JSON: amounts as yuan strings with two decimals."""
    return {
        "lines": [
            {
                "payer": line.payer,
                "coverage": line.coverage.value,
                "victim": line.victim,
                "kind": line.kind.value,
                "amount": Money(line.amount).yuan(),
                "rule": words.line_rule(line),
                **({"person": line.person} if line.person else {}),
                **({"handled_by": line.handled_by} if line.handled_by else {}),
            }
            for line in statement.lines
        ],
        "out_of_pocket": _yuan(statement.out_of_pocket),
        "unpaid": _yuan(statement.unpaid),
        "receivables": [
            {"creditor": r.creditor, "debtor": r.debtor, "amount": Money(r.amount).yuan()}
            for r in statement.receivables
        ],
        "own_items": [
            {
                "party": item.party,
                "victim": item.victim,
                "kind": item.kind.value,
                "amount": Money(item.amount).yuan(),
                "rule": words.own_rule(item),
                **({"person": item.person} if item.person else {}),
            }
            for item in statement.own_items
        ],
        "notes": [words.rule("note", note) for note in statement.notes],
    }


def _yuan(amounts: Mapping[str, int]) -> dict[str, str]:
    return {label: Money(fen).yuan() for label, fen in amounts.items()}


def statement_text(statement: Statement, words: StatementWords) -> str:
    t = words.t
    out = [t("settlement.text.title"), "", t("settlement.text.lines")]
    for line in statement.lines:
        out.append(
            "  "
            + t(
                "settlement.text.line",
                payer=words.party(line.payer),
                insurer=statement.insurers.get(line.payer, ""),
                coverage=t(f"settlement.coverage.{line.coverage.value}"),
                victim=words.victim(line.victim, line.person),
                kind=t(f"settlement.kind.{line.kind.value}"),
                amount=Money(line.amount).grouped(),
            )
        )
        out.append("      " + words.line_rule(line))
        if line.handled_by:
            out.append("      " + t("settlement.text.handled", handled_by=line.handled_by))
    if not statement.lines:
        out.append("  " + t("settlement.text.none"))
    out += ["", t("settlement.text.own")]
    for item in statement.own_items:
        out.append(
            "  "
            + t(
                "settlement.text.own_item",
                party=words.party(item.party),
                victim=words.victim(item.victim, item.person),
                kind=t(f"settlement.kind.{item.kind.value}"),
                amount=Money(item.amount).grouped(),
            )
        )
        out.append("      " + words.own_rule(item))
    if not statement.own_items:
        out.append("  " + t("settlement.text.none"))
    out += ["", t("settlement.text.out_of_pocket")]
    out += _amount_lines(words, statement.out_of_pocket)
    out += ["", t("settlement.text.unpaid")]
    out += _amount_lines(words, statement.unpaid)
    if statement.receivables:
        out += ["", t("settlement.text.receivables")]
        out += [
            "  "
            + t(
                "settlement.text.receivable",
                creditor=words.party(r.creditor),
                debtor=words.party(r.debtor),
                amount=Money(r.amount).grouped(),
            )
            for r in statement.receivables
        ]
    if statement.notes:
        out += ["", t("settlement.text.notes")]
        out += ["  " + words.rule("note", note) for note in statement.notes]
    out += [
        "",
        t(
            "settlement.text.total",
            losses=Money(statement.loss_total).grouped(),
            paid=Money(statement.paid_total).grouped(),
            own=Money(sum(statement.out_of_pocket.values())).grouped(),
        ),
    ]
    return "\n".join(out)


def _amount_lines(words: StatementWords, amounts: Mapping[str, int]) -> list[str]:
    return [
        "  "
        + words.t("settlement.text.amount", party=words.party(label), amount=Money(fen).grouped())
        for label, fen in amounts.items()
    ]
