"""The webhook endpoint: the secret is checked before anything else; redeliveries count once."""

from __future__ import annotations

from pathlib import Path

import httpx

from storage.db import Database
from tests.media_samples import jpeg_bytes
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import SECRET, telegram_bot

UPDATE = {
    "update_id": 1,
    "message": {
        "message_id": 1,
        "date": 1764000000,
        "chat": {"id": 4440001, "type": "private", "first_name": "Eve"},
        "from": {"id": 4440001, "is_bot": False, "first_name": "Eve", "language_code": "en"},
        "text": "/report",
    },
}


def test_a_wrong_or_missing_secret_is_refused_before_parsing(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(sqlite_database, tmp_path, api, mode="webhook") as bot:
        url = f"{bot.base_url}/telegram/webhook"
        header = "X-Telegram-Bot-Api-Secret-Token"
        with httpx.Client(timeout=10) as http:
            assert http.post(url, json=UPDATE).status_code == 403
            assert http.post(url, json=UPDATE, headers={header: "wrong"}).status_code == 403
            assert http.post(url, json=UPDATE, headers={header: SECRET + "x"}).status_code == 403
            # Refused before parsing: a body that is not even JSON gets the same answer.
            assert http.post(url, content=b"<xml/>", headers={header: "no"}).status_code == 403
            # With the secret, a body that is not an update is a bad request.
            assert http.post(url, content=b"{not json", headers={header: SECRET}).status_code == 400
            assert http.post(url, json={"x": 1}, headers={header: SECRET}).status_code == 400
            assert (
                http.post(url, content=b"x" * (2 << 20), headers={header: SECRET}).status_code
                == 413
            )
        assert bot.processed() == 0
        assert api.messages() == []
        with httpx.Client(timeout=10) as http:
            assert http.post(url, json=UPDATE, headers={header: SECRET}).status_code == 200
        assert bot.processed() == 1


def test_an_update_delivered_twice_is_processed_once(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(sqlite_database, tmp_path, api, mode="webhook") as bot:
        user = api.user(4440002, language_code="en")
        first = bot.turn(user, lambda: user.text("/report"))
        assert len(first) == 1  # the start and the first question, one message
        update_id = max(api.updates)
        photo = bot.turn(user, lambda: user.photo(jpeg_bytes(seed=7)))
        assert "1 photo" in photo[0].text
        photo_update = max(api.updates)
        processed, downloads = bot.processed(), sum(api.downloads.values())
        api.redeliver(api.updates[update_id])
        api.redeliver(api.updates[photo_update])
        api.wait_until(
            lambda: (
                [u for u, _ in api.deliveries].count(update_id) == 2
                and [u for u, _ in api.deliveries].count(photo_update) == 2
            )
        )
        assert bot.quiet(user) == []
        assert bot.processed() == processed
        assert sum(api.downloads.values()) == downloads  # not even downloaded again
        assert {status for _, status in api.deliveries} == {200}


def test_an_album_part_delivered_twice_counts_once(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(sqlite_database, tmp_path, api, mode="webhook") as bot:
        user = api.user(4440003, language_code="en")
        bot.turn(user, lambda: user.text("/report"))
        parts: list[int] = []

        def album_with_a_redelivery() -> None:
            parts.extend(user.album([jpeg_bytes(seed=n) for n in (21, 22)]))
            api.redeliver(api.updates[parts[0]])

        answer = bot.turn(user, album_with_a_redelivery)
        assert len(answer) == 1  # the acknowledgement and the next question, one message
        assert "Received 2 photo(s)" in answer[0].text
        assert bot.quiet(user) == []


def test_a_tap_is_answered_in_the_webhooks_answer(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    """Telegram performs one method given in the webhook's answer: the callback answer
    goes there, not as a request of its own; the tapped keyboard is still taken off."""
    with telegram_bot(sqlite_database, tmp_path, api, mode="webhook") as bot:
        user = api.user(4440004, language_code="en")
        question = bot.turn(user, lambda: user.text("/report"))[-1]
        assert "r:plate:menu" in question.values
        bot.turn(user, lambda: user.text("沪A12345"))
        # the time question's buttons, then the location keyboard's hint (here, just now)
        asked, hint = bot.turn(user, lambda: user.text("8001"))[-2:]
        assert "r:time:now" in asked.values and hint.values == []
        tapped = bot.turn(user, lambda: user.tap("r:time:now"))
        api.wait_until(lambda: len(api.callback_answers) == 1 and not asked.buttons)
        bot.quiet(user)
    assert tapped
    assert api.webhook_replies == ["answercallbackquery"]
    query = api.updates[max(api.updates)]["callback_query"]
    assert api.callback_answers[0]["callback_query_id"] == query["id"]
    # no request of its own: the only answerCallbackQuery call came with the webhook answer
    assert [name for name, *_ in api.calls].count("answercallbackquery") == 1
    removed = [e for e in api.edits if int(e["message_id"]) == asked.message_id]
    assert len(removed) == 1 and not removed[0].get("reply_markup")  # once, at the tap
