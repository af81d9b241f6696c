"""Telegram end to end: N concurrent users complete reports through the fake Bot API.

The bot runs as `claimbot serve` in its own process, in webhook mode, on a file SQLite
database (or --database-url). The fake Bot API server (tests/telegram/fake_bot_api.py)
runs in this process: it delivers each user's updates to the bot's webhook and records
what the bot sends. Each user waits for the bot's prompt before the next step (16 turns:
the report, three single photos, summary, confirmation).

Prints turns/s, p50/p99 from update delivery to the bot's first reply as the fake server
sees it, and the bot process's peak RSS.

    .venv/bin/python bench/telegram.py --users 200

Telegram's own limits (about 1 message/s per chat, 30/s per bot) are off by default, so
that the figures are the bot's; `--per-chat-interval 1 --per-second 30` turns them on.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's folder comes first on sys.path, where this file would
# shadow the `telegram` library: put the repository there instead.
sys.path[0] = str(ROOT)

import yaml  # noqa: E402

from storage.db import Database  # noqa: E402
from storage.directory import import_directory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.media_samples import jpeg_bytes  # noqa: E402
from tests.telegram.fake_bot_api import FakeBotApi, FakeUser, SentMessage  # noqa: E402

TOKEN = "424242:BenchTokenForTheFakeBotApi"
SECRET = "bench-secret"
LOCATION = "<location keyboard>"
FIRST_USER = 8_000_000


def prepare(database_url: str) -> None:
    upgrade(database_url)
    database = Database(database_url)
    try:
        with database.unit_of_work() as uow:
            if uow.policies.by_number("PDAA20260001") is None:
                data = yaml.safe_load((ROOT / "examples/directory.yaml").read_text("utf-8"))
                import_directory(uow, data)
                uow.commit()
    finally:
        database.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_bot(
    args: argparse.Namespace, api: FakeBotApi, workdir: Path, port: int
) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")},
        "PYTHONPATH": str(ROOT),
        "CLAIMBOT_DATABASE_URL": args.database_url,
        "CLAIMBOT_MEDIA_DIR": str(workdir / "media"),
        "CLAIMBOT_TELEGRAM_TOKEN": TOKEN,
        "CLAIMBOT_TELEGRAM_API_URL": api.api_url,
        "CLAIMBOT_TELEGRAM_FILE_URL": api.file_url,
        "CLAIMBOT_TELEGRAM_MODE": "webhook",
        "CLAIMBOT_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "CLAIMBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CLAIMBOT_TELEGRAM_PER_CHAT_INTERVAL": str(args.per_chat_interval),
        "CLAIMBOT_TELEGRAM_PER_SECOND": str(args.per_second),
    }
    log = (workdir / "bot.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Waiter:
    """Wakes the user whose chat got a message (the fake calls from its own thread)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._events: defaultdict[str, asyncio.Event] = defaultdict(asyncio.Event)

    def on_message(self, message: SentMessage) -> None:
        if self._loop.is_closed():  # the bot's last sends may land after the run ended
            return
        self._loop.call_soon_threadsafe(self._events[message.chat_id].set)

    async def prompt(self, user: FakeUser, before: int, marker: str, timeout: float) -> None:
        event = self._events[user.chat_id]
        deadline = time.monotonic() + timeout
        while True:
            new = user.messages()[before:]
            if any(marker in m.values or (marker == LOCATION and m.requests_location) for m in new):
                return
            event.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"user {user.id}: no {marker!r} after {timeout} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


async def journey(user: FakeUser, photos: list[bytes], waiter: Waiter, timeout: float) -> int:
    steps: list[tuple[Callable[[], int], str]] = [
        (lambda: user.text("/report"), "r:plate:menu"),
        (lambda: user.text("沪A12345"), "r:check:menu"),
        (lambda: user.text("8001"), "r:time:now"),
        (lambda: user.tap("r:time:now"), LOCATION),
        (lambda: user.location(31.2304, 121.4737), "r:description:menu"),
        (lambda: user.text("等红灯时被追尾，后保险杠受损"), "r:injuries:no"),
        (lambda: user.tap("r:injuries:no"), "r:drivable:yes"),
        (lambda: user.tap("r:drivable:yes"), "r:has_other:none"),
        (lambda: user.tap("r:has_other:none"), "r:witnesses:skip"),
        (lambda: user.tap("r:witnesses:skip"), "r:evidence:menu"),
        (lambda: user.photo(photos[0]), "r:evidence:menu"),
        (lambda: user.photo(photos[1]), "r:evidence:menu"),
        (lambda: user.photo(photos[2]), "r:summary:confirm"),
        (lambda: user.tap("r:summary:confirm"), "start:report"),
    ]
    for act, marker in steps:
        before = len(user.messages())
        act()
        await waiter.prompt(user, before, marker, timeout)
    return len(steps)


async def run_users(api: FakeBotApi, count: int, timeout: float) -> tuple[int, float]:
    waiter = Waiter(asyncio.get_running_loop())
    api.listeners.append(waiter.on_message)
    users = [api.user(FIRST_USER + n, language_code="zh-hans") for n in range(count)]
    photos = [[jpeg_bytes(640, 480, seed=3 * n + k) for k in range(3)] for n in range(count)]
    started = time.perf_counter()
    turns = await asyncio.gather(
        *(journey(user, pics, waiter, timeout) for user, pics in zip(users, photos, strict=True))
    )
    return sum(turns), time.perf_counter() - started


def claims_filed(database_url: str) -> int:
    database = Database(database_url)
    try:
        with database.unit_of_work() as uow:
            from sqlalchemy import func, select

            from storage.tables import claim_t

            return int(
                uow.connection.execute(select(func.count()).select_from(claim_t)).scalar_one()
            )
    finally:
        database.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp dir")
    parser.add_argument("--per-chat-interval", type=float, default=0.0)
    parser.add_argument("--per-second", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="per step, seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="claimbot-bench-tg-") as tmp:
        workdir = Path(tmp)
        args.database_url = args.database_url or f"sqlite:///{workdir}/bench.db"
        prepare(args.database_url)
        api = FakeBotApi(TOKEN)
        with api.running():
            port = free_port()
            bot = start_bot(args, api, workdir, port)
            try:
                deadline = time.monotonic() + 60
                while api.webhook is None:
                    if bot.poll() is not None or time.monotonic() > deadline:
                        sys.stdout.write((workdir / "bot.log").read_text())
                        raise SystemExit("the bot did not start")
                    time.sleep(0.05)
                turns, elapsed = asyncio.run(run_users(api, args.users, args.timeout))
                rss = peak_rss_mib(bot.pid)
                cpu = cpu_seconds(bot.pid)
            finally:
                bot.send_signal(signal.SIGTERM)
                try:
                    bot.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    bot.kill()
        latencies = sorted(api.latencies)
        claims = claims_filed(args.database_url)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    engine = args.database_url.split(":", 1)[0]
    print(
        f"telegram webhook, {args.users} users, {engine}, pacing "
        f"{args.per_chat_interval}s/chat {args.per_second or 'unlimited'}/s"
    )
    print(f"  turns           {turns} in {elapsed:.1f} s = {turns / elapsed:.0f} turns/s")
    print(f"  claims filed    {claims}")
    print(f"  delivery->reply p50 {p50:.1f} ms, p99 {p99:.1f} ms ({len(latencies)} turns)")
    print(f"  messages sent   {len(api.messages())}, 429s {api.rate_limited}")
    print(f"  bot peak RSS    {rss:.0f} MiB, CPU {cpu:.1f} s ({cpu / turns * 1000:.1f} ms a turn)")
    return 0 if claims >= args.users else 1


if __name__ == "__main__":
    sys.exit(main())
