"""The result of a settlement: who pays what, under which cover, and why.

A line is an insurer's payment under one coverage of one party's policy. An own item is
what a party bears or owes from its own pocket (a deductible, an uncovered share, a share
beyond a limit). Every rule is a message key with data parameters: the words live in the
locale catalogs (``settlement.rule.*``, ``settlement.own.*``, ``settlement.note.*``);
parameters ending in ``_fen`` are amounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from domain.settlement.accident import Loss, LossKind


class Coverage(StrEnum):
    JIAOQIANG_DISABILITY_DEATH = "jiaoqiang_disability_death"
    JIAOQIANG_MEDICAL = "jiaoqiang_medical"
    JIAOQIANG_PROPERTY = "jiaoqiang_property"
    THIRD_PARTY = "third_party"  # 第三者责任险
    OWN_DAMAGE = "own_damage"  # 车损险
    SEATS = "seats"  # 车上人员责任险
    RESCUE = "rescue"  # 施救费 (within 车损险)


@dataclass(frozen=True)
class Rule:
    key: str  # under settlement.rule., settlement.own. or settlement.note.
    params: Mapping[str, int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    payer: str  # the party whose policy pays
    coverage: Coverage
    victim: str
    kind: LossKind
    amount: int
    rule: Rule
    person: str | None = None  # the injured person, for injuries
    handled_by: str | None = None  # the party whose insurer pays it on the payer's behalf


@dataclass(frozen=True)
class OwnItem:
    party: str  # who bears or owes it
    victim: str
    kind: LossKind
    amount: int
    rule: Rule
    person: str | None = None


@dataclass(frozen=True)
class Receivable:
    """What the creditor's insurer recovers from the debtor's side (代位求偿)."""

    creditor: str
    debtor: str
    amount: int


@dataclass(frozen=True)
class Statement:
    losses: tuple[Loss, ...]  # as settled (a total loss replaces the repair estimate)
    parties: tuple[str, ...]
    lines: tuple[Line, ...]
    own_items: tuple[OwnItem, ...]
    receivables: tuple[Receivable, ...] = ()
    notes: tuple[Rule, ...] = ()
    vehicles: tuple[str, ...] = ()  # the parties that are motor vehicles
    insurers: Mapping[str, str] = field(default_factory=dict)  # vehicle -> insurer's name

    @property
    def out_of_pocket(self) -> dict[str, int]:
        """Per party: deductibles, uncovered items and shares owed beyond its cover."""
        totals = dict.fromkeys(self.parties, 0)
        for item in self.own_items:
            totals[item.party] = totals.get(item.party, 0) + item.amount
        return totals

    @property
    def unpaid(self) -> dict[str, int]:
        """Per victim: the part of their losses no insurer pays."""
        totals: dict[str, int] = {}
        for loss in self.losses:
            totals[loss.victim] = totals.get(loss.victim, 0) + loss.amount
        for line in self.lines:
            totals[line.victim] -= line.amount
        return totals

    @property
    def loss_total(self) -> int:
        return sum(loss.amount for loss in self.losses)

    @property
    def paid_total(self) -> int:
        return sum(line.amount for line in self.lines)

    def paid_by_coverage(self) -> dict[Coverage, int]:
        totals: dict[Coverage, int] = {}
        for line in self.lines:
            totals[line.coverage] = totals.get(line.coverage, 0) + line.amount
        return totals

    def lines_for(self, party: str) -> tuple[Line, ...]:
        """The lines paying a party's own losses and its occupants'."""
        return tuple(line for line in self.lines if line.victim == party)
