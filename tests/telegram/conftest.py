"""Fixtures of the Telegram tests: a fake Bot API server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import TOKEN


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    fake = FakeBotApi(TOKEN)
    with fake.running():
        yield fake
