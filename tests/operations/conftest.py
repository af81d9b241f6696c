"""The operations tests drive the Telegram channel through the fake Bot API."""

from tests.telegram.conftest import api

__all__ = ["api"]
