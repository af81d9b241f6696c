"""In-process turn throughput: N simulated owners complete reports on a file SQLite database.

Each turn goes through the real engine: dedupe, identity, the shared report machine, the
conversation state and the outbox rows, in one transaction. Each owner has a policy of
their own (plate and phone) and three photos of their own, as real owners do: shared
photos or one plate for every owner would make each filing find every earlier claim as a
reused photo or a repeat claim. The photos are stored beforehand, outside the timed turns
(the media store is not part of a turn), or with `--photos-in-turn` by the media store
inside the photo turn, as in production. Making the owners' JPEGs is never timed.
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

sys.path[0] = str(Path(__file__).resolve().parents[1])  # bench/ would shadow `telegram`

from bot.bootstrap import Container, build  # noqa: E402
from bot.cli.demo import SAMPLE_DIRECTORY, demo_photos  # noqa: E402
from bot.media_intake import Upload  # noqa: E402
from bot.settings import Settings  # noqa: E402
from dialogs.consent import AGREE  # noqa: E402
from messages.inbound import Inbound, InboundKind, MediaItem  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.repositories.directory import import_directory  # noqa: E402

Step = Callable[[str], Inbound]
CONSENT_STEPS = 2  # a first contact: a message answered by the privacy notice, then "agree"


def current_rss_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scripts(container: Container, photos: tuple[MediaItem, ...]) -> list[list[Step]]:
    """Owners of three kinds, in turn: one who taps the buttons, one who says the facts in
    the description, one who types every answer. Each step is one owner action."""

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

    def plate(owner: str) -> Inbound:
        return make(InboundKind.TEXT, owner_plate(owner_number(owner)))(owner)

    def phone_tail(owner: str) -> Inbound:
        return make(InboundKind.TEXT, owner_phone(owner_number(owner))[-4:])(owner)

    opening = [plate, phone_tail]
    place = make(InboundKind.LOCATION, payload={"lat": 31.2304, "lon": 121.4737})
    buttons = [  # at the scene: the location shared when asked the time
        make(InboundKind.TEXT, "/report"),
        *opening,
        place,
        make(InboundKind.TEXT, "倒车时撞到路边护栏，后保险杠受损。"),
        make(InboundKind.CHOICE, "r:injuries:all_fine"),
        make(InboundKind.CHOICE, "r:witnesses:skip"),
        make(InboundKind.MEDIA, media=photos),
        make(InboundKind.CHOICE, "r:summary:confirm"),
    ]
    facts_told = [
        make(InboundKind.TEXT, "撞车了"),
        *opening,
        make(InboundKind.TEXT, "刚刚"),
        place,
        make(InboundKind.TEXT, "倒车时撞到护栏，后保险杠受损，没人受伤，车还能开"),
        make(InboundKind.MEDIA, media=photos),
        make(InboundKind.CHOICE, "r:summary:confirm"),
    ]
    typed = [
        make(InboundKind.TEXT, "出险了"),
        *opening,
        make(InboundKind.TEXT, "10分钟前"),
        make(InboundKind.TEXT, "浦东新区世纪大道100号"),
        make(InboundKind.TEXT, "倒车时撞到路边护栏，后保险杠受损。"),
        make(InboundKind.TEXT, "没人受伤，车能开，没有其他车"),
        make(InboundKind.MEDIA, media=photos),
        make(InboundKind.TEXT, "确认"),
    ]
    # First contact: the privacy notice answers the first message and is agreed to once;
    # not counted among a report's owner actions (CONSENT_STEPS are taken off).
    # A greeting, not a report: what is held until they agree is answered then, and each
    # style's own first action starts the report.
    consent = [make(InboundKind.TEXT, "你好"), make(InboundKind.CHOICE, AGREE)]
    return [[*consent, *style] for style in (buttons, facts_told, typed)]


def owner_name(n: int) -> str:
    return f"bench-owner-{n:08d}"


def owner_number(owner: str) -> int:
    return int(owner.rsplit("-", 1)[1])


def owner_plate(n: int) -> str:
    return f"沪A{n:05d}"


def owner_phone(n: int) -> str:
    return f"138{n:08d}"


def owner_policies(owners: int, template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            **template,
            "number": f"PDBENCH{n:08d}",
            "plate": owner_plate(n),
            "phone": owner_phone(n),
            "vehicle": {**template["vehicle"], "vin": f"LSVBENCH{n:09d}"},
        }
        for n in range(owners)
    ]


def prepare(workdir: str, owners: int) -> tuple[Container, tuple[MediaItem, ...]]:
    import yaml

    settings = Settings(
        database_url=f"sqlite:///{workdir}/bench.db", media_dir=Path(workdir) / "media"
    )
    upgrade(settings.database_url)
    container = build(settings)
    directory = yaml.safe_load(SAMPLE_DIRECTORY.read_text(encoding="utf-8"))
    directory["policies"] += owner_policies(owners, directory["policies"][0])
    with container.database.unit_of_work() as uow:
        import_directory(uow, directory)
        uow.commit()
    photos = container.intake.accept([Upload(data, "photo") for data in demo_photos(3)]).items
    return container, photos


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def owner_photos(n: int) -> list[bytes]:
    """Three photos of the owner's own car: pictures unlike anyone else's (a coarse random
    pattern), so their perceptual hashes differ as real accident photos do."""
    return [distinct_jpeg(3 * n + k) for k in range(3)]


def distinct_jpeg(seed: int) -> bytes:
    import io
    import random

    from PIL import Image

    rng = random.Random(seed)
    coarse = Image.new("RGB", (16, 12))
    coarse.putdata(
        [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(192)]
    )
    buffer = io.BytesIO()
    coarse.resize((640, 480), Image.Resampling.BILINEAR).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def store(container: Container, files: list[bytes]) -> tuple[MediaItem, ...]:
    return container.intake.accept([Upload(data, "photo") for data in files]).items


def run(owners: int, concurrent: int, photos_in_turn: bool) -> None:
    print(f"load average at start {load_average()}")
    with tempfile.TemporaryDirectory(prefix="claimbot-bench-") as workdir:
        container, photos = prepare(workdir, owners)
        styles = scripts(container, photos)
        untimed = 0.0  # making and (unless --photos-in-turn) storing the owners' photos
        latencies = array.array("d")  # 8 bytes a turn, so RSS shows the engine, not us
        rss_midway = 0.0
        filed = 0
        rss_at_start = current_rss_mib()
        started = time.perf_counter()
        for first in range(0, owners, concurrent):
            numbers = range(first, min(first + concurrent, owners))
            batch = [owner_name(n) for n in numbers]
            t0 = time.perf_counter()
            files = {owner: owner_photos(n) for owner, n in zip(batch, numbers, strict=True)}
            stored_before = (
                {} if photos_in_turn else {o: store(container, f) for o, f in files.items()}
            )
            untimed += time.perf_counter() - t0
            pairs = list(zip(batch, numbers, strict=True))
            plans = {owner: styles[n % len(styles)] for owner, n in pairs}
            for index in range(max(len(steps) for steps in styles)):
                # the batch's owners take turns, as concurrent chats would
                for owner in (o for o in batch if index < len(plans[o])):
                    inbound = plans[owner][index](owner)
                    photo_step = len(plans[owner]) - 2  # the photos, then the confirmation
                    t0 = time.perf_counter()
                    if index == photo_step:
                        own = (
                            store(container, files[owner])
                            if photos_in_turn
                            else stored_before[owner]
                        )
                        inbound = replace(inbound, media=own)
                    outcome = container.engine.process(inbound)
                    latencies.append(time.perf_counter() - t0)
                    filed += sum(1 for r in outcome.replies if r.key == "report.filed")
            if first < owners // 2 <= first + concurrent:
                rss_midway = current_rss_mib()
        elapsed = time.perf_counter() - started - untimed
        gc.collect()
        container.close()
    if filed != owners:
        raise SystemExit(f"only {filed} of {owners} reports were filed")
    quantiles = statistics.quantiles(latencies, n=100)
    actions = [len(styles[n % len(styles)]) - CONSENT_STEPS for n in range(owners)]
    print(f"owners            {owners} ({concurrent} at a time), all reports filed")
    print(
        f"owner actions     median {statistics.median(actions):g} a report "
        f"(buttons {len(styles[0]) - CONSENT_STEPS}, "
        f"facts in the description {len(styles[1]) - CONSENT_STEPS}, "
        f"all typed {len(styles[2]) - CONSENT_STEPS}; after the privacy notice, agreed once)"
    )
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
