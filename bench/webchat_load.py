"""The web chat under N concurrent users for a fixed time: answers, errors and latency.

``claimbot serve`` runs in its own process on a fresh SQLite database with the sample
directory. Each simulated browser repeats a short conversation over the JSON API — start a
report, plate, phone tail, ``/help``, ``/cancel`` — with ``--think`` seconds between its
messages, and polls for messages after each one, as chat.js does. Every answer that is
not HTTP 200 counts as an error.

    .venv/bin/python bench/webchat_load.py                  # 20 users for 30 s
    .venv/bin/python bench/webchat_load.py --users 50 --seconds 60 --think 0.2
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.wechat import app_server  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.directory import import_directory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

CONVERSATION = ("报案", "沪A12345", "8001", "/help", "/cancel")


def prepare(url: str) -> None:
    upgrade(url)
    database = Database(url)
    try:
        with database.unit_of_work() as uow:
            import_directory(uow, yaml.safe_load((ROOT / "examples/directory.yaml").read_text()))
            uow.commit()
    finally:
        database.dispose()


async def user(client: httpx.AsyncClient, until: float, think: float) -> tuple[list[float], int]:
    user_id = f"load-{uuid.uuid4().hex[:16]}"
    latencies: list[float] = []
    errors = 0
    cursor = 0
    for text in itertools.cycle(CONVERSATION):
        if time.monotonic() >= until:
            break
        body = {"user_id": user_id, "message_id": uuid.uuid4().hex, "kind": "text", "text": text}
        for method in ("POST", "GET"):
            started = time.perf_counter()
            try:
                if method == "POST":
                    response = await client.post(
                        "/chat/api/messages", json={**body, "after": cursor}
                    )
                else:
                    params: dict[str, str | int] = {"user_id": user_id, "after": cursor}
                    response = await client.get("/chat/api/messages", params=params)
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1
                continue
            cursor = max(cursor, response.json()["cursor"])
        await asyncio.sleep(random.uniform(0, 2 * think))
    return latencies, errors


async def load(base: str, users: int, seconds: float, think: float) -> tuple[list[float], int]:
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        until = time.monotonic() + seconds
        results = await asyncio.gather(*(user(client, until, think) for _ in range(users)))
    return [t for latencies, _ in results for t in latencies], sum(e for _, e in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between messages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="claimbot-webchat-load-") as workdir:
        url = f"sqlite:///{workdir}/bench.db"
        prepare(url)
        env = {"CLAIMBOT_DATABASE_URL": url, "CLAIMBOT_MEDIA_DIR": f"{workdir}/media"}
        with app_server(env, Path(workdir) / "server.log") as (base, _):
            started = time.perf_counter()
            latencies, errors = asyncio.run(load(base, args.users, args.seconds, args.think))
            elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(f"users x time           {args.users} x {args.seconds:.0f} s, think {args.think:.1f} s")
    print(f"requests               {len(latencies)} ({len(latencies) / elapsed:.0f}/s)")
    print(f"latency                p50 {q[49] * 1000:.1f} ms   p99 {q[98] * 1000:.1f} ms")
    print(f"errors                 {errors}")


if __name__ == "__main__":
    main()
