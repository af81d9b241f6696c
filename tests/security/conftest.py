"""The real app on a live uvicorn server, for attacks made the way an outsider makes them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from storage.db import Database
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock
from tests.live_server import serve


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", FixedClock())
    import_sample(built)
    yield built
    built.close()


@pytest.fixture
def base_url(container: Container) -> Iterator[str]:
    with serve(create_app(container)) as base:
        yield base


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http
