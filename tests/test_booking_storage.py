"""Booking storage on SQLite and PostgreSQL: shops from the directory (hours checked,
closed days, ratings, staff), bookings round-tripped, timers kept in step."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from domain.booking import Booking, BookingKind, BookingRules, BookingStatus, Payer
from domain.booking_params import shop_params
from domain.booking_timers import TimerPlan
from domain.geo import CoordinateSystem, GeoPoint
from domain.money import Money
from domain.slots import TimeSlot
from storage import read_models
from storage.db import Database
from storage.repositories.directory import DirectoryError, import_directory
from storage.tables.timers import timer_t

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
SLOT = TimeSlot(NOW + timedelta(hours=4), NOW + timedelta(hours=5))
RULES = BookingRules()


def imported(database: Database, data: dict[str, Any]) -> None:
    with database.unit_of_work() as uow:
        import_directory(uow, data)
        uow.commit()


def owner_party(database: Database) -> int:
    with database.unit_of_work() as uow:
        party = uow.parties.resolve("web", "owner-storage")
        uow.commit()
    return party.id


def test_shops_come_with_hours_closed_days_and_staff(
    database: Database, directory_data: dict[str, Any]
) -> None:
    data = copy.deepcopy(directory_data)
    data["shops"][0]["closed"] = ["2026-12-25", date(2027, 1, 1)]
    data["shops"][0]["timezone"] = "Asia/Urumqi"
    imported(database, data)
    with database.unit_of_work() as uow:
        shops = {shop.code: shop for shop in uow.shops.all()}
        pudong = shops["SHOP-PD-01"]
        staff = uow.shops.staff(pudong.id)
        bound = uow.shops.staff_for_party(staff[0].party_id or 0)
    assert pudong.closed_days == frozenset({date(2026, 12, 25), date(2027, 1, 1)})
    assert pudong.timezone == "Asia/Urumqi" and pudong.bays == 3 and pudong.slot_minutes == 60
    assert pudong.hours.on(5)[0].opens.hour == 9  # Saturday 09:00-15:00
    assert pudong.rating == 4.7 and pudong.staffed
    assert [s.name for s in staff] == ["周师傅"] and bound == staff[0]
    assert shops["SHOP-XH-02"].closed_days == frozenset()

    data["shops"][0]["closed"] = ["2026-12-25"]  # the file's list replaces the days
    imported(database, data)
    with database.unit_of_work() as uow:
        again = uow.shops.by_code("SHOP-PD-01")
    assert again is not None and again.closed_days == frozenset({date(2026, 12, 25)})


def test_unreadable_hours_are_refused_at_import(
    database: Database, directory_data: dict[str, Any]
) -> None:
    data = copy.deepcopy(directory_data)
    data["shops"][1]["hours"] = {"mon-sat": "9-19"}
    with pytest.raises(DirectoryError, match=r"shops\[1\]\.hours"):
        imported(database, data)


def booking(owner: int, shop_id: int) -> Booking:
    made = Booking(
        kind=BookingKind.REPAIR,
        shop_id=shop_id,
        owner_id=owner,
        slot=SLOT,
        created_at=NOW,
        claim_number="BA2026112500001",
        policy_number="PDAA20260001",
        plate="沪A12345",
        make="Volkswagen",
        origin=GeoPoint(31.2, 121.4, CoordinateSystem.GCJ02),
    )
    made.hold(NOW, NOW + timedelta(hours=1), f"party:{owner}")
    return made


def stored_booking(database: Database, directory_data: dict[str, Any], **changes: Any) -> Booking:
    """The directory imported and one held booking at SHOP-PD-01 stored (with changes)."""
    imported(database, directory_data)
    owner = owner_party(database)
    with database.unit_of_work() as uow:
        shop = uow.shops.by_code("SHOP-PD-01")
        assert shop is not None
        made = booking(owner, shop.id)
        for name, value in changes.items():
            setattr(made, name, value)
        uow.bookings.add(made)
        uow.commit()
    return made


def test_a_booking_round_trips_and_its_timeline_grows_once(
    database: Database, directory_data: dict[str, Any]
) -> None:
    made = stored_booking(database, directory_data)
    owner = made.owner_id
    with database.unit_of_work() as uow:
        stored = uow.bookings.get_for_update(made.id or 0)
        assert stored == made
        stored.confirm(NOW, "shop_staff:1")
        stored.arrive(NOW, "shop_staff:1")
        uow.bookings.save(stored)
        stored.start_repair(NOW + timedelta(days=1), NOW, RULES, "shop_staff:1")
        stored.mark_ready(NOW, "shop_staff:1")
        stored.accept_repair(NOW, f"party:{owner}")
        stored.record_payment(Payer.INSURER, Money(120_000), NOW, RULES, "insurer")
        stored.rate(2, NOW, f"party:{owner}")
        uow.bookings.save(stored)
        uow.commit()
    with database.unit_of_work() as uow:
        final = uow.bookings.get(made.id or 0)
        pudong = uow.shops.by_code("SHOP-PD-01")
    assert final == stored
    assert final is not None and final.status is BookingStatus.RATED
    assert [c.to_status for c in final.timeline] == [
        BookingStatus.HELD,
        BookingStatus.CONFIRMED,
        BookingStatus.ARRIVED,
        BookingStatus.IN_REPAIR,
        BookingStatus.READY,
        BookingStatus.ACCEPTED,
        BookingStatus.PAID,
        BookingStatus.RATED,
    ]
    assert pudong is not None and pudong.ratings_count == 1 and pudong.ratings_sum == 2


def test_capacity_counts_and_listings(database: Database, directory_data: dict[str, Any]) -> None:
    imported(database, directory_data)
    owner = owner_party(database)
    with database.unit_of_work() as uow:
        shop = uow.shops.by_code("SHOP-PD-01")
        assert shop is not None
        first, second = booking(owner, shop.id), booking(owner, shop.id)
        uow.bookings.add(first)
        uow.bookings.add(second)
        second.cancel(NOW, RULES, f"party:{owner}")
        uow.bookings.save(second)
        uow.commit()
    half = TimeSlot(SLOT.start + timedelta(minutes=30), SLOT.end + timedelta(minutes=30))
    with database.unit_of_work() as uow:
        assert uow.bookings.overlapping(shop.id, half) == 1  # the cancelled one is free
        assert uow.bookings.overlapping(shop.id, half, exclude=first.id) == 0
        assert (
            uow.bookings.overlapping(shop.id, TimeSlot(SLOT.end, SLOT.end + timedelta(hours=1)))
            == 0
        )
        assert uow.bookings.taken([shop.id], NOW, NOW + timedelta(days=1)) == {shop.id: [SLOT]}
        assert uow.bookings.taken([shop.id], NOW, NOW + timedelta(days=1), first.id) == {}
        assert [b.id for b in uow.bookings.for_owner(owner)] == [first.id]
        assert [b.id for b in uow.bookings.for_shop(shop.id)] == [first.id]
        assert uow.bookings.open_for_claim("BA2026112500001") == first
        assert uow.bookings.open_for_plate(owner, "沪A12345") == first
        assert uow.bookings.open_for_plate(owner + 1, "沪A12345") is None


def timers(database: Database) -> dict[str, tuple[str, datetime]]:
    with database.unit_of_work() as uow:
        rows = uow.connection.execute(
            select(timer_t.c.dedupe_key, timer_t.c.status, timer_t.c.due_at)
        ).all()
    return {row.dedupe_key: (row.status, row.due_at) for row in rows}


def test_timers_follow_the_plans(database: Database) -> None:
    def plan(key: str, due: datetime) -> TimerPlan:
        return TimerPlan("booking_reminder", key, due, {"booking_id": 1})

    def replace(*plans: TimerPlan) -> None:
        with database.unit_of_work() as uow:
            uow.booking_timers.replace("booking:1", plans, NOW)
            uow.commit()

    replace(plan("a", NOW + timedelta(hours=1)), plan("b", NOW + timedelta(hours=2)))
    replace(plan("b", NOW + timedelta(hours=3)), plan("c", NOW + timedelta(hours=4)))
    assert timers(database) == {
        "a": ("cancelled", NOW + timedelta(hours=1)),
        "b": ("pending", NOW + timedelta(hours=3)),  # moved
        "c": ("pending", NOW + timedelta(hours=4)),
    }
    with database.unit_of_work() as uow:  # c went off meanwhile
        uow.connection.execute(
            timer_t.update().where(timer_t.c.dedupe_key == "c").values(status="fired")
        )
        uow.commit()
    replace(plan("c", NOW + timedelta(hours=4)))
    assert timers(database)["c"][0] == "fired"  # not armed a second time
    assert timers(database)["b"][0] == "cancelled"


def test_a_move_being_asked_holds_both_slots_counting_the_car_once(
    database: Database, directory_data: dict[str, Any]
) -> None:
    imported(database, directory_data)
    owner = owner_party(database)
    later = TimeSlot(SLOT.start + timedelta(days=1), SLOT.end + timedelta(days=1))
    half = TimeSlot(SLOT.start + timedelta(minutes=30), SLOT.end + timedelta(minutes=30))
    with database.unit_of_work() as uow:
        shop = uow.shops.by_code("SHOP-PD-01")
        assert shop is not None
        far, near = booking(owner, shop.id), booking(owner, shop.id)
        for made, to in ((far, later), (near, half)):
            made.confirm(NOW, "shop_staff:1")
            made.reschedule(to, NOW, NOW + timedelta(hours=1), RULES, f"party:{owner}")
            uow.bookings.add(made)
        uow.commit()
    with database.unit_of_work() as uow:
        stored = uow.bookings.get(far.id or 0)
        assert stored == far and stored.kept_slot == SLOT and stored.slot == later
        # SLOT: kept by both; half: asked for by one, overlapping the other's kept slot
        assert uow.bookings.overlapping(shop.id, SLOT) == 2
        assert uow.bookings.overlapping(shop.id, half) == 2
        assert uow.bookings.overlapping(shop.id, later) == 1
        assert uow.bookings.overlapping(shop.id, SLOT, exclude=far.id) == 1
        taken = uow.bookings.taken([shop.id], NOW, NOW + timedelta(days=2))
        union = TimeSlot(SLOT.start, half.end)  # one car: its two overlapping slots as one
        assert sorted(taken[shop.id], key=lambda s: (s.start, s.end)) == [SLOT, union, later]
        assert uow.bookings.taken([shop.id], NOW, NOW + timedelta(hours=12), near.id) == {
            shop.id: [SLOT]
        }
        stored.decline("周六配件不到", NOW, "shop_staff:1")
        uow.bookings.save(stored)
        uow.commit()
    with database.unit_of_work() as uow:
        back = uow.bookings.get(far.id or 0)
        assert back is not None and back.status is BookingStatus.CONFIRMED
        assert (back.slot, back.kept_slot) == (SLOT, None)
        assert uow.bookings.overlapping(shop.id, later) == 0


def test_the_directory_api_shows_the_rating_owners_see_in_chat(
    database: Database, directory_data: dict[str, Any]
) -> None:
    stored_booking(database, directory_data, status=BookingStatus.RATED, rating=2)
    with database.unit_of_work() as uow:
        shops = {s.code: s for s in uow.shops.all()}
        listed = {s.code: s.rating for s in read_models.list_shops(uow.connection)}
    assert shop_params(shops["SHOP-PD-01"])["rating"] == 4.2  # "★4.2" in the chat's list
    assert listed == {code: shop_params(s)["rating"] for code, s in shops.items()}
    assert listed["SHOP-PD-01"] == 4.2 and listed["SHOP-XH-02"] == 4.4
