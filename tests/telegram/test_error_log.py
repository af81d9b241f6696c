"""A failed update is logged by its id: the owner's words never reach the log."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import CallbackContext

from storage.db import Database
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import telegram_bot

WORDS = "我叫王小明，电话13800138001，身份证310101199001011234"


def test_the_error_handler_logs_the_update_id_not_its_text(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    with telegram_bot(sqlite_database, tmp_path, api, mode="webhook") as bot:
        application = bot.channel.application
        update = Update.de_json(
            {
                "update_id": 90017,
                "message": {
                    "message_id": 5,
                    "date": 1_795_000_000,
                    "chat": {"id": 6660002, "type": "private"},
                    "from": {"id": 6660002, "is_bot": False, "first_name": "王"},
                    "text": WORDS,
                },
            },
            application.bot,
        )
        context: CallbackContext = CallbackContext(application)  # type: ignore[type-arg]
        context.error = RuntimeError("the database went away")
        with caplog.at_level(logging.ERROR):
            asyncio.run(bot.channel._on_error(update, context))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "90017" in logged
    assert "王小明" not in logged and "13800138001" not in logged
