"""The web chat under load: N simulated users for a fixed time against `claimbot serve`.

The server runs in its own process on a file SQLite database (or --database-url). Each
user does what the browser does: sends the report's steps one after another (typed text,
taps, the location, three photos uploaded together, the confirmation), `--think` seconds
apart (a person reading and typing; 0: back to back, a stress test), and meanwhile polls
for new messages every 3 seconds (chat.js), again and again until the time is up. Every
request's time is measured from the user's side.

    .venv/bin/python bench/webchat.py --users 20 --seconds 30
    .venv/bin/python bench/webchat.py --users 20 --seconds 30 --think 0

Prints requests, p50/p99/max per kind and overall, errors, the server's CPU, and the load
average at the start and end. How a simulated user proves who it is lives in one function
(`identity`), so that a change of the web chat's sign-in changes the bench in one place.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.profiling import print_top, profiled  # noqa: E402
from bench.telegram import cpu_seconds, load_average, prepare  # noqa: E402
from dialogs.consent import AGREE  # noqa: E402
from tests.media_samples import jpeg_bytes  # noqa: E402

POLL_EVERY = 3.0  # seconds, as chat.js


@dataclass
class User:
    """One browser: its identity and the cursor of the messages it has seen."""

    name: str
    client: httpx.AsyncClient
    cursor: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def identity(user: User) -> dict[str, str]:
    """What identifies the simulated user to the web chat, sent with every request.

    Nothing: the server issues a session cookie with the user's first message, and
    `user.client` (its own cookie jar, as a browser has) sends it from then on.
    """
    return {}


@dataclass
class Figures:
    think: float = 1.0
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reports: int = 0


async def timed(
    figures: Figures, kind: str, call: Callable[[], Awaitable[httpx.Response]]
) -> dict[str, Any] | None:
    started = time.perf_counter()
    try:
        response = await call()
    except httpx.HTTPError as exc:
        figures.errors[f"{kind}: {type(exc).__name__}"] += 1
        return None
    figures.times[kind].append(time.perf_counter() - started)
    if response.status_code != 200:
        figures.errors[f"{kind}: HTTP {response.status_code}"] += 1
        return None
    body: dict[str, Any] = response.json()
    return body


def advance(user: User, batch: dict[str, Any] | None) -> None:
    if batch is not None:
        user.cursor = max(user.cursor, int(batch["cursor"]))


async def say(user: User, figures: Figures, kind: str, **fields: Any) -> None:
    await asyncio.sleep(figures.think)
    body = {
        **identity(user),
        "message_id": uuid.uuid4().hex,
        "language": "zh-CN",
        "kind": kind,
        "after": user.cursor,
        **fields,
    }
    batch = await timed(figures, "send", lambda: user.client.post("/chat/api/messages", json=body))
    advance(user, batch)


async def upload(user: User, figures: Figures, photos: list[bytes]) -> None:
    await asyncio.sleep(figures.think)
    data = {**identity(user), "message_id": uuid.uuid4().hex, "after": str(user.cursor)}
    files = [("files", (f"p{n}.jpg", photo, "image/jpeg")) for n, photo in enumerate(photos)]
    batch = await timed(
        figures,
        "upload",
        lambda: user.client.post("/chat/api/upload", data=data, files=files),
    )
    advance(user, batch)


async def report(user: User, figures: Figures, photos: list[bytes]) -> None:
    await say(user, figures, "text", text="/report")
    await say(user, figures, "text", text="沪A12345")
    await say(user, figures, "text", text="8001")
    await say(user, figures, "choice", value="r:time:now")
    await say(user, figures, "location", lat=31.2304, lon=121.4737)
    await say(user, figures, "text", text="等红灯时被追尾，后保险杠受损")
    for value in ("r:injuries:no", "r:drivable:yes", "r:has_other:none"):
        await say(user, figures, "choice", value=value)
    for value in ("r:witnesses:skip", "r:police:skip"):
        await say(user, figures, "choice", value=value)
    await upload(user, figures, photos)
    await say(user, figures, "choice", value="r:evidence:done")
    await say(user, figures, "choice", value="r:summary:confirm")
    figures.reports += 1


async def poller(user: User, figures: Figures, until: float) -> None:
    while time.monotonic() < until:
        await asyncio.sleep(POLL_EVERY)
        params = {**identity(user), "after": str(user.cursor)}

        def get(query: dict[str, str] = params) -> Awaitable[httpx.Response]:
            return user.client.get("/chat/api/messages", params=query)

        advance(user, await timed(figures, "poll", get))


async def browse(base: str, n: int, figures: Figures, seconds: float) -> None:
    until = time.monotonic() + seconds
    photos = [jpeg_bytes(640, 480, seed=100 * n + k) for k in range(3)]
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:  # one cookie jar
        user = User(f"bench-{n:04d}-{uuid.uuid4().hex[:8]}", client)
        await say(user, figures, "choice", value=AGREE)  # the privacy notice, once
        polling = asyncio.create_task(poller(user, figures, until))
        while time.monotonic() < until:
            await report(user, figures, photos)
        await polling


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(database_url: str, workdir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")},
        "PYTHONPATH": str(ROOT),
        "CLAIMBOT_DATABASE_URL": database_url,
        "CLAIMBOT_MEDIA_DIR": str(workdir / "media"),
        # every simulated browser comes from 127.0.0.1 and checks the same plate
        "CLAIMBOT_CHAT_SESSIONS_PER_ADDRESS_HOUR": "1000000",
        "CLAIMBOT_VERIFY_MAX_FAILURES": "1000000",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=(workdir / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )


def wait_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            sys.stdout.write(log.read_text())
            raise SystemExit("the server did not start")
        time.sleep(0.1)


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def summary(name: str, values: list[float]) -> str:
    return (
        f"  {name:<8} {len(values):>6} requests  p50 {statistics.median(values) * 1000:7.1f} ms"
        f"  p99 {quantile(values, 0.99) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"
    )


async def run(base: str, users: int, seconds: float, think: float) -> Figures:
    figures = Figures(think)
    await asyncio.gather(*(browse(base, n, figures, seconds) for n in range(users)))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between steps")
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp dir")
    parser.add_argument("--profile", metavar="FILE", help="py-spy the server into FILE (raw)")
    args = parser.parse_args()
    print(f"load average at start {load_average()}")
    with tempfile.TemporaryDirectory(prefix="claimbot-bench-web-") as tmp:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite:///{workdir}/bench.db"
        prepare(database_url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(database_url, workdir, port)
        try:
            wait_healthy(base, server, workdir / "server.log")
            cpu_before = cpu_seconds(server.pid)
            started = time.perf_counter()
            with profiled(server.pid, args.profile):
                figures = asyncio.run(run(base, args.users, args.seconds, args.think))
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    engine = database_url.split(":", 1)[0]
    every = [t for values in figures.times.values() for t in values]
    turns = len(figures.times["send"]) + len(figures.times["upload"])
    print(f"web chat, {args.users} users for {args.seconds:.0f} s, think {args.think} s, {engine}")
    for kind in ("send", "upload", "poll"):
        if figures.times[kind]:
            print(summary(kind, figures.times[kind]))
    print(summary("all", every))
    print(f"  reports filed {figures.reports}, turns {turns} ({turns / elapsed:.0f} turns/s)")
    print(f"  server CPU {cpu:.1f} s ({cpu / max(turns, 1) * 1000:.1f} ms a turn)")
    errors = sum(figures.errors.values())
    print(f"  errors {errors}" + "".join(f"\n    {k}: {n}" for k, n in figures.errors.items()))
    print(f"load average at end {load_average()}")
    if args.profile:
        print_top(Path(args.profile))
    print(
        f"p99 {quantile(every, 0.99) * 1000:.0f} ms, max {max(every) * 1000:.0f} ms, "
        f"errors {errors}"
    )
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
