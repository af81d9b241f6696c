"""The repair price list: imported like the directory (idempotent), loaded, estimated from."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import event, func, select

from domain.money import Money
from domain.price_list import PickedPart, PriceMissing, RepairMode, estimate
from storage.db import Database
from storage.repositories.directory import DirectoryError, import_directory
from storage.repositories.price_list import PriceListRepository
from storage.tables.fastlane import repair_price_t

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "price_list.yaml"


@pytest.fixture
def price_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def _import(db: Database, data: dict[str, Any]) -> dict[str, dict[str, int]]:
    with db.unit_of_work() as uow:
        summary = import_directory(uow, data)
        uow.commit()
    return summary.as_dict()


def test_the_example_imports_once_and_then_changes_nothing(
    database: Database, price_data: dict[str, Any]
) -> None:
    first = _import(database, price_data)
    assert first["car_classes"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert first["parts"] == {"created": 11, "updated": 0, "unchanged": 0}
    second = _import(database, price_data)
    assert all(c["created"] == c["updated"] == 0 for c in second.values())
    assert second["prices"]["unchanged"] == first["prices"]["created"]


def test_the_loaded_list_estimates_in_fen(database: Database, price_data: dict[str, Any]) -> None:
    _import(database, price_data)
    with database.unit_of_work() as uow:
        prices = PriceListRepository(uow.connection).load()
    assert prices.car_class("Volkswagen") == "economy"
    assert prices.car_class("宝马") == "premium"
    assert prices.car_class("Tesla") == "economy"  # the default class
    assert prices.parts["rear_bumper"].name("en") == "Rear bumper"
    picks = [
        PickedPart("rear_bumper"),  # 680 + 150 + 420
        PickedPart("tail_lamp"),  # 420 + 60 (no paint)
        PickedPart("fender", RepairMode.REPAIR),  # 120 + 400 (no part)
    ]
    assert estimate(prices, "economy", picks).total == Money.from_yuan("2250.00")
    with pytest.raises(PriceMissing) as missing:
        estimate(prices, prices.car_class("Porsche"), [PickedPart("headlamp")])
    assert missing.value.params == {"part": "headlamp", "car_class": "luxury"}


def test_a_changed_price_and_a_dropped_class_are_updated(
    database: Database, price_data: dict[str, Any]
) -> None:
    _import(database, price_data)
    changed = copy.deepcopy(price_data)
    bumper = changed["price_list"]["parts"][1]
    bumper["prices"]["economy"]["paint"] = "460.00"
    del bumper["prices"]["luxury"]
    summary = _import(database, changed)
    assert summary["parts"]["updated"] == 1 and summary["prices"]["updated"] == 1
    with database.unit_of_work() as uow:
        prices = PriceListRepository(uow.connection).load()
    assert prices.parts["rear_bumper"].prices["economy"].paint == Money(46_000)
    assert "luxury" not in prices.parts["rear_bumper"].prices


def _load_counting(database: Database) -> tuple[Any, int]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.unit_of_work() as uow:
            loaded = PriceListRepository(uow.connection).load()
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    return loaded, len([s for s in seen if not s.startswith("BEGIN")])


def test_the_list_is_read_again_only_after_an_import(
    database: Database, price_data: dict[str, Any]
) -> None:
    _import(database, price_data)
    first, _ = _load_counting(database)
    again, statements = _load_counting(database)
    assert again is first and statements == 1  # the version only
    changed = copy.deepcopy(price_data)
    changed["price_list"]["parts"][1]["prices"]["economy"]["paint"] = "460.00"
    with database.unit_of_work() as uow:  # an import rolled back changes nothing
        import_directory(uow, changed)
    unchanged, statements = _load_counting(database)
    assert unchanged is first and statements == 1
    _import(database, changed)
    fresh, statements = _load_counting(database)
    assert statements > 1 and fresh.parts["rear_bumper"].prices["economy"].paint == Money(46_000)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda pl: pl["parts"][0]["prices"]["economy"].pop("labour"), "labour is missing"),
        (lambda pl: pl["parts"][0]["prices"].update(sports={"part": "1"}), "no such car class"),
        (lambda pl: pl["parts"][0]["prices"]["economy"].update(part="-5"), "out of range"),
        (lambda pl: pl["parts"][0]["prices"]["economy"].update(part="12.345"), "12.345"),
        (lambda pl: pl["parts"][0].update(prices={}), "at least one car class"),
        (lambda pl: pl["parts"][0].update(name={"en": "Bumper"}), "zh_CN name"),
        (lambda pl: pl["classes"][1].update(default=True), "at most one class"),
    ],
)
def test_a_bad_price_list_says_where_and_imports_nothing(
    database: Database, price_data: dict[str, Any], change: Any, message: str
) -> None:
    bad = copy.deepcopy(price_data)
    change(bad["price_list"])
    with pytest.raises(DirectoryError) as error, database.unit_of_work() as uow:
        import_directory(uow, bad)
    assert message in str(error.value)
    with database.unit_of_work() as uow:
        count = select(func.count()).select_from(repair_price_t)
        assert uow.connection.execute(count).scalar() == 0
