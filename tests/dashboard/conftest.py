"""Fixtures shared by the browser tests: a container in demo mode (identity switcher)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.bootstrap import Container, build
from bot.settings import Settings
from storage.db import Database
from tests.engine_harness import database_url, import_sample
from tests.fakes import FixedClock


@pytest.fixture
def demo_container(sqlite_database: Database, tmp_path: Path) -> Iterator[Container]:
    settings = Settings(
        database_url=database_url(sqlite_database),
        media_dir=tmp_path / "media",
        demo_mode=True,
    )
    built = build(settings, clock=FixedClock())
    import_sample(built)
    yield built
    built.close()
