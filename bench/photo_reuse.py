"""Photo reuse at a claim's filing: the near photos of one claim among N earlier claims.

Fills a file SQLite database with ``--claims`` claims of 3 photos each over the year's
look-back (random pHashes, seeded; about 2 % of the photos are resent copies a few bits
off an earlier photo), then for ``--filings`` of those claims times
``FraudQueries.photo_matches`` (the lookup through the pHash bands) and
``photo_matches_by_scan`` (every hashed photo of the window compared in Python, the way
before the bands), each in its own unit of work as at a filing, and checks that both
find the same photos. Prints p50/p99 per filing and the load average.

    .venv/bin/python bench/photo_reuse.py --claims 1000
    .venv/bin/python bench/photo_reuse.py --claims 20000

``--postgres URL`` (an empty database of a server, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) runs it in a new database there
instead, ANALYZEd after the fill, and drops that database at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # bench/ would shadow `telegram`

import yaml  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from domain.claim import Claim  # noqa: E402
from domain.evidence import Evidence, MediaKind, PhotoRole  # noqa: E402
from domain.fraud_signals import PhotoMatch  # noqa: E402
from domain.geo import GeoPoint  # noqa: E402
from domain.report import OtherVehicle, ReportDraft, ReportItem  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.media.types import StoredMedia  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.read_models.fraud import FraudQueries  # noqa: E402
from storage.repositories.directory import import_directory  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
LOOKBACK = timedelta(days=365)
DISTANCE = 6  # the default fraud_phash_distance


def fill(db: Database, claims: int, rng: random.Random) -> list[str]:
    """``claims`` claims of 3 hashed photos each, reported over the last 360 days."""
    directory = yaml.safe_load((ROOT / "examples" / "directory.yaml").read_text("utf-8"))
    numbers = []
    hashes: list[int] = []
    with db.unit_of_work() as uow:
        import_directory(uow, directory)
        owner = uow.parties.resolve("telegram", "bench-owner").id
        policy = uow.policies.by_number("PDAA20260001")
        assert policy is not None
        for n in range(claims):
            evidence = []
            for k in range(3):
                if hashes and rng.random() < 0.02:  # a resent copy, 0-8 bits off
                    phash = rng.choice(hashes)
                    for bit in rng.sample(range(64), rng.randrange(0, 9)):
                        phash ^= 1 << bit
                else:
                    phash = rng.getrandbits(64)
                hashes.append(phash)
                digest = f"{n * 3 + k:064x}"
                stored = StoredMedia(
                    digest, "photo", "image/jpeg", 1000, f"{digest[:2]}/{digest[2:4]}/{digest}.jpg",
                    1600, 1200, None, None, None, f"{phash:016x}",
                )
                evidence.append(
                    Evidence(uow.media.add(stored), MediaKind.PHOTO, list(PhotoRole)[k])
                )
            reported = NOW - timedelta(days=360 * (claims - n) / claims)
            report = ReportDraft(
                policy_number=policy.number, plate=policy.plate,
                accident_at=NOW - timedelta(hours=1), location=GeoPoint(31.23, 121.47),
                address="上海市黄浦区人民大道 200 号", description="追尾", injuries=False,
                drivable=True, rescue_requested=False, other_vehicles=[OtherVehicle("沪B99999")],
                witnesses=None, police_report_no=None, evidence=evidence, evidence_done=True,
                skipped={ReportItem.WITNESSES, ReportItem.POLICE},
            )
            number = f"BA{reported:%Y%m%d}{n:06d}"
            uow.claims.add(Claim.file(number, report, policy, owner, reported, "bench"))
            numbers.append(number)
        uow.commit()
    return numbers


def timed(db: Database, numbers: list[str], lookup: str) -> tuple[list[float], int]:
    """Milliseconds per filing, and the matches found in all."""
    times, found = [], 0
    for number in numbers:
        start = time.perf_counter()
        with db.unit_of_work() as uow:
            matches: Callable[[str, datetime, int], list[PhotoMatch]] = getattr(
                FraudQueries(uow.connection), lookup
            )
            found += len(matches(number, NOW - LOOKBACK, DISTANCE))
        times.append((time.perf_counter() - start) * 1000)
    return times, found


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@contextmanager
def database_url(postgres: str | None) -> Iterator[str]:
    """A new SQLite file, or a new database on the PostgreSQL server of ``postgres``."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    admin_url = make_url(postgres)
    name = f"claimbot_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--filings", type=int, default=200, help="claims looked up, each once")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--postgres", help="a PostgreSQL server's URL instead of SQLite")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"load average at start: {load()}")
    with database_url(args.postgres) as url:
        upgrade(url)
        db = Database(url)
        start = time.perf_counter()
        numbers = fill(db, args.claims, rng)
        if db.is_postgres:
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        print(f"filled {args.claims} claims x 3 photos in {time.perf_counter() - start:.1f} s")
        checked = rng.sample(numbers, min(args.filings, len(numbers)))
        with db.unit_of_work() as uow:
            queries = FraudQueries(uow.connection)
            for number in checked:
                banded = queries.photo_matches(number, NOW - LOOKBACK, DISTANCE)
                scanned = queries.photo_matches_by_scan(number, NOW - LOOKBACK, DISTANCE)
                assert banded == scanned, number
        lookups = ("photo_matches_by_scan", "photo_matches")
        rows = [(name, *timed(db, checked, name)) for name in lookups]
        db.dispose()
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{engine}: {args.filings} filings among {args.claims} claims, distance {DISTANCE},")
    print("both lookups found the same matches for every filing")
    print(f"{'lookup':<24} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'matches':>8}")
    for name, times, found in rows:
        q = statistics.quantiles(times, n=100, method="inclusive")
        print(f"{name:<24} {q[49]:>8.2f} {q[98]:>8.2f} {max(times):>8.2f} {found:>8}")
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
