"""A share: one part of one loss, and who carries it (an insurer's coverage, or a pocket).

The allocation steps produce shares; the statement merges them into lines and own items.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.settlement.accident import Loss, LossKind
from domain.settlement.statement import Coverage, Rule


@dataclass(frozen=True)
class Share:
    party: str  # whose policy pays, or whose pocket
    victim: str
    kind: LossKind
    person: str | None
    amount: int
    coverage: Coverage | None  # None: the party's own pocket
    rule: Rule
    handled_by: str | None = None

    @property
    def insured(self) -> bool:
        return self.coverage is not None

    def with_amount(self, amount: int) -> Share:
        return replace(self, amount=amount)


def paid_share(
    party: str,
    loss: Loss,
    amount: int,
    coverage: Coverage,
    rule: Rule,
    handled_by: str | None = None,
) -> Share:
    return Share(
        party, loss.victim, loss.kind, loss.person_label, amount, coverage, rule, handled_by
    )


def own_share(party: str, loss: Loss, amount: int, rule: Rule) -> Share:
    return Share(party, loss.victim, loss.kind, loss.person_label, amount, None, rule)
