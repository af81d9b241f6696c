"""``CLAIMBOT_LOG_FORMAT=json``: one JSON object a line, with channel, message id and claim
number, and never what the owner wrote or their personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.bootstrap import Container
from bot.logs import JsonFormatter
from storage.db import Database
from tests.engine_harness import Owner, import_sample, make_container
from tests.fakes import FixedClock
from tests.media_samples import jpeg_bytes


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)  # the engine's line per turn is a DEBUG line
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", FixedClock())
    import_sample(built, valid_around=date.today())
    yield built
    built.close()


def test_turn_lines_carry_channel_message_and_claim_but_no_text(
    container: Container, json_log: io.StringIO
) -> None:
    owner = Owner(container, "json-log-owner")
    owner.report_until_photos()
    owner.photos([jpeg_bytes(seed=n) for n in range(3)])  # then the summary by itself
    assert owner.choose("r:summary:confirm") == ["report.filed"]
    text = json_log.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    turns = [line for line in lines if line["logger"] == "bot.engine"]
    assert len(turns) == 12  # one line a turn
    assert {line["channel"] for line in turns} == {"web"}
    assert all(line["message_id"] and line["level"] == "DEBUG" for line in turns)
    filed = turns[-1]
    assert filed["claim"].startswith("BA")
    # What the owner typed, and their plate and phone tail, are nowhere in the log.
    for private in ("沪A12345", "8001", "倒车时后保险杠受损", "31.2304"):
        assert private not in text


def test_access_lines_name_the_path_without_its_query() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/wechat/callback?signature=abc&nonce=1", "1.1", 403),
        None,
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/wechat/callback"
    assert (line["method"], line["status"]) == ("POST", 403)
    assert "signature" not in json.dumps(line)


def test_the_timer_wake_up_does_not_fill_the_log() -> None:
    """The scheduler's executor logs every run of a job at INFO (every second for the timer
    wake-up); the log keeps its warnings only. httpx's per-request lines likewise."""
    from bot.logs import configure

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure("text")
        executor = logging.getLogger("apscheduler.executors.default")
        assert not executor.isEnabledFor(logging.INFO)
        assert executor.isEnabledFor(logging.WARNING)
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert logging.getLogger("claimbot").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
        for name in ("apscheduler.executors", "httpx"):
            logging.getLogger(name).setLevel(logging.NOTSET)
