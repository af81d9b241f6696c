"""Free-slot search latency: 50 shops, the next 14 days, 10,000 existing bookings.

One search is what an owner's shop list costs: in one read transaction, load the staffed
shops (hours, closed days, ratings), the bookings overlapping the next 14 days, each shop's
earliest free slot, and the ranking (``booking_services.search_shops``). A second figure
is one shop's slot page (``shop_slots``, 9 free slots). Prints p50/p99/max.

    .venv/bin/python bench/slots.py
    .venv/bin/python bench/slots.py --database postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # bench/ would shadow `telegram`

from sqlalchemy import insert, text  # noqa: E402

from domain import booking_services as svc  # noqa: E402
from domain.booking import BookingRules  # noqa: E402
from domain.geo import GeoPoint  # noqa: E402
from domain.ranking import Need  # noqa: E402
from domain.slots import candidate_slots  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.tables.booking import booking_t  # noqa: E402
from storage.tables.core import party_t, shop_staff_t, shop_t  # noqa: E402

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai
ORIGIN = GeoPoint(31.2304, 121.4737)
HOURS = (
    {"mon-fri": "08:30-18:00", "sat": "09:00-15:00"},
    {"mon-sat": "09:00-19:00"},
    {"daily": "08:00-12:00,13:00-20:00"},
)
MAKES = ("Volkswagen", "Toyota", "Honda", "Audi", "BYD", "Tesla")


def populate(database: Database, shops: int, bookings: int, rng: random.Random) -> None:
    with database.unit_of_work() as uow:
        conn = uow.connection
        for n in range(shops):
            shop_id = conn.execute(
                insert(shop_t).returning(shop_t.c.id),
                {
                    "code": f"SHOP-{n:03d}",
                    "name": f"Shop {n}",
                    "address": f"Road {n}",
                    "lat": ORIGIN.lat + rng.uniform(-0.2, 0.2),
                    "lon": ORIGIN.lon + rng.uniform(-0.2, 0.2),
                    "makes": rng.sample(MAKES, 2),
                    "services": ["collision", "maintenance"],
                    "rating": round(rng.uniform(3.5, 5.0), 1),
                    "bays": rng.choice((2, 3, 4, 6)),
                    "slot_minutes": rng.choice((30, 60, 90)),
                    "hours": HOURS[n % len(HOURS)],
                    "timezone": "Asia/Shanghai",
                },
            ).scalar_one()
            party = conn.execute(
                insert(party_t).returning(party_t.c.id),
                {"kind": "shop_staff", "name": f"staff {n}", "locale": None, "created_at": NOW},
            ).scalar_one()
            conn.execute(
                insert(shop_staff_t), {"shop_id": shop_id, "name": "staff", "party_id": party}
            )
        owner = conn.execute(
            insert(party_t).returning(party_t.c.id),
            {"kind": "owner", "name": "owner", "locale": None, "created_at": NOW},
        ).scalar_one()
        rules = BookingRules()
        all_shops = uow.shops.all()
        rows = []
        for index in range(bookings):
            shop = all_shops[index % len(all_shops)]
            slots = list(candidate_slots(shop, NOW, rules.slots))
            slot = rng.choice(slots)
            rows.append(
                {
                    "kind": "maintenance",
                    "status": rng.choice(("held", "confirmed", "confirmed", "cancelled")),
                    "shop_id": shop.id,
                    "owner_party_id": owner,
                    "plate": f"沪A{index:05d}",
                    "slot_start": slot.start,
                    "slot_end": slot.end,
                    "reschedules": 0,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
        conn.execute(insert(booking_t), rows)
        uow.commit()


def measure(runs: int, action: Callable[[], object]) -> list[float]:
    action()  # warm caches (statements, zoneinfo)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def report(name: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{name:<34} runs {len(ordered):>5}  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  "
        f"max {ordered[-1]:6.2f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=50)
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--database", help="a database URL (default: a new SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/slots.db"
        upgrade(url)
        database = Database(url)
        if database.is_postgres:
            with database.engine.begin() as conn:
                conn.execute(text("TRUNCATE booking, shop_staff, shop, party CASCADE"))
        populate(database, args.shops, args.bookings, random.Random(7))
        rules = BookingRules()
        need = Need("maintenance", ORIGIN, "Volkswagen")

        def search() -> object:
            with database.unit_of_work() as uow:
                return svc.search_shops(uow, need, NOW, rules)

        def one_shop() -> object:
            with database.unit_of_work() as uow:
                shop = uow.shops.by_code("SHOP-007")
                assert shop is not None
                return svc.shop_slots(uow, shop, NOW, rules, limit=9)

        found = search()
        assert isinstance(found, list) and len(found) == args.shops
        print(
            f"{database.engine.dialect.name}: {args.shops} shops, {args.bookings} bookings, "
            f"{rules.slots.horizon_days} days"
        )
        report("ranked search, all shops", measure(args.runs, search))
        report("one shop's slot page", measure(args.runs, one_shop))
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
