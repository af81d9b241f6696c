"""The database: one SQLAlchemy engine built from a URL (SQLite or PostgreSQL).

SQLite follows SQLAlchemy's "serializable isolation / savepoints / transactional DDL"
recipe for pysqlite: the driver's own transaction handling is switched off
(``isolation_level = None``) and every transaction starts with ``BEGIN IMMEDIATE``, so
writers queue on the database lock (``busy_timeout``) instead of failing with
SQLITE_BUSY when a read transaction upgrades to a write. PostgreSQL runs through
psycopg 3 with ``pool_pre_ping``.

Reads that never write (web chat polling, status pages, the dashboard, metrics) use
``Database.reading()``: on a SQLite file a second engine whose transactions start with a
plain (deferred) ``BEGIN`` on ``query_only`` connections, so in WAL mode they neither take
nor wait for the write lock; on PostgreSQL a ``READ ONLY`` transaction on the same pool.
"""

from __future__ import annotations

import json
import os
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from storage.uow import SqlUnitOfWork, WriterQueue
from storage.wal_checkpoint import SAFETY_NET_PAGES, WalCheckpointer

SQLITE_BUSY_TIMEOUT_MS = 5000
# Connections kept open. A checkout beyond them opens a new PostgreSQL connection and
# closes it on return (a backend started per unit of work); the threads that hold one at
# once are asyncio's default executor (min(32, CPUs + 4)) and a few of their own.
POSTGRES_POOL_SIZE = min(32, (os.cpu_count() or 1) + 4) + 4


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL; a bare ``postgresql://`` URL gets the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    if url.query.get("mode") == "memory":
        return None
    return Path(database)


def create_engine_for(
    url: str | URL, *, echo: bool = False, sqlite_foreign_keys: bool = True
) -> Engine:
    """An engine configured as described in the module docstring.

    ``sqlite_foreign_keys=False`` is for migrations only: SQLite batch migrations copy
    and drop tables, which foreign-key enforcement would get in the way of.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, echo=echo, json_serializer=_json_dumps)
        _configure_sqlite(engine, foreign_keys=sqlite_foreign_keys)
        return engine
    return create_engine(
        parsed,
        echo=echo,
        pool_pre_ping=True,
        pool_size=POSTGRES_POOL_SIZE,
        max_overflow=POSTGRES_POOL_SIZE,
        json_serializer=_json_dumps,
    )


def _configure_sqlite(engine: Engine, *, foreign_keys: bool, read_only: bool = False) -> None:
    pragmas = (
        f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}",
        "PRAGMA journal_mode=WAL",
        f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        "PRAGMA synchronous=NORMAL",
        # checkpoints are WalCheckpointer's (Database): a commit makes one only past this
        f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}",
        *(("PRAGMA query_only=ON",) if read_only else ()),
    )
    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: ConnectionPoolEntry) -> None:
        # Stop pysqlite from emitting BEGIN itself (and committing before DDL).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the write lock at once: one at a time, waiting up to busy_timeout.
        # Readers begin deferred: in WAL mode they read a snapshot and never wait. Sent
        # on the driver's connection: a statement with no result and no parameters needs
        # none of SQLAlchemy's execution (a few per cent of a turn).
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute(begin)


def _sqlite_reader(url: URL) -> Engine | None:
    """A reading engine beside the writing one, for a SQLite file (None otherwise: an
    in-memory database is private to its connection)."""
    if _sqlite_file(url) is None:
        return None
    engine = create_engine(url, json_serializer=_json_dumps)
    _configure_sqlite(engine, foreign_keys=True, read_only=True)
    return engine


class Database:
    """The engine and the units of work opened on it. Build one per process."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url: URL = normalize_url(url)
        self.engine: Engine = create_engine_for(self.url, echo=echo)
        self._reader = _sqlite_reader(self.url) if self.is_sqlite else None
        self._writers = WriterQueue(SQLITE_BUSY_TIMEOUT_MS / 1000) if self.is_sqlite else None
        path = _sqlite_file(self.url) if self.is_sqlite else None
        self._checkpoints = WalCheckpointer(path) if path is not None else None
        if self._checkpoints is not None:  # a Database dropped without dispose() stops it too
            weakref.finalize(self, self._checkpoints.stop)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, writers=self._writers)

    @property
    def reader(self) -> Engine:
        """The engine for plain read connections (``with database.reader.connect()``)."""
        return self._reader if self._reader is not None else self.engine

    def reading(self) -> SqlUnitOfWork:
        """A unit of work for reads only: it never takes SQLite's write lock, and a write
        through it fails (``query_only`` on SQLite, a READ ONLY transaction on PostgreSQL)."""
        if self._reader is not None:
            return SqlUnitOfWork(self._reader, read_only=True)
        return SqlUnitOfWork(self.engine, read_only=True)

    def dispose(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.stop()
        if self._reader is not None:
            self._reader.dispose()
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"
