from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.repositories.directory import DirectoryError, import_directory, is_empty
from storage.tables.core import shop_t


def run_import(db: Database, data: dict[str, Any]) -> dict[str, dict[str, int]]:
    with db.unit_of_work() as uow:
        summary = import_directory(uow, data)
        uow.commit()
    return summary.as_dict()


def test_import_is_idempotent(database: Database, directory_data: dict[str, Any]) -> None:
    with database.unit_of_work() as uow:
        assert is_empty(uow)
    first = run_import(database, directory_data)
    assert first == {
        "adjusters": {"created": 2, "updated": 0, "unchanged": 0},
        "parties": {"created": 5, "updated": 0, "unchanged": 0},
        "policies": {"created": 2, "updated": 0, "unchanged": 0},
        "shops": {"created": 2, "updated": 0, "unchanged": 0},
        "staff": {"created": 2, "updated": 0, "unchanged": 0},
        "supervisors": {"created": 1, "updated": 0, "unchanged": 0},
    }
    second = run_import(database, directory_data)
    assert all(c["created"] == 0 and c["updated"] == 0 for c in second.values())
    assert {kind: c["unchanged"] for kind, c in second.items()} == {
        "adjusters": 2,
        "parties": 5,
        "policies": 2,
        "shops": 2,
        "staff": 2,
        "supervisors": 1,
    }
    with database.unit_of_work() as uow:
        assert not is_empty(uow)
        adjuster = uow.parties.resolve("telegram", "900001")
        staff = uow.parties.resolve("wechat", "oSHOP_liu")
        assert (adjuster.kind, adjuster.name) == ("adjuster", "王建国")
        assert (staff.kind, staff.name) == ("shop_staff", "刘经理")
        shop = uow.connection.execute(
            select(shop_t.c.hours, shop_t.c.makes, shop_t.c.timezone, shop_t.c.rating).where(
                shop_t.c.code == "SHOP-PD-01"
            )
        ).one()
    assert shop.hours == {"mon-fri": "08:30-18:00", "sat": "09:00-15:00"}
    assert shop.makes == ["Volkswagen", "Audi", "Skoda"]
    assert shop.timezone == "Asia/Shanghai"
    assert shop.rating == pytest.approx(4.7)


def test_import_reports_updates(database: Database, directory_data: dict[str, Any]) -> None:
    run_import(database, directory_data)
    changed = copy.deepcopy(directory_data)
    changed["shops"][0]["rating"] = 4.9
    changed["policies"][1]["vehicle"]["year"] = 2020
    changed["policies"][0]["coverage"]["deductible"] = "1000.00"
    summary = run_import(database, changed)
    assert summary["shops"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert summary["policies"] == {"created": 0, "updated": 2, "unchanged": 0}
    with database.unit_of_work() as uow:
        policy = uow.policies.by_number("PDAA20260001")
        assert policy is not None and policy.coverage.deductible.fen == 100_000


def test_import_names_the_bad_entry(database: Database, directory_data: dict[str, Any]) -> None:
    broken = copy.deepcopy(directory_data)
    broken["policies"][1]["coverage"]["own_damage"] = "12.345"
    with database.unit_of_work() as uow, pytest.raises(DirectoryError, match=r"policies\[1\]"):
        import_directory(uow, broken)
    del broken["policies"][1]
    del broken["shops"][0]["bays"]
    with database.unit_of_work() as uow, pytest.raises(DirectoryError, match=r"shops\[0\].*bays"):
        import_directory(uow, broken)
