"""Fixtures shared by the test suite: databases on both engines, the example directory.

``database`` runs a test on SQLite (a file in tmp_path) and on PostgreSQL (a database
created for the session on 127.0.0.1:5432, emptied between tests). Without a PostgreSQL
server the PostgreSQL runs are skipped with the reason shown, unless ``CI`` is set:
then they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import storage.tables.core  # noqa: F401 -- registers every table on the metadata
from bot.bootstrap import Container
from storage import migrate
from storage.db import Database
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_DIRECTORY = ROOT / "examples" / "directory.yaml"
# Sent rows are marked within 20 ms rather than half a second: a test waits for its
# answers to be marked sent, and every test (and every worker process it starts) reads this.
os.environ.setdefault("CLAIMBOT_OUTBOX_MARK_WITHIN_SECONDS", "0.02")
POSTGRES_URL = os.environ.get(
    "CLAIMBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available ({reason})")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating every time is slow)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str]:
    """A fresh, uniquely named, migrated database for this test session."""
    admin_url = make_url(POSTGRES_URL)
    name = f"claimbot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server, no rights, ...
        admin.dispose()
        _unavailable(f"{admin_url.render_as_string(hide_password=True)}: {exc}")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _postgres_database(_postgres_url: str) -> Iterator[Database]:
    db = Database(_postgres_url)
    yield db
    db.dispose()


def _truncate(db: Database) -> None:
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def sqlite_database(tmp_path: Path, _sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "claimbot.db"
    shutil.copyfile(_sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty, migrated database: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_database")
        return
    db: Database = request.getfixturevalue("_postgres_database")
    _truncate(db)
    yield db


@pytest.fixture
def directory_data() -> dict[str, Any]:
    with EXAMPLE_DIRECTORY.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


@pytest.fixture
def clock() -> FixedClock:
    """Wednesday 2026-11-25 10:00 in Shanghai, moved only by the test."""
    return FixedClock()


@pytest.fixture
def container(database: Database, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    """The real container on both databases, the sample directory imported."""
    built = make_container(database, tmp_path / "media", clock)
    import_sample(built)
    yield built
    built.close()
