"""The WeChat callback under load: N concurrent WeChat users, each sending messages one
after another to the real app (``claimbot serve`` in its own process), signed like WeChat
signs them. Prints the time to acknowledge (WeChat waits 5 s; the goal is p99 < 50 ms)
and the end-to-end time until the first customer-service reply reaches the (fake) WeChat
API, which runs in this process on 127.0.0.1.

    .venv/bin/python bench/wechat.py                       # 100 senders x 5 messages
    .venv/bin/python bench/wechat.py --senders 100 --messages 10 --safe
    .venv/bin/python bench/wechat.py --think 0             # no pause: the server's limit
    .venv/bin/python bench/wechat.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.wechat.callback import signature
from storage.migrate import upgrade
from tests.live_server import serve
from tests.wechat.fake_api import APP_ID, APP_SECRET, FakeWeChatAPI
from tests.wechat.simulator import AES_KEY, TOKEN, WeChatSimulator

ROOT = Path(__file__).resolve().parents[1]


class _Clock:
    def now(self) -> Any:
        from datetime import UTC, datetime

        return datetime.now(UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def app_server(env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the app did not start: " + process.stderr.read().decode()[-2000:])  # type: ignore[union-attr]
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


class Load:
    def __init__(self, base: str, api: FakeWeChatAPI, *, safe: bool) -> None:
        self.base = base
        self.safe = safe
        self.ack: list[float] = []
        self.e2e: list[float] = []
        self.errors = 0
        self._arrivals: dict[str, asyncio.Queue[float]] = defaultdict(asyncio.Queue)
        self._loop = asyncio.get_running_loop()
        api.on_send = self._on_send
        self._sealer = WeChatSimulator(
            httpx.Client(), _Clock(), APP_ID, mode="safe" if safe else "plain"
        )

    def _on_send(self, body: dict[str, Any]) -> None:  # a fake API thread
        arrived = time.perf_counter()
        self._loop.call_soon_threadsafe(self._arrivals[body["touser"]].put_nowait, arrived)

    async def sender(self, client: httpx.AsyncClient, n: int, messages: int, think: float) -> None:
        openid = f"oBENCH{n:022d}"
        arrivals = self._arrivals[openid]
        await asyncio.sleep(random.uniform(0, think))  # users do not all start at once
        for m in range(messages):
            xml = self._sealer.xml(openid, "text", {"Content": "/help", "MsgId": f"{n}{m:04d}"})
            stamp, nonce = str(int(time.time())), secrets.token_hex(5)
            params = {
                "signature": signature(TOKEN, stamp, nonce),
                "timestamp": stamp,
                "nonce": nonce,
            }
            body = xml.encode()
            if self.safe:
                body, params = self._sealer.encrypt(xml, params)
            while not arrivals.empty():  # replies to the previous message
                arrivals.get_nowait()
            started = time.perf_counter()
            response = await client.post("/wechat/callback", params=params, content=body)
            self.ack.append(time.perf_counter() - started)
            if response.status_code != 200 or response.text != "success":
                self.errors += 1
                continue
            try:
                first_reply = await asyncio.wait_for(arrivals.get(), timeout=60)
            except TimeoutError:
                self.errors += 1
                continue
            self.e2e.append(first_reply - started)
            # wait for the second reply (the prompt), read it, type the next message
            await asyncio.wait_for(arrivals.get(), timeout=60)
            await asyncio.sleep(random.uniform(0.5, 1.5) * think)


def _figures(name: str, values: list[float]) -> str:
    q = statistics.quantiles(values, n=100, method="inclusive")
    return (
        f"{name:<22} p50 {q[49] * 1000:7.1f} ms   p99 {q[98] * 1000:7.1f} ms"
        f"   max {max(values) * 1000:7.1f} ms"
    )


async def drive(base: str, api: FakeWeChatAPI, args: argparse.Namespace) -> Load:
    load = Load(base, api, safe=args.safe)
    limits = httpx.Limits(max_connections=args.senders, max_keepalive_connections=args.senders)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for _ in range(0, args.senders, 10):  # open the connections (not measured)
            await asyncio.gather(*(client.get("/health") for _ in range(10)))
        await asyncio.gather(
            *(load.sender(client, n, args.messages, args.think) for n in range(args.senders))
        )
    return load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=100)
    parser.add_argument("--messages", type=int, default=5, help="messages per sender")
    parser.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="mean seconds a user takes to read the answer and type again (0: no pause)",
    )
    parser.add_argument("--safe", action="store_true", help="AES safe mode")
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--per-second", type=float, help="CLAIMBOT_WECHAT_PER_SECOND")
    args = parser.parse_args()

    api = FakeWeChatAPI()
    with tempfile.TemporaryDirectory(prefix="claimbot-wechat-bench-") as workdir:
        url = args.database_url or f"sqlite:///{workdir}/bench.db"
        upgrade(url)
        with serve(api.app()) as api_base:
            env = {
                "CLAIMBOT_DATABASE_URL": url,
                "CLAIMBOT_MEDIA_DIR": f"{workdir}/media",
                "CLAIMBOT_WECHAT_APP_ID": APP_ID,
                "CLAIMBOT_WECHAT_APP_SECRET": APP_SECRET,
                "CLAIMBOT_WECHAT_TOKEN": TOKEN,
                "CLAIMBOT_WECHAT_API_URL": f"{api_base}/cgi-bin/",
            }
            if args.safe:
                env["CLAIMBOT_WECHAT_AES_KEY"] = AES_KEY
            if args.per_second is not None:
                env["CLAIMBOT_WECHAT_PER_SECOND"] = str(args.per_second)
            with app_server(env) as base:
                started = time.perf_counter()
                load = asyncio.run(drive(base, api, args))
                elapsed = time.perf_counter() - started
    total = args.senders * args.messages
    mode = "safe (AES)" if args.safe else "plaintext"
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"senders x messages     {args.senders} x {args.messages} = {total}, {mode}, {database}")
    print(f"think time             {args.think:.1f} s on average between answer and next message")
    print(f"elapsed                {elapsed:.1f} s ({total / elapsed:.0f} messages/s answered)")
    print(_figures("acknowledge", load.ack))
    print(_figures("first reply (e2e)", load.e2e))
    print(f"errors                 {load.errors}")
    print(f"customer-service sends {len(api.messages)}")


if __name__ == "__main__":
    main()
