"""A small shared world for the API tests, built through the real engine.

Claim A (owner-0001) is assessed, agreed for direct repair and booked at SHOP-PD-01
(booking #1). Booking #2 is owner-0002's maintenance booking at SHOP-XH-02, linked to
no claim. Claim B (owner-0001 again) is only reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.bootstrap import Container
from storage.repositories.api_tokens import ApiTokenRepository, Scope
from tests.booking_support import WebUser, agree_direct_repair, file_claim

SHOP_A = "SHOP-PD-01"
SHOP_B = "SHOP-XH-02"


@dataclass(frozen=True)
class World:
    claim_a: str
    claim_b: str
    repair_booking: int
    maintenance_booking: int
    owner: WebUser


def build_world(container: Container) -> World:
    owner = WebUser(container, user_id="owner-0001")
    claim_a = file_claim(owner)
    agree_direct_repair(container, claim_a, payout_fen=120_000)
    owner.text("/book")
    owner.choose(f"b:claim:{claim_a}")
    owner.choose(f"b:shop:{SHOP_A}")
    owner.choose(owner.choices("booking.ask.slot")[0])
    assert owner.choose("b:send") == ["booking.requested"]
    other = WebUser(container, user_id="owner-0002")
    other.text("/book")  # maintenance of the other policy's car
    other.text("沪B67890")
    other.text("9002")
    other.choose("b:noloc")
    other.choose(f"b:shop:{SHOP_B}")
    other.choose(other.choices("booking.ask.slot")[0])
    assert other.choose("b:send") == ["booking.requested"], other.received()[-3:]
    claim_b = file_claim(owner)
    return World(claim_a, claim_b, 1, 2, owner)


def issue_token(container: Container, scope: Scope, shop_code: str | None = None) -> str:
    with container.database.unit_of_work() as uow:
        raw, _ = ApiTokenRepository(uow.connection).create(
            scope, shop_code, "test", container.clock.now()
        )
        uow.commit()
    return raw
