from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.money import Money
from storage.db import Database
from tests.storage.helpers import import_example


@pytest.mark.parametrize(
    "typed", ["沪A12345", "沪a12345", " 沪A 12345 ", "沪A·12345", "沪a-123 45", "沪A•12345"]
)
def test_policy_by_plate_normalises_input(
    database: Database, directory_data: dict[str, Any], typed: str
) -> None:
    import_example(database, directory_data)
    with database.unit_of_work() as uow:
        policy = uow.policies.by_plate(typed)
    assert policy is not None
    assert policy.number == "PDAA20260001"
    assert policy.plate == "沪A12345"
    assert policy.holder == "张伟"
    assert policy.vehicle.make == "Volkswagen"
    assert policy.vehicle.year == 2021
    assert policy.vehicle.vin == "LSVAA4180M2000001"
    assert policy.coverage.own_damage == Money(18_000_000)
    assert policy.coverage.third_party == Money(200_000_000)
    assert policy.coverage.deductible == Money(0)
    assert policy.valid_from == date(2026, 3, 1)
    assert policy.valid_to == date(2027, 2, 28)


def test_policy_by_number_and_unknown(database: Database, directory_data: dict[str, Any]) -> None:
    import_example(database, directory_data)
    with database.unit_of_work() as uow:
        policy = uow.policies.by_number("PDAA20260002")
        assert uow.policies.by_number("PDAA29999999") is None
        assert uow.policies.by_plate("沪C00000") is None
    assert policy is not None
    assert policy.plate == "沪B67890"
    assert policy.coverage.deductible == Money.from_yuan("500.00")
