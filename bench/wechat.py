"""The WeChat callback under load: N concurrent WeChat users, each sending messages one
after another to the real app (``claimbot serve`` in its own process), signed like WeChat
signs them. Prints the time to acknowledge (WeChat waits 5 s; the goal is p99 < 50 ms)
and the end-to-end time until the first customer-service reply reaches the (fake) WeChat
API, which runs in this process on 127.0.0.1; the users run in a process of their own.
Also prints the server's CPU time during the load.

    .venv/bin/python bench/wechat.py                       # 100 senders x 5 messages
    .venv/bin/python bench/wechat.py --senders 100 --messages 10 --safe
    .venv/bin/python bench/wechat.py --think 0             # no pause: the server's limit
    .venv/bin/python bench/wechat.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python bench/wechat.py --profile /tmp/wechat.txt  # py-spy, raw folded stacks
    .venv/bin/python bench/wechat.py --burners 2 --database-url …  # beside 2 CPU burners

``--burners N`` starts N processes that spin on the CPU for the whole run (a loaded
machine: on 2 cores, 2 burners bring the load average to about 2 before the load starts);
the load average is printed at the start of the load and at its end.

Each run uses new openids and MsgIds, so a database can be reused between runs (the
callback would otherwise answer every message as a retry of the previous run's).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import queue
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.profiling import profiled
from bot.channels.wechat.callback import signature
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
def app_server(env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """``claimbot serve`` in its own process; its log goes to ``log`` (a pipe nobody reads
    would fill up and stop the server)."""
    port = _free_port()
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=log_file,
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
                raise SystemExit("the app did not start: " + log.read_text()[-2000:])
            time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Load:
    """The senders, in a process of their own (``load_process``): in the process of the
    fake API they would wait for its thread and their figures would include that wait.
    The API's process reports each send's arrival (``time.perf_counter``: the system's
    monotonic clock on Linux, the same in every process) through ``arrivals``."""

    def __init__(self, base: str, arrivals: Queue[tuple[str, float] | None], *, safe: bool):
        self.base = base
        self.safe = safe
        self.run = secrets.randbelow(10**6)  # makes this run's openids and MsgIds new
        self.ack: list[float] = []
        self.e2e: list[float] = []
        self.errors = 0
        self._arrivals: dict[str, asyncio.Queue[float]] = defaultdict(asyncio.Queue)
        self._loop = asyncio.get_running_loop()
        self._reader = threading.Thread(target=self._read, args=(arrivals,), daemon=True)
        self._reader.start()
        self._sealer = WeChatSimulator(
            httpx.Client(), _Clock(), APP_ID, mode="safe" if safe else "plain"
        )

    def _read(self, arrivals: Queue[tuple[str, float] | None]) -> None:
        while (item := arrivals.get()) is not None:
            openid, arrived = item
            try:
                self._loop.call_soon_threadsafe(self._arrivals[openid].put_nowait, arrived)
            except RuntimeError:  # the load is over and its loop closed
                return

    async def sender(self, client: httpx.AsyncClient, n: int, messages: int, think: float) -> None:
        openid = f"oBENCH{self.run:06d}{n:016d}"
        arrivals = self._arrivals[openid]
        await asyncio.sleep(random.uniform(0, think))  # users do not all start at once
        for m in range(messages):
            msg_id = f"{self.run}{n:04d}{m:04d}"
            xml = self._sealer.xml(openid, "text", {"Content": "/help", "MsgId": msg_id})
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
    if len(values) < 2:
        return f"{name:<22} (too few values: {len(values)})"
    q = statistics.quantiles(values, n=100, method="inclusive")
    return (
        f"{name:<22} p50 {q[49] * 1000:7.1f} ms   p99 {q[98] * 1000:7.1f} ms"
        f"   max {max(values) * 1000:7.1f} ms"
    )


async def drive(base: str, arrivals: Queue[tuple[str, float] | None], args: Any) -> Load:
    load = Load(base, arrivals, safe=args.safe)
    limits = httpx.Limits(max_connections=args.senders, max_keepalive_connections=args.senders)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for _ in range(0, args.senders, 10):  # open the connections (not measured)
            await asyncio.gather(*(client.get("/health") for _ in range(10)))
        await asyncio.gather(
            *(load.sender(client, n, args.messages, args.think) for n in range(args.senders))
        )
    return load


def load_process(
    base: str,
    args: argparse.Namespace,
    arrivals: Queue[tuple[str, float] | None],
    results: Queue[tuple[list[float], list[float], int]],
) -> None:
    load = asyncio.run(drive(base, arrivals, args))
    results.put((load.ack, load.e2e, load.errors))


def run_load(base: str, api: FakeWeChatAPI, args: argparse.Namespace) -> Figures:
    context = multiprocessing.get_context("spawn")
    arrivals: Queue[tuple[str, float] | None] = context.Queue()
    results: Queue[tuple[list[float], list[float], int]] = context.Queue()
    api.on_send = lambda body: arrivals.put((body["touser"], time.perf_counter()))
    process = context.Process(target=load_process, args=(base, args, arrivals, results))
    process.start()
    try:
        while True:
            try:
                ack, e2e, errors = results.get(timeout=1)
                break
            except queue.Empty:
                if not process.is_alive():
                    raise SystemExit("the load process stopped without results") from None
    finally:
        arrivals.put(None)
        process.join(timeout=30)
    return Figures(ack, e2e, errors)


def _burn() -> None:
    while True:
        pass


@contextmanager
def burners(count: int, settle: float) -> Iterator[None]:
    """``count`` processes spinning on the CPU; waits ``settle`` seconds for the load
    average to climb before the load starts."""
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_burn, daemon=True) for _ in range(count)]
    for process in processes:
        process.start()
    try:
        if processes:
            time.sleep(settle)
        yield
    finally:
        for process in processes:
            process.kill()
            process.join(timeout=5)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass(frozen=True)
class Figures:
    ack: list[float]
    e2e: list[float]
    errors: int


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
    parser.add_argument("--profile", metavar="FILE", help="py-spy the server into FILE (raw)")
    parser.add_argument("--server-log", metavar="FILE", help="keep the server's log in FILE")
    parser.add_argument("--burners", type=int, default=0, help="CPU-burning processes beside")
    parser.add_argument(
        "--settle", type=float, default=60.0, help="seconds the burners run before the load"
    )
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
            server_log = Path(args.server_log or f"{workdir}/server.log")
            with (
                app_server(env, server_log) as (base, pid),
                burners(args.burners, args.settle),
                profiled(pid, args.profile),
            ):
                load_at_start = load_average()
                cpu_before = _cpu_seconds(pid)
                started = time.perf_counter()
                load = run_load(base, api, args)
                elapsed = time.perf_counter() - started
                server_cpu = _cpu_seconds(pid) - cpu_before
                load_at_end = load_average()
    total = args.senders * args.messages
    mode = "safe (AES)" if args.safe else "plaintext"
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"senders x messages     {args.senders} x {args.messages} = {total}, {mode}, {database}")
    print(f"think time             {args.think:.1f} s on average between answer and next message")
    print(f"elapsed                {elapsed:.1f} s ({total / elapsed:.0f} messages/s answered)")
    print(f"server CPU             {server_cpu:.1f} s ({server_cpu / elapsed:.0%} of one core)")
    print(_figures("acknowledge", load.ack))
    print(_figures("first reply (e2e)", load.e2e))
    print(f"errors                 {load.errors}")
    print(f"customer-service sends {len(api.messages)}")
    print(f"burners                {args.burners}")
    print(f"load average           start {load_at_start}, end {load_at_end}")


if __name__ == "__main__":
    main()
