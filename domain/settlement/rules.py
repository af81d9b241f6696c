"""The configurable data of a settlement: 交强险 sub-limits (``domain.jiaoqiang``) and the
liability grades."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.adjudication import DEFAULT_LIABILITY_SHARES, Liability
from domain.jiaoqiang import JIAOQIANG_2020, JiaoqiangLimits, SubLimit, SubLimits

__all__ = [
    "JIAOQIANG_2020",
    "InvalidSettlementRules",
    "JiaoqiangLimits",
    "SettlementRules",
    "SubLimit",
    "SubLimits",
]


class InvalidSettlementRules(ValueError):
    """A configured limit or grade table that cannot be used."""


@dataclass(frozen=True)
class SettlementRules:
    jiaoqiang: JiaoqiangLimits = JIAOQIANG_2020
    grades: Mapping[Liability, int] = field(default_factory=lambda: dict(DEFAULT_LIABILITY_SHARES))

    def __post_init__(self) -> None:
        limits = (self.jiaoqiang.at_fault, self.jiaoqiang.no_fault)
        if any(limit.of(sub) < 0 for limit in limits for sub in SubLimit):
            raise InvalidSettlementRules("交强险 limits are never negative")
        if set(self.grades) != set(Liability):
            raise InvalidSettlementRules("every liability grade needs a share")
        if any(not 0 <= share <= 100 for share in self.grades.values()):
            raise InvalidSettlementRules("liability shares are percentages (0-100)")
