"""A `claimbot serve`-like worker for the multi-process tests: the real scheduler service
(APScheduler wake-up + timer runner) and the real outbox dispatcher, sending through a
sender that appends one JSON line per delivered row to a file.

    python -m tests.scheduler.worker --url URL --out FILE --ready FILE [--stale 120]
        [--send-delay 0] [--fire-delay 0]

SIGTERM stops it cleanly; SIGKILL is what the crash tests use.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
from datetime import timedelta
from pathlib import Path

from domain.clock import SystemClock
from scheduler.config import SchedulerConfig
from scheduler.dispatcher import OutboxDispatcher, SendResult, Sent
from scheduler.kinds import FireContext, Outcome
from scheduler.reminders import PUSH, default_registry, fire_push
from scheduler.runner import TimerRunner
from scheduler.service import SchedulerService
from storage.db import Database
from storage.records import OutboxRow
from storage.repositories.timers import Timer

CHANNEL = "rec"


class FileSender:
    """Records each delivery with an O_APPEND write: lines of concurrent writers never mix."""

    channel = CHANNEL

    def __init__(self, path: Path, delay: float) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._delay = delay

    async def send(self, row: OutboxRow) -> SendResult:
        if self._delay:
            await asyncio.sleep(self._delay)
        due = row.payload["params"].get("due")
        line = {"key": row.idempotency_key, "pid": os.getpid(), "t": time.time(), "due": due}
        os.write(self._fd, (json.dumps(line) + "\n").encode())
        return Sent()


def _slow_push(delay: float):  # type: ignore[no-untyped-def]
    def handler(ctx: FireContext, timer: Timer) -> Outcome:
        time.sleep(delay)  # a slow handler: a kill is likely to land mid-transaction
        return fire_push(ctx, timer)

    return handler


async def main(args: argparse.Namespace) -> None:
    database = Database(args.url)
    config = SchedulerConfig(
        quiet_hours=None,
        poll=timedelta(seconds=args.poll),
        stale_after=timedelta(seconds=args.stale),
        reap_every=timedelta(seconds=min(args.stale, 30)),
        nudge_after=None,
        maintenance_every_months=0,
    )
    registry = default_registry(config)
    if args.fire_delay:
        from dataclasses import replace

        from scheduler.kinds import Registry

        kinds = [
            replace(k, handler=_slow_push(args.fire_delay)) if k.name == PUSH else k
            for k in registry
        ]
        registry = Registry(kinds)
    clock = SystemClock()
    runner = TimerRunner(database, registry, clock, config, worker=f"w{os.getpid()}")
    service = SchedulerService(runner, clock)
    dispatcher = OutboxDispatcher(
        database,
        [FileSender(Path(args.out), args.send_delay)],
        clock,
        worker=f"d{os.getpid()}",
        lease=timedelta(seconds=args.lease),
    )
    stop, wake = asyncio.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    service.on_outbox(lambda: loop.call_soon_threadsafe(wake.set))
    tasks = [
        asyncio.create_task(service.run(stop)),
        asyncio.create_task(dispatcher.run(stop, wake, idle=args.poll)),
    ]
    Path(args.ready).write_text(str(os.getpid()))
    await stop.wait()
    wake.set()
    await asyncio.gather(*tasks)
    database.dispose()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--poll", type=float, default=0.2)
    parser.add_argument("--stale", type=float, default=120)
    parser.add_argument("--lease", type=float, default=8.0)  # the outbox lease, seconds
    parser.add_argument("--send-delay", type=float, default=0.0)
    parser.add_argument("--fire-delay", type=float, default=0.0)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
