"""Web chat load check: N concurrent browsers talk to `claimbot serve` for a while.

Each browser has its own cookie jar, as a real one: its first message opens a server
session, every later request carries the cookie. A browser loops over a short script
(the report started, the plate, a wrong and a right check, /cancel, /help) and polls in
between, for --seconds. Prints requests/s, p50/p99 latency, the error count (any answer
but 200) and the bot process's peak RSS.

    .venv/bin/python bench/webchat.py --users 20 --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's folder comes first on sys.path, where bench/telegram.py
# would shadow the `telegram` library: put the repository there instead.
sys.path[0] = str(ROOT)

from bench.telegram import free_port, peak_rss_mib, prepare  # noqa: E402

SCRIPT = ("报案", "沪A12345", "0000", "8001", "/cancel", "/help")


def start_bot(database_url: str, workdir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")},
        "PYTHONPATH": str(ROOT),
        "CLAIMBOT_DATABASE_URL": database_url,
        "CLAIMBOT_MEDIA_DIR": str(workdir / "media"),
        # every browser comes from 127.0.0.1 here, and each retries checks of one plate
        "CLAIMBOT_CHAT_SESSIONS_PER_ADDRESS_HOUR": "100000",
        "CLAIMBOT_VERIFY_MAX_FAILURES": "100000",
    }
    log = (workdir / "bot.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def browser(base: str, until: float, latencies: list[float], errors: list[str]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        cursor, step = 0, 0
        while time.monotonic() < until:
            body = {
                "message_id": uuid.uuid4().hex,
                "kind": "text",
                "text": SCRIPT[step % len(SCRIPT)],
                "language": "zh-CN",
                "after": cursor,
            }
            for method, url, kwargs in (
                ("POST", "/chat/api/messages", {"json": body}),
                ("GET", "/chat/api/messages", {"params": {"after": cursor}}),
            ):
                started = time.monotonic()
                try:
                    response = await http.request(method, url, **kwargs)
                except httpx.HTTPError as exc:
                    errors.append(f"{method} {url}: {exc!r}")
                    continue
                latencies.append(time.monotonic() - started)
                if response.status_code != 200:
                    errors.append(f"{method} {url}: {response.status_code}")
                    continue
                cursor = max(cursor, response.json()["cursor"])
            step += 1


async def run(base: str, users: int, seconds: float) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    until = time.monotonic() + seconds
    await asyncio.gather(*(browser(base, until, latencies, errors) for _ in range(users)))
    return latencies, errors


def wait_ready(base: str, bot: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if bot.poll() is not None:
            raise SystemExit("the bot exited; see bot.log")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the bot did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="claimbot-webchat-") as tmp:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
        prepare(database_url)
        port = free_port()
        bot = start_bot(database_url, workdir, port)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, bot)
            latencies, errors = asyncio.run(run(base, args.users, args.seconds))
            rss = peak_rss_mib(bot.pid)
        finally:
            bot.send_signal(signal.SIGINT)
            bot.wait(timeout=30)
    ordered = sorted(latencies)
    p99 = ordered[int(len(ordered) * 0.99) - 1] if ordered else float("nan")
    print(f"users {args.users}, {args.seconds:.0f} s: {len(latencies)} requests answered")
    print(f"requests/s {len(latencies) / args.seconds:.1f}")
    print(f"latency p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    print(f"errors {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"bot peak RSS {rss:.0f} MiB")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
