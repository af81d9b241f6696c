"""Sending: the outbox through the Telegram sender, Telegram's limits, errors and layout."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.channels.telegram.sender import TelegramSender, split_text
from bot.media_intake import MediaIntake, Upload
from locales.catalog import Catalogs
from scheduler.dispatcher import Failed, Retry, SendResult, Sent
from storage.db import Database
from storage.media.store import MediaStore
from storage.records import OutboxItem, OutboxRow
from storage.tables.core import outbox_t
from tests.fakes import FixedClock
from tests.media_samples import jpeg_bytes
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import TOKEN, TelegramBot, telegram_bot

CHAT = "7770001"
CATALOGS = Catalogs(ZoneInfo("Asia/Shanghai"))


def notify(bot: TelegramBot, count: int, *, start: int = 0, chat: str = CHAT) -> None:
    """Queue `count` numbered notifications for one chat, as any feature would."""
    items = [
        OutboxItem(
            "telegram",
            chat,
            "en",
            {"key": "command.unknown", "params": {"command": f"/n{n}"}},
            f"t:{chat}:{n}",
        )
        for n in range(start, start + count)
    ]
    with bot.container.database.unit_of_work() as uow:
        uow.outbox.add(items)
        uow.commit()


def numbers(api: FakeBotApi, chat: str = CHAT) -> list[int]:
    return [int(m.text.split("/n", 1)[1].split(".", 1)[0]) for m in api.messages(chat)]


def test_a_burst_of_50_to_one_chat_meets_no_429(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    api.chat_interval = 0.03  # Telegram's ~1 s per chat, scaled down
    with telegram_bot(
        sqlite_database, tmp_path, api, telegram_per_chat_interval=0.03, telegram_per_second=100
    ) as bot:
        notify(bot, 50)
        api.wait_until(lambda: len(api.messages(CHAT)) == 50 and bot.unsent() == 0, timeout=30)
    assert api.rate_limited == 0
    assert numbers(api) == list(range(50))
    gaps = [b.at - a.at for a, b in itertools.pairwise(api.messages(CHAT))]
    assert min(gaps) >= 0.03


def test_without_pacing_the_fake_answers_429_and_order_still_holds(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    api.chat_interval = 0.3
    with telegram_bot(sqlite_database, tmp_path, api, telegram_per_chat_interval=0) as bot:
        notify(bot, 3)
        api.wait_until(lambda: len(api.messages(CHAT)) == 3 and bot.unsent() == 0, timeout=30)
    assert api.rate_limited >= 1
    assert numbers(api) == [0, 1, 2]


def test_retry_after_is_honoured_and_a_500_retried_in_order(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(sqlite_database, tmp_path, api) as bot:
        api.fail("sendMessage", 429, retry_after=1)
        notify(bot, 3)
        api.wait_until(lambda: len(api.messages(CHAT)) == 3 and bot.unsent() == 0)
        api.fail("sendMessage", 500)
        notify(bot, 3, start=3)
        api.wait_until(lambda: len(api.messages(CHAT)) == 6 and bot.unsent() == 0, timeout=30)
    assert numbers(api) == [0, 1, 2, 3, 4, 5]
    sends = [(status, at) for name, _, status, at in api.calls if name == "sendmessage"]
    assert [status for status, _ in sends] == [429, 200, 200, 200, 500, 200, 200, 200]
    assert sends[1][1] - sends[0][1] >= 1.0  # retry_after: 1
    assert sends[5][1] - sends[4][1] >= 0.9  # the backoff schedule's first step


def test_a_user_who_blocked_the_bot_is_not_retried(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(sqlite_database, tmp_path, api) as bot:
        api.fail("sendMessage", 403)
        notify(bot, 2)
        api.wait_until(lambda: len(api.messages(CHAT)) == 1 and bot.unsent() == 0)
        with bot.container.database.unit_of_work() as uow:
            rows = uow.connection.execute(
                select(outbox_t.c.status, outbox_t.c.last_error).order_by(outbox_t.c.id)
            ).all()
    assert rows[0].status == "failed" and "Forbidden" in rows[0].last_error
    assert rows[1].status == "sent"


# --- the sender on its own, against the fake server ---------------------------------------


def row(payload: dict[str, Any], *, row_id: int = 1, locale: str = "en") -> OutboxRow:
    now = datetime.now(UTC)
    return OutboxRow(row_id, "telegram", CHAT, locale, payload, now, "sending", 1, None)


def send(
    api: FakeBotApi, rows: list[OutboxRow], catalogs: Catalogs = CATALOGS, **kw: Any
) -> list[SendResult]:
    database: Database = kw.pop("database", None)  # type: ignore[assignment]
    media_dir: Path = kw.pop("media_dir", Path("/nonexistent"))

    async def run() -> list[SendResult]:
        async with Bot(TOKEN, base_url=api.api_url, base_file_url=api.file_url) as bot:
            sender = TelegramSender(bot, catalogs, database, media_dir, per_chat_interval=0)
            return [await sender.send(item) for item in rows]

    return asyncio.run(run())


def test_long_text_is_split_and_the_keyboard_goes_last(api: FakeBotApi, tmp_path: Path) -> None:
    for locale in ("en", "zh_CN"):
        (tmp_path / locale).mkdir()
        (tmp_path / locale / "x.yaml").write_text("long: '{{ body }}'\n", encoding="utf-8")
    catalogs = Catalogs(ZoneInfo("Asia/Shanghai"), tmp_path)
    body = "\n".join(f"line {n:05d} " + "x" * 80 for n in range(100))  # ~9,000 characters
    payload = {
        "key": "long",
        "params": {"body": body},
        "choices": [{"value": "v:1", "label_key": "long", "params": {"body": "OK"}}],
    }
    assert send(api, [row(payload)], catalogs) == [Sent()]
    sent = api.messages(CHAT)
    assert len(sent) == 3 and all(len(m.text) <= 4096 for m in sent)
    assert "\n".join(m.text for m in sent) == body
    assert [m.buttons for m in sent] == [[], [], [("OK", "v:1")]]


def test_split_text_edges() -> None:
    assert split_text("") == [""]
    assert split_text("abc", 2) == ["ab", "c"]
    assert split_text("ab cd", 3) == ["ab", "cd"]


def test_a_location_question_with_buttons_is_two_messages(api: FakeBotApi) -> None:
    payload = {
        "key": "report.ask.location",
        "choices": [{"value": "r:location:menu", "label_key": "choice.menu"}],
        "request_location": True,
    }
    plain = {"key": "report.started"}
    location_only = {"key": "report.ask.location", "request_location": True}
    assert (
        send(api, [row(payload), row(plain, row_id=2), row(location_only, row_id=3)])
        == [Sent()] * 3
    )
    question, hint, started, alone = api.messages(CHAT)
    assert question.values == ["r:location:menu"] and not question.requests_location
    assert hint.requests_location and hint.text.startswith("Or tap the button")
    assert hint.reply_markup is not None and hint.reply_markup["one_time_keyboard"] is True
    assert started.removes_keyboard
    assert alone.requests_location and alone.text.startswith("Where did it happen")


@pytest.mark.parametrize(
    ("status", "outcome", "after"),
    [
        (429, Retry, 3.0),
        (500, Retry, None),
        (502, Retry, None),
        (403, Failed, None),
        (400, Failed, None),
    ],
)
def test_errors_map_to_retry_or_failure(
    api: FakeBotApi, status: int, outcome: type, after: float | None
) -> None:
    api.fail("sendMessage", status, retry_after=3 if status == 429 else None)
    [result] = send(api, [row({"key": "report.started"})])
    assert type(result) is outcome
    assert getattr(result, "after", None) == after


def test_a_retry_resumes_after_the_parts_already_sent(api: FakeBotApi) -> None:
    payload = {
        "key": "report.ask.location",
        "choices": [{"value": "r:location:menu", "label_key": "choice.menu"}],
        "request_location": True,
    }

    async def run() -> list[SendResult]:
        async with Bot(TOKEN, base_url=api.api_url) as bot:
            sender = TelegramSender(bot, CATALOGS, None, Path("/x"), per_chat_interval=0)  # type: ignore[arg-type]
            api.fail("sendMessage", 500)
            results = [await sender.send(row(payload))]
            api.fail("sendMessage", 429, retry_after=1)  # on the hint
            # The question went out before the 429: only the hint is sent again.
            results.append(await sender.send(row(payload)))
            results.append(await sender.send(row(payload)))
            return results

    results = asyncio.run(run())
    assert [type(r) for r in results] == [Retry, Retry, Sent]
    texts = [m.text for m in api.messages(CHAT)]
    assert len(texts) == 2 and texts[1].startswith("Or tap the button")


def test_attachments_go_before_the_text(
    api: FakeBotApi, sqlite_database: Database, tmp_path: Path
) -> None:
    store = MediaStore(tmp_path / "media")
    result = MediaIntake(store, sqlite_database, FixedClock()).accept(
        [Upload(jpeg_bytes(seed=n), "photo") for n in range(3)]
    )
    ids = [item.media_id for item in result.items]
    payloads = [
        {"key": "report.started", "attachments": ids[:1]},
        {"key": "report.started", "attachments": ids},
    ]
    rows = [row(p, row_id=n) for n, p in enumerate(payloads, 1)]
    assert send(api, rows, database=sqlite_database, media_dir=tmp_path / "media") == [Sent()] * 2
    methods = [m.method for m in api.messages(CHAT)]
    assert methods == ["sendphoto", "sendmessage", *["sendmediagroup"] * 3, "sendmessage"]
    assert api.messages(CHAT)[0].media == [jpeg_bytes(seed=0)]


def turn_answers(bot: TelegramBot, *keys: str, turn: str = "telegram:7770001:42") -> None:
    """One turn's answers, keyed as the engine keys them: plain texts, the last with a button."""
    items = [
        OutboxItem(
            "telegram",
            CHAT,
            "en",
            {
                "key": key,
                "params": {"command": f"/a{n}"},
                "choices": (
                    [{"value": "r:plate:menu", "label_key": "choice.menu"}]
                    if n == len(keys) - 1
                    else []
                ),
            },
            f"{turn}:{n}",
        )
        for n, key in enumerate(keys)
    ]
    with bot.container.database.unit_of_work() as uow:
        uow.outbox.add(items)
        uow.commit()


def test_a_turns_answers_go_as_one_message_and_a_failed_one_is_retried_whole(
    sqlite_database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    with telegram_bot(sqlite_database, tmp_path, api) as bot:
        api.fail("sendMessage", 500)
        turn_answers(bot, "command.unknown", "command.unknown", "command.unknown")
        api.wait_until(lambda: len(api.messages(CHAT)) == 1 and bot.unsent() == 0, timeout=30)
        notify(bot, 2)  # rows not answering one turn stay apart
        api.wait_until(lambda: len(api.messages(CHAT)) == 3 and bot.unsent() == 0)
        with bot.container.database.unit_of_work() as uow:
            statuses = uow.connection.execute(select(outbox_t.c.status)).scalars().all()
    joined = api.messages(CHAT)[0]
    assert [part.split(".", 1)[0] for part in joined.text.split("\n\n")] == [
        "Unknown command /a0",
        "Unknown command /a1",
        "Unknown command /a2",
    ]
    assert joined.values == ["r:plate:menu"]  # the last answer's button
    sends = [status for name, _, status, _ in api.calls if name == "sendmessage"]
    assert sends == [500, 200, 200, 200]  # the joined message failed once, then went whole
    assert statuses == ["sent"] * 5
