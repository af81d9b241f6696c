"""Delivery after a kill -9, with real processes.

- An outbox worker killed in the middle of its sends: its claims are leases, so a worker
  started afterwards sends the rows within seconds (the lease, 8 s by default, plus one
  heartbeat), not after minutes; each idempotency key reaches the channel once.
- Telegram polling: an update the bot fetched and had not finished when it was killed is
  processed after the restart (it was recorded before getUpdates confirmed it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from messages.outbound import Outbound
from storage import migrate
from storage.channels.telegram.lookups import inbound_seen
from storage.db import Database
from storage.records import OutboxItem
from storage.tables.core import outbox_t
from tests.conftest import ROOT
from tests.media_samples import jpeg_bytes
from tests.scheduler.test_processes import Worker
from tests.scheduler.worker import CHANNEL
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import TOKEN

CHATS, PER_CHAT = 6, 6
RETAKEN_WITHIN = 15.0  # seconds; the claims of a dead worker used to wait 5 minutes


def sending(database: Database) -> int:
    with database.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(outbox_t).where(outbox_t.c.status == "sending")
            ).scalar_one()
        )


def unsent(database: Database) -> int:
    with database.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(outbox_t).where(outbox_t.c.status != "sent")
            ).scalar_one()
        )


def test_a_worker_killed_mid_send_hands_its_rows_over_within_seconds_once_each(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'claimbot.db'}"
    migrate.upgrade(url)
    database = Database(url)
    now = datetime.now(UTC)
    items = [
        OutboxItem(
            channel=CHANNEL,
            chat_id=f"chat-{chat}",
            locale="zh_CN",
            payload=Outbound("reminders.unmuted", {"due": now.isoformat()}).to_payload(),
            idempotency_key=f"crash:{chat}:{n}",
        )
        for chat in range(CHATS)
        for n in range(PER_CHAT)
    ]
    with database.unit_of_work() as uow:
        uow.outbox.add(items, now)
        uow.commit()
    # The first worker's sends hang (a slow channel): it is killed with every row claimed
    # and its first send of each chat in flight.
    first = Worker(url, tmp_path, "first", "--send-delay", "60")
    try:
        first.wait_ready()
        deadline = time.monotonic() + 30
        while sending(database) < len(items):
            assert first.process.poll() is None, first.logged()
            assert time.monotonic() < deadline, "the rows were not claimed"
            time.sleep(0.02)
        time.sleep(3)  # a heartbeat or two renews the leases meanwhile
    finally:
        first.kill()
    killed_at = time.monotonic()
    assert sending(database) == len(items)  # the dead worker's claims
    second = Worker(url, tmp_path, "second")
    try:
        second.wait_ready()
        while unsent(database):
            assert second.process.poll() is None, second.logged()
            assert time.monotonic() - killed_at < RETAKEN_WITHIN, f"{unsent(database)} unsent"
            time.sleep(0.05)
        delay = time.monotonic() - killed_at
    finally:
        second.stop()
    print(f"every row sent {delay:.1f} s after the kill")
    delivered = Counter(r["key"] for w in (first, second) for r in w.records())
    assert delivered == Counter({item.idempotency_key: 1 for item in items})
    database.dispose()


def start_bot(api: FakeBotApi, workdir: Path, url: str) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")},
        "PYTHONPATH": str(ROOT),
        "CLAIMBOT_DATABASE_URL": url,
        "CLAIMBOT_MEDIA_DIR": str(workdir / "media"),
        "CLAIMBOT_TELEGRAM_TOKEN": TOKEN,
        "CLAIMBOT_TELEGRAM_API_URL": api.api_url,
        "CLAIMBOT_TELEGRAM_FILE_URL": api.file_url,
        "CLAIMBOT_TELEGRAM_MODE": "polling",
        "CLAIMBOT_TELEGRAM_POLL_TIMEOUT": "1",
        "CLAIMBOT_TELEGRAM_PER_CHAT_INTERVAL": "0",
        "CLAIMBOT_SCHEDULER_ENABLED": "false",
    }
    log = (workdir / "bot.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", "0"],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_telegram_polling_an_update_fetched_before_a_kill_is_processed_after_restart(
    tmp_path: Path, api: FakeBotApi
) -> None:
    url = f"sqlite:///{tmp_path / 'claimbot.db'}"
    migrate.upgrade(url)
    database = Database(url)
    user = api.user(6660001, language_code="en")
    api.hold("getFile")  # the photo's download hangs: the update is fetched, not processed
    bot = start_bot(api, tmp_path, url)
    try:
        update_id = user.photo(jpeg_bytes(seed=11))
        message_id = api.updates[update_id]["message"]["message_id"]
        # Killed once the bot has asked for the file and confirmed the update to Telegram.
        api.wait_until(lambda: api.held_calls["getfile"] > 0, timeout=60)
        api.wait_until(lambda: update_id not in api.unconfirmed(), timeout=30)
    finally:
        bot.kill()  # SIGKILL
        bot.wait(timeout=10)
    assert api.messages(user.chat_id) == []
    api.release("getFile")
    bot = start_bot(api, tmp_path, url)
    try:
        api.wait_until(lambda: len(api.messages(user.chat_id)) > 0, timeout=60)
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=30)
    with database.reading() as uow:
        assert inbound_seen(uow.connection, "telegram", f"{user.chat_id}:{message_id}")
    database.dispose()
