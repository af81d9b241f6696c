"""The repair price list and the estimate of a list of damaged parts, in integer fen.

The list (imported with ``claimbot import``, see docs/fastlane.md) prices each part per car
class in three components, as a body shop's quote does: 配件 (the part), 工时 (labour) and
喷漆 (paint). A damaged part is replaced (all three) or repaired (labour and paint only).
A part the list does not price for the car's class is not guessed: the estimate refuses
it by name, and the claim goes to an adjuster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.adjudication import LossKind
from domain.errors import Refusal
from domain.money import Money


class RepairMode(StrEnum):
    REPLACE = "replace"  # 更换: part, labour and paint
    REPAIR = "repair"  # 修复: labour and paint


MODE_COMPONENTS: Mapping[RepairMode, tuple[LossKind, ...]] = {
    RepairMode.REPLACE: (LossKind.PART, LossKind.LABOUR, LossKind.PAINT),
    RepairMode.REPAIR: (LossKind.LABOUR, LossKind.PAINT),
}


class UnknownPart(Refusal):
    """The part is not on the price list (params: part)."""

    reason = "unknown_part"


class PriceMissing(Refusal):
    """The part is on the list but has no price for the car's class (params: part, car_class)."""

    reason = "price_missing"


class NoPartsPicked(Refusal):
    reason = "no_parts_picked"


class UnknownCarClass(Refusal):
    """No class of the price list takes the car's make, and there is no default class."""

    reason = "unknown_car_class"


@dataclass(frozen=True)
class PartPrice:
    part: Money  # 配件
    labour: Money  # 工时
    paint: Money  # 喷漆

    def component(self, kind: LossKind) -> Money:
        return {LossKind.PART: self.part, LossKind.LABOUR: self.labour, LossKind.PAINT: self.paint}[
            kind
        ]


@dataclass(frozen=True)
class PricedPart:
    code: str
    names: Mapping[str, str]  # locale -> name, e.g. {"zh_CN": "前保险杠", "en": "Front bumper"}
    prices: Mapping[str, PartPrice]  # car class -> price

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names.get("zh_CN") or self.code


@dataclass(frozen=True)
class CarClass:
    code: str
    makes: frozenset[str]
    default: bool = False


@dataclass(frozen=True)
class PriceList:
    classes: Sequence[CarClass]
    parts: Mapping[str, PricedPart]

    def car_class(self, make: str) -> str:
        """The class whose makes include ``make``, else the default class."""
        wanted = make.strip().casefold()
        for car_class in self.classes:
            if wanted in {m.casefold() for m in car_class.makes}:
                return car_class.code
        for car_class in self.classes:
            if car_class.default:
                return car_class.code
        raise UnknownCarClass(make=make)

    def parts_for(self, car_class: str) -> list[PricedPart]:
        """The parts the owner may pick for a car of this class, in list order."""
        return [part for part in self.parts.values() if car_class in part.prices]


@dataclass(frozen=True)
class PickedPart:
    code: str
    mode: RepairMode = RepairMode.REPLACE


@dataclass(frozen=True)
class EstimateLine:
    part: str  # the part's code
    kind: LossKind
    amount: Money


@dataclass(frozen=True)
class Estimate:
    car_class: str
    lines: tuple[EstimateLine, ...]

    @property
    def total(self) -> Money:
        return sum((line.amount for line in self.lines), Money.zero())

    def by_kind(self, kind: LossKind) -> Money:
        return sum((line.amount for line in self.lines if line.kind is kind), Money.zero())


def estimate(price_list: PriceList, car_class: str, picks: Sequence[PickedPart]) -> Estimate:
    """The estimate of the picked parts; each part counts once (its first pick wins)."""
    if not picks:
        raise NoPartsPicked()
    lines: list[EstimateLine] = []
    seen: set[str] = set()
    for pick in picks:
        if pick.code in seen:
            continue
        seen.add(pick.code)
        part = price_list.parts.get(pick.code)
        if part is None:
            raise UnknownPart(part=pick.code)
        price = part.prices.get(car_class)
        if price is None:
            raise PriceMissing(part=pick.code, car_class=car_class)
        lines.extend(
            EstimateLine(pick.code, kind, price.component(kind))
            for kind in MODE_COMPONENTS[pick.mode]
            if price.component(kind) > Money.zero()
        )
    return Estimate(car_class, tuple(lines))
