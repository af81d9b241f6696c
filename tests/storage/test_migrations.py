from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, Table
from sqlmodel import SQLModel

from storage import migrate
from storage.db import Database


def _url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def test_models_and_migrations_agree(database: Database) -> None:
    migrate.check(_url(database))
    assert migrate.current_revision(_url(database)) == migrate.head_revision()


def test_check_detects_drift(sqlite_database: Database) -> None:
    probe = Table("drift_probe", SQLModel.metadata, Column("id", Integer, primary_key=True))
    try:
        with pytest.raises(migrate.SchemaDrift):
            migrate.check(_url(sqlite_database))
    finally:
        SQLModel.metadata.remove(probe)
    migrate.check(_url(sqlite_database))
