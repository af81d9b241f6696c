"""Fixtures of the API tests: a container on SQLite and PostgreSQL, the shared world
(tests/api/scenario.py), an HTTP client on the app (lifespan not started: no dispatcher)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.bootstrap import Container
from bot.web.app import create_app
from tests.api.scenario import World, build_world


@pytest.fixture
def world(container: Container) -> World:
    return build_world(container)


@pytest.fixture
def client(container: Container) -> TestClient:
    # an operator's client on this machine: /openapi.json answers it (bot/web/security/ops_gate.py)
    return TestClient(create_app(container), client=("127.0.0.1", 50000))
