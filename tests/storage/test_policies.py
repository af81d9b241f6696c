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


def test_policies_carry_their_coverages(database: Database, directory_data: dict[str, Any]) -> None:
    from domain.policy import SeatLimits

    import_example(database, directory_data)
    with database.unit_of_work() as uow:
        first = uow.policies.by_number("PDAA20260001")
        second = uow.policies.by_number("PDAA20260002")
    assert first is not None and second is not None
    assert first.coverage.insurer == "人保" and first.coverage.jiaoqiang
    assert first.coverage.seats == SeatLimits(Money(1_000_000), Money(1_000_000))
    assert second.coverage.seats is None and second.coverage.insurer == "平安"


def test_a_policy_without_a_coverage_block_is_jiaoqiang_only(
    database: Database, directory_data: dict[str, Any]
) -> None:
    for policy in directory_data["policies"]:
        policy.pop("coverage")
    directory_data["policies"][1]["coverage"] = {"third_party": "500000.00", "deductible_rate": 10}
    import_example(database, directory_data)
    with database.unit_of_work() as uow:
        only = uow.policies.by_number("PDAA20260001")
        some = uow.policies.by_number("PDAA20260002")
    assert only is not None and some is not None
    assert only.coverage.jiaoqiang and only.coverage.own_damage is None
    assert only.coverage.third_party is None and only.coverage.seats is None
    assert some.coverage.own_damage is None and some.coverage.third_party == Money(50_000_000)
    assert some.coverage.deductible_rate == 10


@pytest.mark.parametrize(
    ("coverage", "problem"),
    [
        ({"deductible": "500.00", "deductible_rate": 10}, "not both"),
        ({"deductible_rate": 120}, "deductible_rate"),
        ({"own_damage": "-1.00"}, "negative"),
        ({"jiaoqiang": "yes"}, "jiaoqiang"),
    ],
)
def test_a_bad_coverage_block_imports_nothing(
    database: Database, directory_data: dict[str, Any], coverage: dict[str, Any], problem: str
) -> None:
    from storage.repositories.directory import DirectoryError, import_directory

    directory_data["policies"][0]["coverage"] = coverage
    with database.unit_of_work() as uow, pytest.raises(DirectoryError, match=problem):
        import_directory(uow, directory_data)
    with database.unit_of_work() as uow:
        assert uow.policies.by_number("PDAA20260002") is None


def test_existing_policies_keep_their_figures_through_the_migration(tmp_path: Any) -> None:
    from sqlalchemy import create_engine, text

    from storage import migrate

    url = f"sqlite:///{tmp_path}/old.db"
    migrate.upgrade(url, "0009")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO policy (number, plate, holder, phone, valid_from, valid_to,"
                " own_damage_fen, third_party_fen, deductible_fen)"
                " VALUES ('P1', '沪A12345', '张伟', '13800138001', '2026-01-01', '2026-12-31',"
                " 18000000, 200000000, 50000)"
            )
        )
    engine.dispose()
    migrate.upgrade(url)
    database = Database(url)
    try:
        with database.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO vehicle (policy_id, make, model, year, vin)"
                    " VALUES (1, 'VW', 'Passat', 2021, 'VIN1')"
                )
            )
        with database.unit_of_work() as uow:
            policy = uow.policies.by_number("P1")
    finally:
        database.dispose()
    assert policy is not None
    assert policy.coverage.own_damage == Money(18_000_000)
    assert policy.coverage.third_party == Money(200_000_000)
    assert policy.coverage.deductible == Money(50_000)
    assert policy.coverage.jiaoqiang and policy.coverage.seats is None
