"""Peak memory of the app under a burst of image uploads: decompression bombs, then the
largest photos it will still decode.

``claimbot serve`` runs in its own process on a fresh SQLite database. ``--requests``
browsers post ``--files`` PNGs each to ``/chat/api/upload`` at once: first 7,999 x 7,999
RGBA bombs (~250 KB each, 244 MiB once decoded), then PNGs just under the decode cap
(decoded, so the number of decodes at a time is what bounds memory). The server's RSS is
sampled every 5 ms; printed: RSS at rest, the peak during each burst, and RSS after it.

    .venv/bin/python bench/image_bomb.py
    .venv/bin/python bench/image_bomb.py --max-decode-mb 1024 --decodes 64   # no real cap
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # bench/ would shadow `telegram`

from bench.wechat import app_server  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.media_samples import png_bomb_bytes  # noqa: E402

MIB = 1024 * 1024


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@contextmanager
def peak_rss(pid: int, peak: list[float]) -> Iterator[None]:
    """Samples the RSS of ``pid`` while the block runs; the maximum lands in ``peak[0]``."""
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mib(pid))
            time.sleep(0.005)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


async def burst(base: str, image: bytes, requests: int, files: int) -> list[str]:
    """``requests`` uploads at once, ``files`` images each; the answers' texts."""

    async def one(client: httpx.AsyncClient) -> str:
        response = await client.post(
            "/chat/api/upload",
            data={"user_id": f"bench-{uuid.uuid4().hex[:12]}", "message_id": uuid.uuid4().hex},
            files=[("files", (f"{n}.png", image, "image/png")) for n in range(files)],
        )
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        return " ".join(m["text"] for m in response.json()["messages"])

    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        return list(await asyncio.gather(*(one(client) for _ in range(requests))))


def largest_png(cap_mib: int) -> bytes:
    """A black RGBA PNG whose decoded size is just under the cap (Pillow holds 4 bytes a pixel)."""
    side = int((cap_mib * MIB / 4) ** 0.5) - 16
    return png_bomb_bytes(side, side, rgba=True)


def phase(name: str, pid: int, base: str, image: bytes, args: argparse.Namespace) -> None:
    peak = [rss_mib(pid)]
    started = time.perf_counter()
    with peak_rss(pid, peak):
        answers = asyncio.run(burst(base, image, args.requests, args.files))
    elapsed = time.perf_counter() - started
    time.sleep(1.0)
    refused = sum("没有收下" in answer for answer in answers)
    kept = sum("已收到" in answer for answer in answers)
    errors = sum(answer.startswith("HTTP") for answer in answers)
    total = args.requests * args.files
    print(f"{name:<28} {total} files in {args.requests} requests, {elapsed:.1f} s")
    print(f"  answers                  {kept} kept, {refused} with refusals, {errors} errors")
    print(f"  peak RSS                 {peak[0]:.0f} MiB")
    print(f"  RSS 1 s after            {rss_mib(pid):.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=8, help="concurrent uploads")
    parser.add_argument("--files", type=int, default=4, help="images per upload")
    parser.add_argument("--max-decode-mb", type=int, default=64, help="CLAIMBOT_MAX_DECODE_MB")
    parser.add_argument("--decodes", type=int, default=2, help="CLAIMBOT_MAX_CONCURRENT_DECODES")
    args = parser.parse_args()

    bomb = png_bomb_bytes(7_999, 7_999, rgba=True)
    largest = largest_png(min(args.max_decode_mb, 200))
    with tempfile.TemporaryDirectory(prefix="claimbot-image-bench-") as workdir:
        url = f"sqlite:///{workdir}/bench.db"
        upgrade(url)
        env = {
            "CLAIMBOT_DATABASE_URL": url,
            "CLAIMBOT_MEDIA_DIR": f"{workdir}/media",
            "CLAIMBOT_MAX_DECODE_MB": str(args.max_decode_mb),
            "CLAIMBOT_MAX_CONCURRENT_DECODES": str(args.decodes),
            "CLAIMBOT_MAX_PHOTO_MB": "10",
            "CLAIMBOT_SCHEDULER_ENABLED": "false",
        }
        with app_server(env, Path(workdir) / "server.log") as (base, pid):
            httpx.get(f"{base}/chat", timeout=10)
            cap = f"{args.max_decode_mb} MiB decoded, {args.decodes} at a time"
            print(f"cap                          {cap}")
            print(f"RSS at rest                  {rss_mib(pid):.0f} MiB")
            phase(f"bombs ({len(bomb) // 1024} KiB each)", pid, base, bomb, args)
            phase(f"largest decodable ({len(largest) // 1024} KiB)", pid, base, largest, args)


if __name__ == "__main__":
    main()
