"""Driving bookings through the real engine: web users for the owner and the shop staff,
pre-bound staff, an assessed claim, and reading what each party was sent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from bot.bootstrap import Container
from domain.adjudication import (
    Liability,
    LiabilityFinding,
    LossItem,
    LossKind,
    PaymentRoute,
    Survey,
    SurveyMode,
)
from domain.money import Money
from messages.inbound import InboundKind
from messages.outbound import Outbound
from storage.tables.core import identity_t, shop_staff_t, shop_t
from tests.engine_harness import Owner
from tests.media_samples import jpeg_bytes

STAFF_USER = "staff-pd-0001"
OTHER_STAFF_USER = "staff-xh-0002"


class WebUser(Owner):
    """A web chat user whose replies and notices are read back from its outbox."""

    def payloads(self) -> list[dict[str, Any]]:
        with self.container.database.unit_of_work() as uow:
            rows = uow.outbox.for_chat("web", self.user_id, 0, limit=1000)
        return [row.payload for row in rows]

    def received(self) -> list[str]:
        return [p["key"] for p in self.payloads()]

    def last(self, key: str) -> Outbound:
        """The latest message with this key."""
        found = [p for p in self.payloads() if p["key"] == key]
        assert found, f"{self.user_id} got no {key}: {self.received()}"
        return Outbound.from_payload(found[-1])

    def choices(self, key: str) -> list[str]:
        return [c.value for c in self.last(key).choices]

    def party_id(self) -> int:
        with self.container.database.unit_of_work() as uow:
            party = uow.parties.resolve("web", self.user_id)
            uow.commit()
        return party.id


def bind_staff_to_web(container: Container, shop_code: str, user_id: str) -> WebUser:
    """Pre-bind the shop's (directory) staff member to a web chat identity."""
    with container.database.unit_of_work() as uow:
        conn = uow.connection
        party_id = conn.execute(
            select(shop_staff_t.c.party_id)
            .join(shop_t, shop_t.c.id == shop_staff_t.c.shop_id)
            .where(shop_t.c.code == shop_code)
        ).scalar_one()
        conn.execute(
            insert(identity_t), {"channel": "web", "external_id": user_id, "party_id": party_id}
        )
        uow.commit()
    return WebUser(container, user_id=user_id)


def book_maintenance(owner: WebUser, shop_code: str = "SHOP-PD-01", slot: int = 0) -> str:
    """/book → plate → check → no location → shop → the n-th free slot → send; the slot key."""
    owner.text("/book")
    owner.text("沪A12345")
    owner.text("8001")
    owner.choose("b:noloc")
    owner.choose(f"b:shop:{shop_code}")
    value = owner.choices("booking.ask.slot")[slot]
    owner.choose(value)
    assert owner.choose("b:send") == ["booking.requested"], owner.received()[-3:]
    return value.removeprefix("b:slot:")


def file_claim(owner: WebUser) -> str:
    """A claim reported through the report dialog; its number."""
    owner.report_until_photos()
    owner.photos([jpeg_bytes(seed=n) for n in range(3)])
    owner.choose("r:summary:confirm")
    number = owner.last("report.filed").params["number"]
    assert isinstance(number, str)
    return number


def agree_direct_repair(container: Container, number: str, payout_fen: int = 120_000) -> None:
    """An adjuster assessed the claim and the owner agreed to direct repair (直赔)."""
    now = container.clock.now()
    actor = "adjuster:ADJ-SH-01"
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(number)
        policy = uow.policies.by_number(claim.policy_number) if claim else None
        assert claim is not None and policy is not None
        claim.take(1, now, actor)
        claim.schedule_survey(Survey(SurveyMode.REMOTE, None, None), now, actor)
        claim.record_liability(LiabilityFinding(Liability.FULL, 100), now, actor)
        claim.add_loss_item(LossItem(LossKind.PART, "后保险杠", Money(payout_fen)), now, actor)
        settlement = claim.propose_settlement(PaymentRoute.SHOP, policy.coverage, now, actor)
        claim.answer_settlement(settlement.version, True, "", now, f"party:{claim.owner_id}")
        uow.claims.save(claim)
        uow.commit()


def send_location(user: WebUser, lat: float, lon: float) -> list[str]:
    return user.send(InboundKind.LOCATION, payload={"lat": lat, "lon": lon})
