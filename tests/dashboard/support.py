"""A seeded product for the dashboard tests: claims and bookings made through the engine,
and API tokens for the insurer and for each shop."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import httpx

from bot.bootstrap import Container
from domain.booking import Booking, BookingKind
from domain.slots import TimeSlot
from storage.repositories.api_tokens import ApiTokenRepository
from tests.booking_support import (
    STAFF_USER,
    WebUser,
    agree_direct_repair,
    bind_staff_to_web,
    file_claim,
)
from tests.engine_harness import import_sample
from tests.fakes import FixedClock


@dataclass(frozen=True)
class Seeded:
    linked: str  # claim repaired at SHOP-PD-01
    unlinked: str  # claim with no booking
    pd_booking: int
    xh_booking: int
    owner: WebUser
    staff: WebUser


def token(container: Container, scope: str, shop: str | None = None) -> str:
    with container.database.unit_of_work() as uow:
        raw, _ = ApiTokenRepository(uow.connection).create(
            "shop" if scope == "shop" else "insurer", shop, "test", container.clock.now()
        )
        uow.commit()
    return raw


def seed(container: Container, clock: FixedClock) -> Seeded:
    import_sample(container)
    owner = WebUser(container, "owner-dash-0001")
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    linked = file_claim(owner)
    clock.advance(timedelta(minutes=20))
    agree_direct_repair(container, linked)
    owner.text("/book")
    owner.choose(f"b:claim:{linked}")
    owner.choose("b:shop:SHOP-PD-01")
    owner.choose(owner.choices("booking.ask.slot")[0])
    owner.choose("b:send")
    clock.advance(timedelta(minutes=30))
    staff.choose("sh:1:ok")
    clock.advance(timedelta(hours=1))
    unlinked = file_claim(WebUser(container, "owner-dash-0002"))
    with container.database.unit_of_work() as uow:
        shop = uow.shops.by_code("SHOP-XH-02")
        party = uow.parties.resolve("web", owner.user_id)
        assert shop is not None and shop.id is not None
        start = clock.now() + timedelta(days=2)
        other = Booking(
            kind=BookingKind.MAINTENANCE,
            shop_id=shop.id,
            owner_id=party.id,
            slot=TimeSlot(start, start + timedelta(minutes=90)),
            created_at=clock.now(),
            plate="沪A12345",
        )
        uow.bookings.add(other)
        uow.commit()
    assert other.id is not None
    return Seeded(linked, unlinked, 1, other.id, owner, staff)


CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in(http: httpx.Client, raw: str) -> httpx.Response:
    """Sign in as a browser does: open the form (its cookie and hidden field), post it."""
    form = http.get("/dashboard/login")
    found = CSRF_FIELD.search(form.text)
    assert found is not None, form.text
    data = {"token": raw, "csrf": found.group(1)}
    return http.post("/dashboard/login", data=data, follow_redirects=False)
