"""Capacity is decided in the database transaction: owners racing for the last bay of a
slot, on SQLite and PostgreSQL, through the real engine and storage in threads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from bot.bootstrap import Container
from domain import booking_services as svc
from domain.booking import BookingKind, BookingRules, SlotFull
from domain.slots import TimeSlot
from storage.db import Database
from tests.booking_support import WebUser, book_maintenance
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock

SHOP = "SHOP-XH-02"  # two bays, 90-minute slots
RACERS = 6
T = TypeVar("T")


@pytest.fixture
def container(database: Database, tmp_path: Path) -> Iterator[Container]:
    built = make_container(database, tmp_path / "media", FixedClock())
    import_sample(built)
    yield built
    built.close()


def race(actions: list[Callable[[], T]]) -> list[T]:
    """Run the actions in threads released together; re-raise the first error."""
    barrier = threading.Barrier(len(actions))
    results: list[T | None] = [None] * len(actions)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = actions[index]()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


def holding(container: Container, start: datetime) -> int:
    with container.database.unit_of_work() as uow:
        shop = uow.shops.by_code(SHOP)
        assert shop is not None
        slot = TimeSlot(start, start + timedelta(minutes=shop.slot_minutes))
        return uow.bookings.overlapping(shop.id, slot)


def test_owners_racing_through_the_chat_never_overbook_the_last_bay(
    container: Container,
) -> None:
    key = book_maintenance(WebUser(container, user_id="owner-first"), SHOP)  # one bay left
    racers = [WebUser(container, user_id=f"owner-racer-{n}") for n in range(RACERS)]
    for racer in racers:  # each at the review of the same slot, not holding anything yet
        racer.text("/book")
        racer.text("沪A12345")
        racer.text("8001")
        racer.choose("b:noloc")
        racer.choose(f"b:shop:{SHOP}")
        assert racer.choose(f"b:slot:{key}") == ["booking.ask.review"]

    answers = race([lambda r=racer: r.choose("b:send") for racer in racers])

    assert sorted(a[0] for a in answers) == ["booking.refusal.slot_full"] * (RACERS - 1) + [
        "booking.requested"
    ]
    start = datetime.strptime(key, "%Y%m%d%H%M").replace(tzinfo=UTC)
    assert holding(container, start) == 2
    losers = [r for r, a in zip(racers, answers, strict=True) if a[0] != "booking.requested"]
    assert all(f"b:slot:{key}" not in r.choices("booking.ask.slot") for r in losers)


def test_concurrent_requests_hold_exactly_the_free_bays(container: Container) -> None:
    """The service on the real storage, many requests at once for one slot: as many succeed
    as there are bays, whatever the interleaving."""
    rules = BookingRules()
    now = container.clock.now()
    with container.database.unit_of_work() as uow:
        shop = uow.shops.by_code(SHOP)
        assert shop is not None
        first = svc.shop_slots(uow, shop, now, rules, limit=1)[0].slot
    owners = [WebUser(container, user_id=f"owner-svc-{n}").party_id() for n in range(RACERS)]

    def request(owner_id: int) -> str:
        with container.database.unit_of_work() as uow:
            request = svc.BookingRequest(BookingKind.MAINTENANCE, SHOP, first.start)
            try:
                svc.request_booking(uow, request, owner_id, now, rules)
            except SlotFull:
                return "full"
            uow.commit()
            return "held"

    outcomes = race([lambda o=owner: request(o) for owner in owners])
    assert sorted(outcomes) == ["full"] * (RACERS - 2) + ["held"] * 2
    assert holding(container, first.start) == 2
