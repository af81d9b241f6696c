"""Telegram end to end: N concurrent users complete reports through the fake Bot API.

The bot runs as `claimbot serve` in its own process, in webhook mode (or `--mode polling`,
as the peer gets its updates), on a file SQLite database (or --database-url). The fake
Bot API server (tests/telegram/fake_bot_api.py) runs in this process: it delivers each
user's updates to the bot's webhook (or its getUpdates) and records what the bot sends.
Each user waits for the bot's prompt before the next step (15 turns: the report, three
single photos, summary, confirmation).

Prints turns/s, p50/p99 from update delivery to the bot's first reply as the fake server
sees it, the bot process's peak RSS and CPU, its Bot API requests a turn and per method
(with those the fake refused), and the load average at the start and end.

    .venv/bin/python bench/telegram.py --users 200
    .venv/bin/python bench/telegram.py --users 50 --peer            # the peer first, then ours
    .venv/bin/python bench/telegram.py --users 50 --peer --mode polling   # ours polling too
    .venv/bin/python bench/telegram.py --users 50 --profile /tmp/tg.raw   # py-spy on our bot
    .venv/bin/python bench/telegram.py --users 50 --workers 2 --database-url postgresql+psycopg://…

`--peer` first runs bench/peer_bot.py (a minimal python-telegram-bot bot: ConversationHandler
and PicklePersistence, polling) through a fake Bot API of its own with the same simulated
users, then our bot, and ends with the line
`ratio R (ours X turns/s, peer Y turns/s, our CPU C ms a turn)`.

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
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's folder comes first on sys.path, where this file would
# shadow the `telegram` library: put the repository there instead.
sys.path[0] = str(ROOT)

import yaml  # noqa: E402

from bench.profiling import print_top, profiled  # noqa: E402
from dialogs.consent import AGREE  # noqa: E402
from messages.choices import START_REPORT  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.repositories.directory import import_directory  # noqa: E402
from tests.media_samples import jpeg_bytes  # noqa: E402
from tests.telegram.fake_bot_api import FakeBotApi, FakeUser, SentMessage  # noqa: E402

TOKEN = "424242:BenchTokenForTheFakeBotApi"
SECRET = "bench-secret"
LOCATION = "<location keyboard>"
FIRST_USER = 8_000_000


def prepare(database_url: str) -> None:
    upgrade(database_url)
    if claims_filed(database_url):  # the same user ids would come back as returning users
        raise SystemExit(f"{database_url} holds an earlier run's claims: give an empty database")
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
    args: argparse.Namespace, api: FakeBotApi, workdir: Path, port: int, *, media: Path
) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")},
        "PYTHONPATH": str(ROOT),
        "CLAIMBOT_DATABASE_URL": args.database_url,
        "CLAIMBOT_MEDIA_DIR": str(media),  # shared by the workers
        "CLAIMBOT_TELEGRAM_TOKEN": TOKEN,
        "CLAIMBOT_TELEGRAM_API_URL": api.api_url,
        "CLAIMBOT_TELEGRAM_FILE_URL": api.file_url,
        "CLAIMBOT_TELEGRAM_MODE": args.mode,
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
                last = [(m.text[:60], m.values) for m in user.messages()[before:][-3:]]
                raise TimeoutError(f"user {user.id}: no {marker!r} after {timeout} s: {last}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


async def journey(user: FakeUser, photos: list[bytes], waiter: Waiter, timeout: float) -> int:
    steps: list[tuple[Callable[[], int], str]] = [
        (lambda: user.text("/report"), AGREE),  # first contact: the privacy notice
        (lambda: user.tap(AGREE), "r:plate:menu"),  # agreeing starts the report
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
        (lambda: user.tap("r:summary:confirm"), START_REPORT.encode()),
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


def outbox_rows(database_url: str, users: int) -> str:
    """Each user's Telegram rows (answers are rows; a message may join several) and those
    not sent: every user took the same steps, so the counts agree unless a row was lost or
    written twice."""
    from sqlalchemy import func, select

    from storage.tables.core import outbox_t

    database = Database(database_url)
    try:
        with database.unit_of_work() as uow:
            per_chat = uow.connection.execute(
                select(outbox_t.c.chat_id, func.count(), func.sum(outbox_t.c.attempts))
                .where(
                    outbox_t.c.channel == "telegram",
                    outbox_t.c.chat_id.in_([str(FIRST_USER + n) for n in range(users)]),
                )
                .group_by(outbox_t.c.chat_id)
            ).all()
            unsent = uow.connection.execute(
                select(func.count()).where(
                    outbox_t.c.channel == "telegram", outbox_t.c.status != "sent"
                )
            ).scalar_one()
    finally:
        database.dispose()
    sizes = Counter(int(count) for _, count, _ in per_chat)
    attempts = Counter(int(total or 0) for _, _, total in per_chat)
    return (
        f"rows per user {dict(sizes)}, send attempts per user {dict(attempts)}, "
        f"telegram rows not sent {unsent}"
    )


def claims_filed(database_url: str) -> int:
    database = Database(database_url)
    try:
        with database.unit_of_work() as uow:
            from sqlalchemy import func, select

            from storage.tables.core import claim_t

            return int(
                uow.connection.execute(select(func.count()).select_from(claim_t)).scalar_one()
            )
    finally:
        database.dispose()


@dataclass(frozen=True)
class Run:
    turns: int
    elapsed: float
    cpu: float  # the bot process's CPU seconds
    rss: float
    latencies: list[float]
    messages: int
    rate_limited: int
    requests: int  # Bot API requests the bot made during the run, getUpdates apart
    by_method: str = ""  # the same, per method ("refused": answered with an error)

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.elapsed

    @property
    def cpu_ms_a_turn(self) -> float:
        return self.cpu / self.turns * 1000


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def wait_started(bot: subprocess.Popen[bytes], started: Callable[[], bool], log: Path) -> None:
    deadline = time.monotonic() + 60
    while not started():
        if bot.poll() is not None or time.monotonic() > deadline:
            sys.stdout.write(log.read_text())
            raise SystemExit("the bot did not start")
        time.sleep(0.05)


def answers_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def stop(bot: subprocess.Popen[bytes]) -> None:
    bot.send_signal(signal.SIGTERM)
    try:
        bot.wait(timeout=30)
    except subprocess.TimeoutExpired:
        bot.kill()


def run_ours(args: argparse.Namespace, workdir: Path) -> Run:
    prepare(args.database_url)
    api = FakeBotApi(TOKEN)
    with api.running():
        ports = [free_port() for _ in range(args.workers)]
        bots: list[subprocess.Popen[bytes]] = []
        try:
            for n, port in enumerate(ports):
                folder = workdir / f"worker-{n}"
                folder.mkdir(exist_ok=True)
                bots.append(start_bot(args, api, folder, port, media=workdir / "media"))
                # each worker registers the webhook at its start; a poller asks for updates
                started = (
                    partial(webhooks_at_least, api, n + 1)
                    if args.mode == "webhook"
                    else partial(polled, api)
                )
                wait_started(bots[-1], started, folder / "bot.log")
                # the webhook is registered before the start-up's warm-up ends: not measured
                wait_started(bots[-1], partial(answers_ready, port), folder / "bot.log")
            if args.workers > 1:  # a load balancer spreads the updates over the workers
                api.spread_to = [f"http://127.0.0.1:{port}/telegram/webhook" for port in ports]
            cpu_before = sum(cpu_seconds(bot.pid) for bot in bots)
            calls_before = len(api.calls)
            with profiled(bots[0].pid, args.profile):
                turns, elapsed = asyncio.run(run_users(api, args.users, args.timeout))
            rss = max(peak_rss_mib(bot.pid) for bot in bots)
            cpu = sum(cpu_seconds(bot.pid) for bot in bots) - cpu_before
            settled(api)  # what the last turns sent after their prompt, before counting
        finally:
            for bot in bots:
                stop(bot)
        report_duplicates(api, args.users)
        print(f"  outbox          {outbox_rows(args.database_url, args.users)}")
        return Run(
            turns,
            elapsed,
            cpu,
            rss,
            sorted(api.latencies),
            len(api.messages()),
            api.rate_limited,
            requests_since(api, calls_before),
            requests_by_method(api, calls_before),
        )


def requests_since(api: FakeBotApi, start: int) -> int:
    """Requests to the Bot API (webhook answers carrying a method not counted)."""
    replies = len(api.webhook_replies)
    return sum(1 for call in api.calls[start:] if call[0] != "getupdates") - replies


def requests_by_method(api: FakeBotApi, start: int) -> str:
    """Per method, the requests of the run; webhook answers counted apart."""
    counts: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for name, _, status, _ in api.calls[start:]:
        if name != "getupdates":
            counts[name] += 1
            refused[name] += status != 200
    counts.subtract(Counter(api.webhook_replies))
    parts = [
        f"{name} {count}" + (f" ({refused[name]} refused)" if refused[name] else "")
        for name, count in counts.most_common()
        if count
    ]
    return ", ".join(parts)


def webhooks_at_least(api: FakeBotApi, count: int) -> bool:
    return sum(1 for call in api.calls if call[0] == "setwebhook" and call[2] == 200) >= count


def polled(api: FakeBotApi) -> bool:
    return any(call[0] == "getupdates" for call in api.calls)


def settled(api: FakeBotApi, quiet: float = 1.0, limit: float = 15.0) -> None:
    """Wait until the fake has received no message for ``quiet`` seconds (at most ``limit``):
    a user's last answers may still be on their way when their journey ends."""
    deadline = time.monotonic() + limit
    count, since = len(api.messages()), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.05)
        if len(api.messages()) != count:
            count, since = len(api.messages()), time.monotonic()


def report_duplicates(api: FakeBotApi, users: int) -> None:
    """Every user took the same steps and got the same kinds of answers: a user with more
    messages than the others got one twice (an update processed twice, a row sent twice)."""
    counts = Counter(len(api.messages(FIRST_USER + n)) for n in range(users))
    usual = counts.most_common(1)[0][0]
    more = sum(n for length, n in counts.items() if length > usual)
    fewer = sum(n for length, n in counts.items() if length < usual)
    twice = sum(1 for _, status in api.deliveries if status == 200) - len(
        {update for update, status in api.deliveries if status == 200}
    )
    print(
        f"  duplicates      users with more messages than the usual {usual}: {more}, "
        f"with fewer: {fewer}; updates answered 200 twice: {twice}"
    )


def run_peer(args: argparse.Namespace, workdir: Path) -> Run:
    folder = workdir / "peer"
    folder.mkdir()
    api = FakeBotApi(TOKEN)
    with api.running():
        env = {
            **os.environ,
            "PEER_TOKEN": TOKEN,
            "PEER_API_URL": api.api_url,
            "PEER_FILE_URL": api.file_url,
            "PEER_DIR": str(folder),
        }
        log = folder / "peer.log"
        bot = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "peer_bot.py")],
            cwd=folder,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        try:
            wait_started(bot, lambda: "getupdates" in {c[0] for c in api.calls}, log)
            cpu_before = cpu_seconds(bot.pid)
            calls_before = len(api.calls)
            turns, elapsed = asyncio.run(run_users(api, args.users, args.timeout))
            rss = peak_rss_mib(bot.pid)
            cpu = cpu_seconds(bot.pid) - cpu_before
        finally:
            bot.send_signal(signal.SIGINT)  # run_polling stops on SIGINT, persisting once
            try:
                bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.kill()
        return Run(
            turns,
            elapsed,
            cpu,
            rss,
            sorted(api.latencies),
            len(api.messages()),
            api.rate_limited,
            requests_since(api, calls_before),
            requests_by_method(api, calls_before),
        )


def report(name: str, run: Run) -> None:
    latencies = run.latencies
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(f"  {name}")
    print(
        f"    turns           {run.turns} in {run.elapsed:.1f} s"
        f" = {run.turns_per_second:.0f} turns/s"
    )
    print(f"    delivery->reply p50 {p50:.1f} ms, p99 {p99:.1f} ms ({len(latencies)} turns)")
    print(f"    messages sent   {run.messages}, 429s {run.rate_limited}")
    print(
        f"    Bot API requests {run.requests} ({run.requests / run.turns:.2f} a turn; "
        "getUpdates apart)"
    )
    if run.by_method:
        print(f"    by method       {run.by_method}")
    print(
        f"    bot peak RSS    {run.rss:.0f} MiB, CPU {run.cpu:.1f} s "
        f"({run.cpu_ms_a_turn:.1f} ms a turn)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp dir")
    parser.add_argument("--per-chat-interval", type=float, default=0.0)
    parser.add_argument("--per-second", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="per step, seconds")
    parser.add_argument("--peer", action="store_true", help="run the PTB peer first")
    parser.add_argument("--workers", type=int, default=1, help="claimbot serve processes")
    parser.add_argument("--profile", metavar="FILE", help="py-spy our bot into FILE (raw)")
    parser.add_argument(
        "--mode", choices=("webhook", "polling"), default="webhook", help="how ours gets updates"
    )
    args = parser.parse_args()
    if args.mode == "polling" and args.workers != 1:
        parser.error("Telegram gives updates to one poller: --mode polling with one worker")
    print(f"load average at start {load_average()}")
    with tempfile.TemporaryDirectory(prefix="claimbot-bench-tg-") as tmp:
        workdir = Path(tmp)
        peer = run_peer(args, workdir) if args.peer else None
        args.database_url = args.database_url or f"sqlite:///{workdir}/bench.db"
        ours = run_ours(args, workdir)
        claims = claims_filed(args.database_url)
    engine = args.database_url.split(":", 1)[0]
    print(
        f"telegram, {args.users} users, pacing "
        f"{args.per_chat_interval}s/chat {args.per_second or 'unlimited'}/s"
    )
    if peer is not None:
        report("peer (python-telegram-bot, ConversationHandler + PicklePersistence, polling)", peer)
    report(f"ours ({args.workers} x claimbot serve, {args.mode}, {engine})", ours)
    print(f"  claims filed    {claims}")
    print(f"load average at end {load_average()}")
    if args.profile:
        print_top(Path(args.profile))
    if peer is not None:
        print(
            f"ratio {ours.turns_per_second / peer.turns_per_second:.2f} "
            f"(ours {ours.turns_per_second:.0f} turns/s, peer {peer.turns_per_second:.0f} turns/s, "
            f"our CPU {ours.cpu_ms_a_turn:.1f} ms a turn)"
        )
    return 0 if claims >= args.users else 1


if __name__ == "__main__":
    sys.exit(main())
