"""The complete accident report through Telegram, in polling and in webhook mode."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storage.db import Database
from tests.media_samples import jpeg_bytes, mp4_bytes
from tests.telegram.fake_bot_api import FakeBotApi, FakeUser
from tests.telegram.harness import SECRET, TOKEN, TelegramBot, telegram_bot


def report_journey(bot: TelegramBot, user: FakeUser) -> str:
    """Report an accident as a zh user; return the claim number the bot gave."""
    turn = bot.turn
    started = turn(user, lambda: user.text("/report"))
    assert started[0].text.startswith("好的")
    assert "r:plate:menu" in started[-1].values
    turn(user, lambda: user.text("沪A12345"))
    verified = turn(user, lambda: user.text("8001"))
    assert "PDAA20260001" in verified[0].text
    where = turn(user, lambda: user.tap("r:time:now"))
    # The question keeps its inline keyboard; the location button follows on its own.
    assert "r:location:menu" in where[-2].values
    assert where[-1].requests_location
    saved = turn(user, lambda: user.location(31.2304, 121.4737))
    assert "31.2304" in saved[0].text and saved[0].removes_keyboard
    turn(user, lambda: user.text("倒车时后保险杠受损"))
    turn(user, lambda: user.tap("r:injuries:no"))
    turn(user, lambda: user.tap("r:drivable:yes"))
    turn(user, lambda: user.tap("r:has_other:none"))
    turn(user, lambda: user.tap("r:witnesses:skip"))  # the optional items, together
    received = turn(user, lambda: user.album([jpeg_bytes(seed=n) for n in range(3)]))
    # one message: the acknowledgement, then the summary (the photos needed are in)
    assert len(received) == 1, [m.text for m in received]
    acknowledged, _, summary_text = received[0].text.partition("\n\n")
    assert "3 张照片" in acknowledged
    assert summary_text.startswith("请核对报案信息")
    assert "r:summary:confirm" in received[0].values
    summary = turn(user, lambda: user.video(mp4_bytes()))
    assert "1 段视频" in summary[0].text
    assert "\n\n请核对报案信息" in summary[-1].text
    filed = turn(user, lambda: user.tap("r:summary:confirm"))
    match = re.search(r"BA\d{13}", filed[0].text)
    assert match is not None, filed[0].text
    return match.group(0)


def assert_claim_stored(bot: TelegramBot, number: str) -> None:
    with bot.container.database.unit_of_work() as uow:
        claim = uow.claims.get(number)
    assert claim is not None
    assert claim.policy_number == "PDAA20260001"
    assert claim.report.location is not None and claim.report.location.lat == 31.2304
    kinds = sorted(item.kind.value for item in claim.report.evidence)
    assert kinds == ["photo", "photo", "photo", "video"]


def assert_commands_set(api: FakeBotApi) -> None:
    expected = ["start", "report", "book", "status", "cancel", "back", "help", "lang"]
    assert [c["command"] for c in api.commands[None]] == expected
    assert [c["command"] for c in api.commands["zh"]] == expected
    assert api.commands["zh"][1]["description"].startswith("报案")
    assert api.commands[None][1]["description"] == "Report an accident"


def test_report_journey_in_polling_mode(
    database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(database, tmp_path, api, mode="polling") as bot:
        user = api.user(5550001, language_code="zh-hans")
        number = report_journey(bot, user)
        assert_claim_stored(bot, number)
        # The tapped keyboards and those a newer question superseded are taken off.
        summary = [m for m in user.messages() if "请核对报案信息" in m.text][-1]
        earlier = [m for m in user.messages() if m.message_id <= summary.message_id]
        api.wait_until(lambda: not any(m.buttons for m in earlier))
    assert api.webhook is None
    assert "getupdates" in {name for name, *_ in api.calls}
    assert_commands_set(api)
    # Every tap was answered, and the keyboard that served was taken off its message.
    assert len(api.callback_answers) == 6
    assert all("text" not in answer for answer in api.callback_answers)


def test_report_journey_in_webhook_mode(
    database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(database, tmp_path, api, mode="webhook") as bot:
        assert api.webhook == {
            "url": f"{bot.base_url}/telegram/webhook",
            "secret_token": SECRET,
            "allowed_updates": ["message", "edited_message", "callback_query"],
        }
        user = api.user(5550002, language_code="zh-hans")
        number = report_journey(bot, user)
        assert_claim_stored(bot, number)
        assert {status for _, status in api.deliveries} == {200}
    assert "getupdates" not in {name for name, *_ in api.calls}
    assert_commands_set(api)


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_two_owners_at_once_do_not_mix(
    sqlite_database: Database, tmp_path: Path, mode: str
) -> None:
    api = FakeBotApi(TOKEN)
    with api.running(), telegram_bot(sqlite_database, tmp_path, api, mode=mode) as bot:
        zh, en = api.user(5550011, language_code="zh-hans"), api.user(5550012, language_code="en")
        zh.text("/report")
        en.text("/report")
        # one message each: the start and the first question
        api.wait_until(lambda: len(zh.messages()) >= 1 and len(en.messages()) >= 1)
        api.wait_until(lambda: bot.unsent() == 0)
        assert zh.messages()[0].text.startswith("好的")
        assert en.messages()[0].text.startswith("OK")
