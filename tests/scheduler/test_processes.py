"""Real processes: two workers on one fresh PostgreSQL database, and a kill -9 on SQLite.

Each worker (tests/scheduler/worker.py) runs the real scheduler service and outbox
dispatcher; its sender appends every delivery to a file. The database and those files
are then checked: every timer fired once, every outbox row delivered once (or, after a
kill -9, at least once, twice only if it was in flight at the kill: the documented
window between a send and its mark).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from messages.outbound import Outbound
from scheduler.reminders import PUSH
from storage import migrate
from storage.db import Database
from storage.repositories.timers import TimerSpec
from storage.tables.core import outbox_t
from storage.tables.timers import timer_t
from tests.conftest import POSTGRES_URL, ROOT, _unavailable
from tests.scheduler.helpers import owner_chat, timers
from tests.scheduler.worker import CHANNEL


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """A brand-new, migrated PostgreSQL database for this test alone."""
    admin_url = make_url(POSTGRES_URL)
    name = f"claimbot_procs_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        _unavailable(f"{admin_url.render_as_string(hide_password=True)}: {exc}")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Worker:
    def __init__(self, url: str, tmp: Path, name: str, *extra: str) -> None:
        self.out = tmp / f"{name}.jsonl"
        self.ready = tmp / f"{name}.ready"
        self.log = (tmp / f"{name}.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.scheduler.worker",
                "--url",
                url,
                "--out",
                str(self.out),
                "--ready",
                str(self.ready),
                *extra,
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready.exists():
            assert self.process.poll() is None, f"worker died: {self.logged()}"
            assert time.monotonic() < deadline, "worker did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        self.log.close()

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no clean-up of any kind
        self.process.wait(timeout=10)

    def records(self) -> list[dict[str, Any]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines() if line]

    def logged(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()[-3000:]


def seed(database: Database, parties: int, due: list[datetime]) -> None:
    """``parties`` owners chatting on the recording channel, and one push timer per time."""
    ids = [owner_chat(database, f"chat-{n}", channel=CHANNEL)[0] for n in range(parties)]
    specs = [
        TimerSpec(
            PUSH,
            f"t-{i}",
            when,
            {
                "party_id": ids[i % parties],
                "message": Outbound("reminders.unmuted", {"due": when.isoformat()}).to_payload(),
            },
        )
        for i, when in enumerate(due)
    ]
    with database.unit_of_work() as uow:
        for start in range(0, len(specs), 1000):
            uow.timers.add_many(specs[start : start + 1000])
        uow.commit()


def counts(database: Database) -> tuple[int, int]:
    """(timers not yet fired, outbox rows not yet sent)."""
    with database.engine.connect() as conn:
        unfired = conn.execute(
            select(func.count()).select_from(timer_t).where(timer_t.c.status != "fired")
        ).scalar_one()
        unsent = conn.execute(
            select(func.count()).select_from(outbox_t).where(outbox_t.c.status != "sent")
        ).scalar_one()
    return unfired, unsent


def wait_until_done(database: Database, workers: list[Worker], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while counts(database) != (0, 0):
        for worker in workers:
            assert worker.process.poll() is None, f"worker died: {worker.logged()}"
        assert time.monotonic() < deadline, f"not done: {counts(database)}"
        time.sleep(0.1)


def outbox_keys(database: Database) -> list[str]:
    with database.engine.connect() as conn:
        return list(conn.execute(select(outbox_t.c.idempotency_key)).scalars())


@pytest.mark.postgres
def test_two_workers_on_postgres_fire_each_timer_once_and_send_each_row_once(
    fresh_postgres: str, tmp_path: Path
) -> None:
    database = Database(fresh_postgres)
    workers = [Worker(fresh_postgres, tmp_path, f"w{n}") for n in range(2)]
    try:
        for worker in workers:
            worker.wait_ready()
        now = datetime.now(UTC)
        total = 3000
        overdue = [now - timedelta(minutes=5)] * 500  # were due while nobody ran
        coming = [now + timedelta(seconds=1 + 4 * i / 2500) for i in range(2500)]
        seed(database, 200, overdue + coming)
        wait_until_done(database, workers, timeout=120)
    finally:
        for worker in workers:
            worker.stop()
    rows = timers(database, PUSH)
    assert len(rows) == total
    assert {(r["status"], r["fires"]) for r in rows.values()} == {("fired", 1)}
    firing_workers = Counter(r["claimed_by"].split("/")[0] for r in rows.values())
    assert len(firing_workers) == 2, firing_workers  # both workers fired timers
    keys = outbox_keys(database)
    assert len(keys) == total == len(set(keys))
    delivered = [r["key"] for w in workers for r in w.records()]
    assert Counter(delivered).most_common(1)[0][1] == 1  # nothing sent twice
    assert sorted(delivered) == sorted(keys)  # everything sent
    database.dispose()


def test_kill_9_then_restart_loses_nothing_and_fires_each_overdue_timer_once(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'claimbot.db'}"
    migrate.upgrade(url)
    database = Database(url)
    now = datetime.now(UTC)
    total = 600
    # All overdue, as after a night of downtime, plus some coming due in the next seconds.
    due = [now - timedelta(hours=1)] * 400 + [now + timedelta(seconds=i / 50) for i in range(200)]
    seed(database, 50, due)
    slow = ("--stale", "1", "--send-delay", "0.004", "--fire-delay", "0.004")
    first = Worker(url, tmp_path, "first", *slow)
    try:
        first.wait_ready()
        deadline = time.monotonic() + 60
        while counts(database)[0] > total - 150 or len(first.records()) < 50:
            assert first.process.poll() is None, first.logged()  # killed mid-work:
            assert time.monotonic() < deadline, "no progress"  # firing and sending
            time.sleep(0.005)
    finally:
        first.kill()
    with database.engine.connect() as conn:
        in_flight = set(
            conn.execute(
                select(outbox_t.c.idempotency_key).where(outbox_t.c.status == "sending")
            ).scalars()
        )
        firing = conn.execute(
            select(func.count()).select_from(timer_t).where(timer_t.c.status == "firing")
        ).scalar_one()
    unfired, _ = counts(database)
    print(f"at the kill: {unfired} timers unfired ({firing} claimed), {len(in_flight)} sending")
    assert unfired > 0, "the kill came too late to test anything"
    time.sleep(1.2)  # the dead worker's claims go stale
    second = Worker(url, tmp_path, "second", "--stale", "1")
    try:
        second.wait_ready()
        wait_until_done(database, [second], timeout=120)
    finally:
        second.stop()
    rows = timers(database, PUSH)
    assert {(r["status"], r["fires"]) for r in rows.values()} == {("fired", 1)}
    keys = outbox_keys(database)
    assert len(keys) == total == len(set(keys))  # one message per timer, none lost
    delivered = Counter(r["key"] for w in (first, second) for r in w.records())
    assert set(delivered) == set(keys)  # at least once
    twice = {key for key, n in delivered.items() if n > 1}
    assert twice <= in_flight  # only a row sent but not yet marked at the kill
    database.dispose()
