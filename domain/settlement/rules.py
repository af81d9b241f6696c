"""The configurable data of a settlement: 交强险 sub-limits and the liability grades.

The 交强险 limits are set by regulation and change with it; the defaults are the values in
force since 19 September 2020 (银保监会 交强险责任限额调整, 2020), in fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from domain.adjudication import DEFAULT_LIABILITY_SHARES, Liability


class SubLimit(StrEnum):
    """The three 交强险 sub-limits (分项责任限额)."""

    DISABILITY_DEATH = "disability_death"  # 死亡伤残
    MEDICAL = "medical"  # 医疗费用
    PROPERTY = "property"  # 财产损失


@dataclass(frozen=True)
class SubLimits:
    disability_death: int
    medical: int
    property: int

    def of(self, sub: SubLimit) -> int:
        return {
            SubLimit.DISABILITY_DEATH: self.disability_death,
            SubLimit.MEDICAL: self.medical,
            SubLimit.PROPERTY: self.property,
        }[sub]


@dataclass(frozen=True)
class JiaoqiangLimits:
    at_fault: SubLimits  # 有责
    no_fault: SubLimits  # 无责

    def for_share(self, share: int) -> SubLimits:
        return self.at_fault if share > 0 else self.no_fault


JIAOQIANG_2020 = JiaoqiangLimits(
    at_fault=SubLimits(disability_death=18_000_000, medical=1_800_000, property=200_000),
    no_fault=SubLimits(disability_death=1_800_000, medical=180_000, property=10_000),
)


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
