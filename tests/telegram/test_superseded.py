"""Buttons that tell the truth on Telegram: a keyboard a newer question superseded is taken
off its message (editMessageReplyMarkup on the fake Bot API), a keyboard is taken off at
most once (a tapped one by the tap, never again as superseded), and a double tap on
确认提交 files one claim and says nothing more."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.router import choice_lasts
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


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_each_keyboard_is_taken_off_once(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi, mode: str
) -> None:
    with telegram_bot(sqlite_database, tmp_path, api, mode=mode) as bot:
        user = api.user(5550102, language_code="zh-hans")
        report_journey(bot, user)
        bot.quiet(user)
        tapped = {int(e["message_id"]) for e in api.edits}
        assert len(tapped) >= 6  # the taps' keyboards and the typed-over plate question
        assert len(api.edits) == len(tapped)  # none twice
        refused = [c for c in api.calls if c[0] == "editmessagereplymarkup" and c[2] != 200]
        assert refused == []
        earlier = user.messages()[:-1]  # the last offers to report another accident
        offered = [m for m in earlier if any(not choice_lasts(v) for v in m.values)]
        assert [m.values for m in offered if m.buttons] == []  # every one is gone


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
