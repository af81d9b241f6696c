"""A SQLite file's WAL is copied into the database by the Database's own thread, not by
the commit that happens to pass a threshold."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from storage.db import Database
from storage.wal_checkpoint import SAFETY_NET_PAGES, WalCheckpointer


def _write_parties(db: Database, count: int) -> None:
    with db.unit_of_work() as uow:
        for n in range(count):
            uow.parties.resolve("telegram", f"wal-{n}")
        uow.commit()


def test_the_wal_reaches_the_database_file_without_a_commit_checkpointing(
    tmp_path: Path, _sqlite_template: Path
) -> None:
    path = tmp_path / "claimbot.db"
    shutil.copyfile(_sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    try:
        with db.unit_of_work() as uow:
            pages = uow.connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == SAFETY_NET_PAGES  # far above what is written below
        before = path.stat().st_size
        _write_parties(db, 3000)
        deadline = time.monotonic() + 10
        while path.stat().st_size == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size > before  # the pages were copied in the background
    finally:
        db.dispose()


def test_dispose_stops_the_thread(sqlite_database: Database) -> None:
    checkpoints = sqlite_database._checkpoints
    assert checkpoints is not None and checkpoints.running
    sqlite_database.dispose()
    assert not checkpoints.running
    sqlite_database.dispose()  # twice is harmless


def test_an_in_memory_database_has_no_thread() -> None:
    db = Database("sqlite://")
    try:
        assert db._checkpoints is None
    finally:
        db.dispose()


def test_a_checkpointer_on_a_missing_folder_ends_quietly(tmp_path: Path) -> None:
    checkpoints = WalCheckpointer(tmp_path / "gone" / "x.db", interval_s=0.01)
    checkpoints._thread.join(timeout=5)
    assert not checkpoints.running
    checkpoints.stop()  # after the thread ended on its own: harmless
