"""Alembic environment: the claimbot tables (``SQLModel.metadata``), SQLite or PostgreSQL.

``storage.migrate`` hands in an open connection (``config.attributes["connection"]``);
without one, an engine is built from the ``sqlalchemy.url`` option.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import storage.tables.core  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.db import create_engine_for

config = context.config
target_metadata = SQLModel.metadata


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Only our tables: a table in the database that no model describes is not ours."""
    return not (type_ == "table" and reflected and compare_to is None)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        include_object=include_object,
        literal_binds=True,
        render_as_batch=bool(url and url.startswith("sqlite")),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: pass a connection or set sqlalchemy.url")
    engine = create_engine_for(url, sqlite_foreign_keys=False)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
