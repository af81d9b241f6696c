"""Timer dispatch lag: 100,000 pending timers, 10,000 coming due within one minute.

A fresh database (a SQLite file, or a new PostgreSQL database) gets ``--owners`` owners
chatting on a recording channel and ``--timers`` pending ``push`` timers: ``--due`` of
them due at random instants within ``--window`` seconds (starting ``--lead`` seconds
after seeding, so that the workers are up), the rest days to weeks ahead. Then
``--workers`` worker processes run what ``claimbot serve`` runs for timers: the scheduler
service (APScheduler wake-up, timer runner: claim, fire into the outbox) and the outbox
dispatcher, whose only channel is a sender that records when each message reached it.
Real time throughout: nothing is compressed. Quiet hours are off (a run at night would
otherwise hold every push until 08:00).

Printed: dispatch lag (from a timer's due time to its message reaching the channel
sender) p50/p90/p99/max, the firing lag alone (due → fired, from the database),
duplicates and missing messages, the split between workers, and each worker's RSS.

    .venv/bin/python bench/scheduler.py --engine sqlite --workers 1
    .venv/bin/python bench/scheduler.py --engine postgresql --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # bench/ would shadow `telegram`

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from domain.clock import SystemClock  # noqa: E402
from messages.outbound import Outbound  # noqa: E402
from scheduler.config import SchedulerConfig  # noqa: E402
from scheduler.dispatcher import OutboxDispatcher, SendResult, Sent  # noqa: E402
from scheduler.reminders import PUSH, default_registry  # noqa: E402
from scheduler.runner import TimerRunner  # noqa: E402
from scheduler.service import SchedulerService  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.records import OutboxRow  # noqa: E402
from storage.tables.core import conversation_t, identity_t, outbox_t, party_t  # noqa: E402
from storage.tables.timers import timer_t  # noqa: E402

CHANNEL = "bench"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident set size of this process, MiB.

    The peak is VmHWM, not ``ru_maxrss``: Linux carries ``ru_maxrss`` over fork and exec,
    so a worker would report the parent's peak (the parent holds 100,000 seeded rows).
    """
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


# --- the worker process ---------------------------------------------------------------------


class RecordingSender:
    channel = CHANNEL

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def send(self, row: OutboxRow) -> SendResult:
        line = {"key": row.idempotency_key, "t": time.time(), "due": row.payload["params"]["due"]}
        os.write(self._fd, (json.dumps(line) + "\n").encode())
        return Sent()


async def worker(url: str, out: Path, poll: float) -> None:
    database = Database(url)
    config = SchedulerConfig(
        quiet_hours=None,
        poll=timedelta(seconds=poll),
        nudge_after=None,
        maintenance_every_months=0,
    )
    clock = SystemClock()
    runner = TimerRunner(database, default_registry(config), clock, config)
    service = SchedulerService(runner, clock)
    dispatcher = OutboxDispatcher(
        database, [RecordingSender(out)], clock, worker=f"{os.getpid()}", batch=200
    )
    stop, wake = asyncio.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)

    def wake_dispatcher() -> None:
        loop.call_soon_threadsafe(wake.set)

    service.on_outbox(wake_dispatcher)
    tasks = [
        asyncio.create_task(service.run(stop)),
        asyncio.create_task(dispatcher.run(stop, wake, idle=poll)),
    ]
    out.with_suffix(".ready").write_text(runner.worker)
    samples: list[float] = []
    while not stop.is_set():
        samples.append(rss_mib()[0])
        await asyncio.sleep(0.5)
    await asyncio.gather(*tasks)
    current, peak = rss_mib()
    summary = {"worker": runner.worker, "rss_end": current, "rss_peak": peak}
    summary["rss_max_sampled"] = max(samples or [current])
    out.with_suffix(".rss").write_text(json.dumps(summary))
    database.dispose()


# --- the parent -----------------------------------------------------------------------------


def fresh_database(engine: str, postgres_url: str, work: Path) -> tuple[str, Any]:
    """A migrated empty database; returns its URL and a function that drops it."""
    if engine == "sqlite":
        url = f"sqlite:///{work / 'bench.db'}"
        upgrade(url)
        return url, lambda: None
    admin_url = make_url(postgres_url)
    name = f"claimbot_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    upgrade(url)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def seed(url: str, args: argparse.Namespace, start: datetime) -> float:
    """Owners and their conversations, then the timers, in bulk; returns the seconds taken."""
    began = time.perf_counter()
    rng = random.Random(7)
    database = Database(url)
    now = datetime.now(UTC)
    with database.engine.begin() as conn:
        party_ids = [
            conn.execute(
                insert(party_t).returning(party_t.c.id),
                {"kind": "owner", "locale": "zh_CN", "created_at": now},
            ).scalar_one()
            for _ in range(args.owners)
        ]
        conn.execute(
            insert(identity_t),
            [{"channel": CHANNEL, "external_id": f"o{p}", "party_id": p} for p in party_ids],
        )
        conn.execute(
            insert(conversation_t),
            [
                {
                    "channel": CHANNEL,
                    "chat_id": f"o{p}",
                    "party_id": p,
                    "state": "idle",
                    "slots": {},
                    "locale": "zh_CN",
                    "last_activity": now,
                    "updated_at": now,
                }
                for p in party_ids
            ],
        )
    due = [start + timedelta(seconds=rng.uniform(0, args.window)) for _ in range(args.due)]
    later = [start + timedelta(days=rng.uniform(1, 30)) for _ in range(args.timers - args.due)]
    rows = []
    for i, when in enumerate(due + later):
        party = party_ids[i % len(party_ids)]
        payload = {
            "party_id": party,
            "message": Outbound("reminders.unmuted", {"due": when.timestamp()}).to_payload(),
        }
        rows.append(
            {
                "kind": PUSH,
                "dedupe_key": f"bench:{i}",
                "subject": None,
                "payload": payload,
                "due_at": when,
                "status": "pending",
                "attempts": 0,
                "fires": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
    with database.engine.begin() as conn:
        for chunk in range(0, len(rows), 5000):
            conn.execute(insert(timer_t), rows[chunk : chunk + 5000])
    database.dispose()
    return time.perf_counter() - began


def progress(url: str) -> tuple[int, int]:
    """(outbox rows sent, timers fired)."""
    database = Database(url)
    try:
        with database.engine.connect() as conn:
            sent = conn.execute(
                select(func.count()).select_from(outbox_t).where(outbox_t.c.status == "sent")
            ).scalar_one()
            fired = conn.execute(
                select(func.count()).select_from(timer_t).where(timer_t.c.status == "fired")
            ).scalar_one()
        return int(sent), int(fired)
    finally:
        database.dispose()


def firing_lags(url: str) -> tuple[list[float], Counter[str]]:
    database = Database(url)
    try:
        with database.engine.connect() as conn:
            rows = conn.execute(
                select(timer_t.c.due_at, timer_t.c.finished_at, timer_t.c.claimed_by).where(
                    timer_t.c.status == "fired"
                )
            ).all()
    finally:
        database.dispose()
    lags = [(r.finished_at - r.due_at).total_seconds() for r in rows]
    by_worker = Counter(str(r.claimed_by).split("#")[0] for r in rows)
    return lags, by_worker


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def describe(name: str, values: list[float]) -> str:
    if not values:
        return f"{name:<24} (none)"
    ms = {q: pct(values, q) * 1000 for q in (0.50, 0.90, 0.99)}
    return (
        f"{name:<24} p50 {ms[0.50]:7.1f} ms   p90 {ms[0.90]:7.1f} ms   p99 {ms[0.99]:7.1f} ms"
        f"   max {max(values) * 1000:7.1f} ms   mean {statistics.fmean(values) * 1000:6.1f} ms"
    )


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="claimbot-bench-") as tmp:
        work = Path(tmp)
        url, drop = fresh_database(args.engine, args.postgres_url, work)
        procs: list[subprocess.Popen[bytes]] = []
        try:
            start = datetime.now(UTC) + timedelta(seconds=args.lead)
            seeded = seed(url, args, start)
            print(f"engine            {args.engine}, {args.workers} worker process(es)")
            print(
                f"seeded            {args.timers:,} pending timers ({args.due:,} due within "
                f"{args.window:.0f} s), {args.owners:,} owners, in {seeded:.1f} s"
            )
            outs = [work / f"worker{n}.jsonl" for n in range(args.workers)]
            for out in outs:
                command = [sys.executable, __file__, "--worker", "--url", url, "--out", str(out)]
                command += ["--poll", str(args.poll)]
                procs.append(subprocess.Popen(command, cwd=ROOT))
            deadline = time.monotonic() + 60
            while not all(out.with_suffix(".ready").exists() for out in outs):
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise RuntimeError("a worker did not start")
                time.sleep(0.05)
            if datetime.now(UTC) > start:
                print("warning: the workers started after the first timers came due")
            end = start + timedelta(seconds=args.window)
            deadline = time.monotonic() + args.lead + args.window + args.grace
            while progress(url)[0] < args.due and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(max(0.0, (end - datetime.now(UTC)).total_seconds()) + 1.0)
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=60)
        sent, fired = progress(url)
        fire_lags, by_worker = firing_lags(url)
        drop()
        records = [json.loads(line) for out in outs for line in out.read_text().splitlines()]
        keys = Counter(r["key"] for r in records)
        lags = [r["t"] - r["due"] for r in records]
        duplicates = sum(n - 1 for n in keys.values())
        missing = args.due - len(keys)
        print(f"timers fired      {fired:,} (expected {args.due:,}); outbox rows sent {sent:,}")
        print(describe("dispatch lag", lags))
        print(describe("firing lag (due→fired)", fire_lags))
        print(f"duplicates        {duplicates}")
        print(f"missing           {missing}")
        per_file = [sum(1 for _ in out.read_text().splitlines()) for out in outs]
        print(f"fired per worker  {sorted(by_worker.values(), reverse=True)}")
        print(f"sent per worker   {per_file}")
        for out in outs:
            rss = json.loads(out.with_suffix(".rss").read_text())
            print(
                f"worker rss        end {rss['rss_end']:.1f} MiB, "
                f"max sampled {rss['rss_max_sampled']:.1f} MiB, peak {rss['rss_peak']:.1f} MiB"
            )
        slow = pct(lags, 0.99) >= 1.0 if lags else True
        return 1 if duplicates or missing or slow else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timers", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=60.0, help="seconds")
    parser.add_argument("--lead", type=float, default=10.0, help="seconds before the first")
    parser.add_argument("--grace", type=float, default=60.0, help="seconds to wait at most")
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--poll", type=float, default=1.0, help="APScheduler wake-up, seconds")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CLAIMBOT_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a server where a database may be created (and dropped afterwards)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(worker(args.url, args.out, args.poll))
        return
    sys.exit(run(args))


if __name__ == "__main__":
    main()
