"""What owners send on Telegram, translated for the engine: buttons, files, places, languages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.media_samples import jpeg_bytes, mp4_bytes, pdf_bytes
from tests.telegram.fake_bot_api import FakeBotApi, FakeUser
from tests.telegram.harness import TelegramBot, telegram_bot

MB = 1024 * 1024


@pytest.fixture
def bot(sqlite_database: Database, tmp_path: Path, api: FakeBotApi) -> Iterator[TelegramBot]:
    with telegram_bot(sqlite_database, tmp_path, api, mode="webhook") as running:
        yield running


@pytest.fixture
def owner(bot: TelegramBot, api: FakeBotApi) -> FakeUser:
    user = api.user(6660001, language_code="zh-hans")
    bot.turn(user, lambda: user.text("/report"))
    return user


def test_a_stale_button_is_answered_and_changes_nothing(
    bot: TelegramBot, api: FakeBotApi, owner: FakeUser
) -> None:
    old_question = owner.messages()[-1]
    assert "r:plate:menu" in old_question.values
    bot.turn(owner, lambda: owner.text("沪A12345"))
    before = bot.conversation(owner.chat_id)
    answer = bot.turn(owner, lambda: owner.tap("r:plate:menu", old_question))
    assert answer[0].text.startswith("这个按钮已经过期")
    assert bot.conversation(owner.chat_id) == before
    api.wait_until(lambda: len(api.callback_answers) == 1)
    assert api.callback_answers[0]["text"] == "这个按钮已过期，请使用最新消息里的按钮。"
    # form-encoded by PTB when polling, JSON in the webhook's answer
    assert str(api.callback_answers[0]["show_alert"]).lower() == "false"


def test_a_pdf_document_is_refused_with_a_localized_answer(
    bot: TelegramBot, api: FakeBotApi, owner: FakeUser
) -> None:
    answer = bot.turn(
        owner, lambda: owner.document(pdf_bytes(), mime="application/pdf", name="report.pdf")
    )
    assert "有文件类型不支持" in answer[0].text
    disguised = bot.turn(
        owner, lambda: owner.document(pdf_bytes(), mime="image/jpeg", name="photo.jpg")
    )
    assert "有文件不是有效的图片" in disguised[0].text
    assert bot.conversation(owner.chat_id)["slots"]["draft"]["evidence"] == []


def test_a_document_that_is_an_image_counts_as_a_photo(bot: TelegramBot, owner: FakeUser) -> None:
    answer = bot.turn(
        owner, lambda: owner.document(jpeg_bytes(seed=3), mime="image/jpeg", name="IMG_1.JPG")
    )
    assert "1 张照片" in answer[0].text


def test_only_the_largest_photo_size_is_downloaded(
    bot: TelegramBot, api: FakeBotApi, owner: FakeUser
) -> None:
    answer = bot.turn(owner, lambda: owner.photo(jpeg_bytes(seed=4)))
    assert "1 张照片" in answer[0].text
    downloaded = [api.files[file_id].data for file_id in api.downloads]
    assert downloaded == [jpeg_bytes(seed=4)]


def test_videos_and_video_notes_are_evidence(bot: TelegramBot, owner: FakeUser) -> None:
    assert "1 段视频" in bot.turn(owner, lambda: owner.video(mp4_bytes(seed=1)))[0].text
    note = bot.turn(owner, lambda: owner.video(mp4_bytes(seed=2), note=True))
    assert "1 段视频" in note[0].text


def test_a_file_over_20_mb_is_refused_without_downloading(
    bot: TelegramBot, api: FakeBotApi, owner: FakeUser
) -> None:
    answer = bot.turn(owner, lambda: owner.video(None, size=25 * MB))
    assert "有文件太大" in answer[0].text
    document = bot.turn(
        owner, lambda: owner.document(None, mime="image/jpeg", name="big.jpg", size=21 * MB)
    )
    assert "有文件太大" in document[0].text
    assert sum(api.get_file_calls.values()) == 0
    assert sum(api.downloads.values()) == 0


def test_stickers_get_the_unsupported_answer(bot: TelegramBot, owner: FakeUser) -> None:
    before = bot.conversation(owner.chat_id)
    answer = bot.turn(owner, owner.sticker)
    assert answer[0].text.startswith("这里无法使用这类消息")
    assert bot.conversation(owner.chat_id)["slots"] == before["slots"]  # type: ignore[index]


def test_shared_and_live_locations(bot: TelegramBot, api: FakeBotApi, owner: FakeUser) -> None:
    shared = bot.turn(owner, lambda: owner.location(31.2304, 121.4737, live=True))
    assert "31.2304" in shared[0].text
    message_id = api.updates[max(api.updates)]["message"]["message_id"]
    moved = bot.turn(owner, lambda: owner.edit_location(message_id, 31.24, 121.48))
    assert "31.24" in moved[0].text
    draft = bot.conversation(owner.chat_id)["slots"]["draft"]  # type: ignore[index]
    assert draft["location"]["lat"] == 31.24


@pytest.mark.parametrize(
    ("language_code", "greeting"),
    [("zh-hans", "您好"), ("zh-TW", "您好"), ("en", "Hello"), ("de", "Hello"), (None, "您好")],
)
def test_language_code_picks_the_locale_on_first_contact(
    bot: TelegramBot, api: FakeBotApi, language_code: str | None, greeting: str
) -> None:
    user = api.user(6660100, language_code=language_code)
    assert bot.turn(user, lambda: user.text("/start"))[0].text.startswith(greeting)


def test_lang_overrides_the_language_code(bot: TelegramBot, api: FakeBotApi) -> None:
    user = api.user(6660200, language_code="zh-hans")
    assert bot.turn(user, lambda: user.text("/lang en"))[0].text.startswith("Language switched")
    assert bot.turn(user, lambda: user.text("/start"))[0].text.startswith("Hello")
