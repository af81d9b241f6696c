"""The estimate of picked parts from the repair price list, in integer fen."""

from __future__ import annotations

import pytest

from domain.adjudication import LossKind
from domain.money import Money
from domain.price_list import (
    CarClass,
    NoPartsPicked,
    PartPrice,
    PickedPart,
    PricedPart,
    PriceList,
    PriceMissing,
    RepairMode,
    UnknownCarClass,
    UnknownPart,
    estimate,
)


def _price(part: str, labour: str, paint: str) -> PartPrice:
    return PartPrice(Money.from_yuan(part), Money.from_yuan(labour), Money.from_yuan(paint))


PRICES = PriceList(
    classes=(
        CarClass("economy", frozenset({"大众", "丰田"}), default=True),
        CarClass("premium", frozenset({"宝马"})),
    ),
    parts={
        "rear_bumper": PricedPart(
            "rear_bumper",
            {"zh_CN": "后保险杠", "en": "Rear bumper"},
            {
                "economy": _price("680.00", "150.00", "420.50"),
                "premium": _price("2600", "300", "800"),
            },
        ),
        "tail_lamp": PricedPart(
            "tail_lamp", {"zh_CN": "尾灯"}, {"economy": _price("310.00", "60.00", "0")}
        ),
    },
)


def test_replacing_and_repairing_parts() -> None:
    result = estimate(
        PRICES,
        "economy",
        [PickedPart("rear_bumper", RepairMode.REPAIR), PickedPart("tail_lamp")],
    )
    assert result.total == Money(15_000 + 42_050 + 31_000 + 6_000)
    assert result.by_kind(LossKind.PART) == Money(31_000)
    assert result.by_kind(LossKind.PAINT) == Money(42_050)
    assert all(line.amount > Money.zero() for line in result.lines)  # no 0.00 paint line


def test_a_part_picked_twice_counts_once() -> None:
    once = estimate(PRICES, "premium", [PickedPart("rear_bumper")])
    twice = estimate(PRICES, "premium", [PickedPart("rear_bumper"), PickedPart("rear_bumper")])
    assert once == twice and once.total == Money.from_yuan("3700")


def test_missing_prices_are_refused_by_name() -> None:
    with pytest.raises(PriceMissing) as missing:
        estimate(PRICES, "premium", [PickedPart("rear_bumper"), PickedPart("tail_lamp")])
    assert missing.value.params == {"part": "tail_lamp", "car_class": "premium"}
    with pytest.raises(UnknownPart):
        estimate(PRICES, "economy", [PickedPart("bonnet")])
    with pytest.raises(NoPartsPicked):
        estimate(PRICES, "economy", [])


def test_car_class_by_make_with_a_default() -> None:
    assert PRICES.car_class("宝马") == "premium"
    assert PRICES.car_class("丰田") == "economy"
    assert PRICES.car_class("特斯拉") == "economy"
    assert [p.code for p in PRICES.parts_for("premium")] == ["rear_bumper"]
    no_default = PriceList(classes=(CarClass("premium", frozenset({"宝马"})),), parts={})
    with pytest.raises(UnknownCarClass):
        no_default.car_class("特斯拉")
    assert PRICES.parts["tail_lamp"].name("en") == "尾灯"
