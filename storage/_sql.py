"""Small helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, Table
from sqlalchemy.dialects import postgresql, sqlite

T = TypeVar("T")

AnyRow = Row[*tuple[Any, ...]]

DialectInsert = Callable[[Table], postgresql.Insert | sqlite.Insert]

DIALECTS: dict[str, DialectInsert] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


class UnsupportedDatabase(RuntimeError):
    """Only SQLite and PostgreSQL are supported."""


def per_dialect(build: Callable[[DialectInsert], T]) -> dict[str, T]:
    """Build a statement once per dialect (ON CONFLICT needs the dialect's insert)."""
    return {name: build(insert) for name, insert in DIALECTS.items()}


def pick(statements: dict[str, T], conn: Connection) -> T:
    try:
        return statements[conn.dialect.name]
    except KeyError:
        raise UnsupportedDatabase(conn.dialect.name) from None


def utcnow() -> datetime:
    return datetime.now(UTC)


def require_aware(value: datetime, name: str) -> datetime:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value
