"""In-process turn throughput: N simulated owners complete reports on a file SQLite database.

Each turn goes through the real engine: dedupe, identity, the shared report machine, the
conversation state and the outbox rows, in one transaction. Photos are stored once
beforehand (the media store is not part of a turn), or with `--photos-in-turn` each owner's
own three photos are stored by the media store inside the photo turn, as in production.
Prints turns/s, p50/p99 turn latency, RSS and the load average.

    .venv/bin/python bench/turns.py --owners 1000
    .venv/bin/python bench/turns.py --owners 10000
    .venv/bin/python bench/turns.py --owners 1000 --photos-in-turn
"""

from __future__ import annotations

import argparse
import array
import gc
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.bootstrap import Container, build
from bot.demo import SAMPLE_DIRECTORY, demo_photos
from bot.media_intake import Upload
from bot.settings import Settings
from dialogs.consent import AGREE
from messages.inbound import Inbound, InboundKind, MediaItem
from storage.directory import import_directory
from storage.migrate import upgrade

Step = Callable[[str], Inbound]


def current_rss_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def script(container: Container, photos: tuple[MediaItem, ...]) -> list[Step]:
    def make(kind: InboundKind, text: str = "", **extra: Any) -> Step:
        def step(owner: str) -> Inbound:
            return Inbound(
                channel="web",
                user_id=owner,
                chat_id=owner,
                message_id=uuid.uuid4().hex,
                kind=kind,
                received_at=container.clock.now(),
                text=text,
                language_hint="zh-CN",
                **extra,
            )

        return step

    return [
        make(InboundKind.TEXT, "/report"),  # first contact: the privacy notice
        make(InboundKind.CHOICE, AGREE),
        make(InboundKind.TEXT, "/report"),
        make(InboundKind.TEXT, "沪A12345"),
        make(InboundKind.TEXT, "8001"),
        make(InboundKind.CHOICE, "r:time:now"),
        make(InboundKind.LOCATION, payload={"lat": 31.2304, "lon": 121.4737}),
        make(InboundKind.TEXT, "在路口等红灯时被后车追尾，后保险杠受损。"),
        make(InboundKind.CHOICE, "r:injuries:no"),
        make(InboundKind.CHOICE, "r:drivable:yes"),
        make(InboundKind.CHOICE, "r:has_other:none"),
        make(InboundKind.CHOICE, "r:witnesses:skip"),
        make(InboundKind.CHOICE, "r:police:skip"),
        make(InboundKind.MEDIA, media=photos),
        make(InboundKind.CHOICE, "r:evidence:done"),
        make(InboundKind.CHOICE, "r:summary:confirm"),
    ]


def prepare(workdir: str) -> tuple[Container, tuple[MediaItem, ...]]:
    import yaml

    settings = Settings(
        database_url=f"sqlite:///{workdir}/bench.db", media_dir=Path(workdir) / "media"
    )
    upgrade(settings.database_url)
    container = build(settings)
    with container.database.unit_of_work() as uow:
        import_directory(uow, yaml.safe_load(SAMPLE_DIRECTORY.read_text(encoding="utf-8")))
        uow.commit()
    photos = container.intake.accept([Upload(data, "photo") for data in demo_photos(3)]).items
    return container, photos


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def owner_photos(n: int) -> list[bytes]:
    from tests.media_samples import jpeg_bytes

    return [jpeg_bytes(640, 480, seed=3 * n + k) for k in range(3)]


def run(owners: int, concurrent: int, photos_in_turn: bool) -> None:
    print(f"load average at start {load_average()}")
    with tempfile.TemporaryDirectory(prefix="claimbot-bench-") as workdir:
        container, photos = prepare(workdir)
        steps = script(container, photos)
        photo_step = len(steps) - 3
        latencies = array.array("d")  # 8 bytes a turn, so RSS shows the engine, not us
        rss_midway = 0.0
        filed = 0
        rss_at_start = current_rss_mib()
        started = time.perf_counter()
        for first in range(0, owners, concurrent):
            numbers = range(first, min(first + concurrent, owners))
            batch = [f"bench-owner-{n:08d}" for n in numbers]
            files = {owner: owner_photos(n) for owner, n in zip(batch, numbers, strict=True)}
            for index, step in enumerate(steps):  # the batch's owners take turns
                for owner in batch:
                    inbound = step(owner)
                    t0 = time.perf_counter()
                    if photos_in_turn and index == photo_step:
                        uploads = [Upload(data, "photo") for data in files[owner]]
                        stored = container.intake.accept(uploads).items
                        inbound = replace(inbound, media=stored)
                    outcome = container.engine.process(inbound)
                    latencies.append(time.perf_counter() - t0)
                    filed += sum(1 for r in outcome.replies if r.key == "report.filed")
            if first < owners // 2 <= first + concurrent:
                rss_midway = current_rss_mib()
        elapsed = time.perf_counter() - started
        gc.collect()
        container.close()
    if filed != owners:
        raise SystemExit(f"only {filed} of {owners} reports were filed")
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"owners            {owners} ({concurrent} at a time), all reports filed")
    print(f"turns             {len(latencies)} in {elapsed:.2f} s")
    print(f"throughput        {len(latencies) / elapsed:,.0f} turns/s")
    print(f"latency p50       {quantiles[49] * 1000:.2f} ms")
    print(f"latency p99       {quantiles[98] * 1000:.2f} ms")
    print(f"latency max       {max(latencies) * 1000:.2f} ms")
    print(f"rss start/half/end {rss_at_start:.1f} / {rss_midway:.1f} / {current_rss_mib():.1f} MiB")
    print(f"peak rss          {peak_rss_mib():.1f} MiB")
    where = "stored inside the turn" if photos_in_turn else "stored beforehand"
    print(f"photos            {where}")
    print(f"load average at end {load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--concurrent", type=int, default=100)
    parser.add_argument("--photos-in-turn", action="store_true")
    args = parser.parse_args()
    run(args.owners, args.concurrent, args.photos_in_turn)


if __name__ == "__main__":
    main()
