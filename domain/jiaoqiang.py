"""交强险 sub-limits (分项责任限额): set by regulation and changed with it, so data; the
defaults are the values in force since 19 September 2020 (银保监会 交强险责任限额调整, 2020),
in fen."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
