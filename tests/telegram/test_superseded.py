"""Buttons that tell the truth on Telegram: a keyboard a newer question superseded is taken
off its message (editMessageReplyMarkup on the fake Bot API), and a double tap on
确认提交 files one claim and says nothing more."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import telegram_bot
from tests.telegram.test_journey import report_journey


def test_a_keyboard_superseded_by_the_next_question_is_taken_off(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(sqlite_database, tmp_path, api) as bot:
        user = api.user(5550101, language_code="zh-hans")
        started = bot.turn(user, lambda: user.text("/report"))
        plate_question = started[-1]
        assert "r:plate:menu" in plate_question.values
        bot.turn(user, lambda: user.text("沪A12345"))  # typed, the buttons never tapped
        api.wait_until(lambda: not plate_question.buttons)
        removed = [e for e in api.edits if int(e["message_id"]) == plate_question.message_id]
        assert removed and all(e.get("reply_markup") is None for e in removed)


def test_a_double_tap_on_confirm_files_one_claim_and_says_nothing_more(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(sqlite_database, tmp_path, api) as bot:
        user = api.user(5550103, language_code="zh-hans")
        report_journey(bot, user)
        summary = [m for m in user.messages() if "请核对报案信息" in m.text][-1]
        api.wait_until(lambda: not summary.buttons)  # the tapped keyboard is gone
        answers = len(api.callback_answers)
        user.tap("r:summary:confirm", message=summary)  # the second tap of a double tap
        assert bot.quiet(user) == []
        api.wait_until(lambda: len(api.callback_answers) == answers + 1)
        assert "text" not in api.callback_answers[-1]  # no "this button no longer applies"
        with bot.container.database.unit_of_work() as uow:
            count = uow.connection.exec_driver_sql("SELECT count(*) FROM claim").scalar()
        assert count == 1
