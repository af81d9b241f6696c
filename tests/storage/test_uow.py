from __future__ import annotations

from pathlib import Path

from storage import migrate
from storage.db import Database


def test_leaving_without_commit_rolls_back(database: Database) -> None:
    with database.unit_of_work() as uow:
        party = uow.parties.resolve("telegram", "1")
    with database.unit_of_work() as uow:
        assert uow.parties.get(party.id) is None
        kept = uow.parties.resolve("telegram", "2")
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.parties.get(kept.id) is not None
        uow.parties.set_locale(kept.id, "en")
        uow.rollback()
    with database.unit_of_work() as uow:
        record = uow.parties.get(kept.id)
        assert record is not None and record.locale is None


def test_sqlite_file_database_in_new_directory(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "claimbot.db"
    migrate.upgrade(f"sqlite:///{path}")
    db = Database(f"sqlite:///{path}")
    try:
        assert not db.is_postgres and db.is_sqlite
        with db.unit_of_work() as uow:
            pragmas = {
                name: uow.connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous")
            }
        assert pragmas == {
            "foreign_keys": 1,
            "journal_mode": "wal",
            "busy_timeout": 5000,
            "synchronous": 1,
        }
    finally:
        db.dispose()


def test_orm_session_shares_the_transaction(database: Database) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from storage.tables.core import PartyRow, table_of

    with database.unit_of_work() as uow:
        party = uow.parties.resolve("telegram", "core")
        row = uow.session.get(PartyRow, party.id)
        assert row is not None and row.kind == "owner"
        uow.session.add(PartyRow(kind="adjuster", name="orm", created_at=datetime.now(UTC)))
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.parties.resolve("telegram", "core").id == party.id
        rows = uow.session.scalars(select(PartyRow).order_by(table_of(PartyRow).c.id))
        names = [p.name for p in rows]
    assert names == [None, "orm"]
