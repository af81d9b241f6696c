"""Supplements (增项/追加定损) and split payments (先予支付, then the rest).

A supplement after agreement settles the accident again with the added items: the new
statement is proposal version 2, and ``changes`` lists what moved. Payments on an agreed
statement may come in parts; together they never exceed what the payer agreed to pay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.settlement.accident import Accident, Loss, LossKind
from domain.settlement.errors import InvalidAccident
from domain.settlement.statement import Coverage, Statement

_LineKey = tuple[str, Coverage, str, LossKind, str | None]


@dataclass(frozen=True)
class LineChange:
    payer: str
    coverage: Coverage
    victim: str
    kind: LossKind
    person: str | None
    before: int
    after: int

    @property
    def difference(self) -> int:
        return self.after - self.before


def with_supplement(accident: Accident, added: Sequence[Loss]) -> Accident:
    """The accident with the supplement's loss items added (nothing recorded is removed)."""
    return Accident(
        accident.vehicles,
        (*accident.losses, *added),
        accident.others,
        accident.options,
        accident.source,
    )


def changes(before: Statement, after: Statement) -> tuple[LineChange, ...]:
    """The lines whose amount differs between two versions, in the newer one's order."""
    old = _amounts(before)
    new = _amounts(after)
    keys = list(new) + [key for key in old if key not in new]
    return tuple(
        LineChange(*key, old.get(key, 0), new.get(key, 0))
        for key in keys
        if old.get(key, 0) != new.get(key, 0)
    )


def _amounts(statement: Statement) -> dict[_LineKey, int]:
    totals: dict[_LineKey, int] = {}
    for line in statement.lines:
        key = (line.payer, line.coverage, line.victim, line.kind, line.person)
        totals[key] = totals.get(key, 0) + line.amount
    return totals


def payable_by(statement: Statement, payer: str) -> int:
    """What one party's insurer pays under the statement (every line it is the payer of)."""
    return sum(line.amount for line in statement.lines if line.payer == payer)


def left_to_pay(agreed: int, paid: Sequence[int], amount: int) -> int:
    """What remains of ``agreed`` after paying ``amount`` on top of ``paid``; a payment that
    is not positive or would exceed the agreed total is refused."""
    if amount <= 0:
        raise InvalidAccident("payment_not_positive")
    rest = agreed - sum(paid)
    if amount > rest:
        raise InvalidAccident("payment_above_agreed", agreed_fen=agreed, rest_fen=rest)
    return rest - amount
