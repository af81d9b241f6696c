"""Fixtures of the API tests: a container on SQLite and PostgreSQL, the shared world
(tests/api/scenario.py), an HTTP client on the app (lifespan not started: no dispatcher)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.bootstrap import Container
from storage.db import Database
from tests.api.scenario import World, build_world
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()  # Wednesday 2026-11-25 10:00 in Shanghai


@pytest.fixture
def container(database: Database, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    built = make_container(database, tmp_path / "media", clock)
    import_sample(built)
    yield built
    built.close()


@pytest.fixture
def world(container: Container) -> World:
    return build_world(container)


@pytest.fixture
def client(container: Container) -> TestClient:
    return TestClient(create_app(container))
