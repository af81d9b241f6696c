"""Adjudication through the real engine and storage (SQLite and PostgreSQL).

An owner and an adjuster are two web chat users; what each is told lands in their own
outbox rows, in their own locale, in the transaction of the turn that caused it.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.bootstrap import Container
from bot.rendering import render
from domain.adjudication import ProposalOutcome
from domain.booking import Booking, BookingKind, BookingStatus
from domain.claim import Claim, ClaimStatus
from domain.services import create_invite
from domain.slots import TimeSlot
from domain.staff import StaffRole
from messages.inbound import InboundKind
from storage.records import OutboxRow
from tests.documents_support import complete_documents_in
from tests.engine_harness import Owner
from tests.fakes import FixedClock
from tests.media_samples import jpeg_bytes

NUMBER = "BA2026112500001"
PLACE = (31.2304, 121.4737)


def invite(container: Container, staff_code: str | None = None, name: str = "王建国") -> str:
    with container.database.unit_of_work() as uow:
        code, _ = create_invite(
            uow,
            role=StaffRole.ADJUSTER,
            name=name,
            now=container.clock.now(),
            staff_code=staff_code,
        )
        uow.commit()
    return code


def outbox(container: Container, user: str, channel: str = "web") -> list[OutboxRow]:
    with container.database.unit_of_work() as uow:
        return uow.outbox.for_chat(channel, user, 0)


def keys(rows: list[OutboxRow]) -> list[str]:
    return [str(row.payload["key"]) for row in rows]


def text(container: Container, row: OutboxRow) -> str:
    return render(container.catalogs, row.locale, row.payload).text


def stored(container: Container) -> Claim:
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get(NUMBER)
    assert claim is not None
    return claim


def book_repair(container: Container, status: BookingStatus, booking_id: int | None = None) -> int:
    """A repair booking of the claim at ``status`` (or move booking ``booking_id`` there),
    stored as the booking feature would leave it."""
    owner_id = stored(container).owner_id
    with container.database.unit_of_work() as uow:
        if booking_id is None:
            shop = uow.shops.by_code("SHOP-PD-01")
            assert shop is not None
            start = container.clock.now() + timedelta(days=1)
            booking = Booking(
                kind=BookingKind.REPAIR,
                shop_id=shop.id,
                owner_id=owner_id,
                slot=TimeSlot(start, start + timedelta(hours=1)),
                created_at=container.clock.now(),
                status=status,
                claim_number=NUMBER,
            )
            uow.bookings.add(booking)
        else:
            found = uow.bookings.get_for_update(booking_id)
            assert found is not None
            booking = replace(found, status=status)
            uow.bookings.save(booking)
        uow.commit()
    assert booking.id is not None
    return booking.id


def file_report(owner: Owner, photos: list[bytes] | None = None) -> None:
    owner.report_until_photos()
    owner.photos(photos or [jpeg_bytes(seed=n) for n in range(3)])
    assert owner.choose("r:summary:confirm") == ["report.filed"]


def new_rows(container: Container, user: str, seen: int, channel: str = "web") -> list[str]:
    return keys(outbox(container, user, channel)[seen:])


class Party(Owner):
    """A web user whose every new outbox row (replies and notices) can be read."""

    def __init__(self, container: Container, user_id: str, hint: str = "zh-CN") -> None:
        super().__init__(container, user_id, hint)
        self.seen = 0

    def news(self) -> list[str]:
        rows = outbox(self.container, self.user_id)
        fresh, self.seen = rows[self.seen :], len(rows)
        return keys(fresh)

    def last_text(self) -> str:
        return text(self.container, outbox(self.container, self.user_id)[-1])

    def last_payload(self) -> dict[str, Any]:
        return outbox(self.container, self.user_id)[-1].payload


def test_a_claim_from_report_to_payment(container: Container, clock: FixedClock) -> None:
    owner = Party(container, "owner-web-0001", hint="en-GB")
    adjuster = Party(container, "adjuster-web-0001")
    assert adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}") == ["claims.adjuster.bound"]
    adjuster.news()

    now = clock.now()
    file_report(
        owner,
        [
            jpeg_bytes(seed=1, taken_at=now - timedelta(minutes=5), gps=PLACE),
            jpeg_bytes(seed=2, taken_at=now - timedelta(days=200)),  # an old photo
            jpeg_bytes(seed=3),
        ],
    )
    owner.news()
    # The handoff card: in the adjuster's chat, with the photos and the evidence check.
    assert adjuster.news() == ["claims.handoff.card"]
    card = adjuster.last_payload()
    assert len(card["attachments"]) == 3
    assert [c["verdict"] for c in card["params"]["checks"]] == [
        "consistent",
        "inconsistent",
        "no_metadata",
    ]
    assert "uri.amap.com/marker?position=121.4737,31.2304" in adjuster.last_text()
    assert "照片核验" in adjuster.last_text()
    # The other adjuster of the directory (pre-bound to WeChat) is paged too; the
    # Telegram-bound party that ADJ-SH-01 used to be is not an adjuster any more.
    assert keys(outbox(container, "oADJ_chenjing", "wechat")) == ["claims.handoff.card"]
    assert outbox(container, "900001", "telegram") == []

    assert adjuster.choose(f"c:take:{NUMBER}") == ["claims.adjuster.took"]
    assert owner.news() == ["claims.owner.taken"]
    assert owner.last_text().startswith(
        "Your claim BA2026112500001 has been taken by adjuster 王建国"
    )
    assert new_rows(container, "oADJ_chenjing", 1, "wechat") == ["claims.handoff.taken"]

    adjuster.text(f"/survey {NUMBER} onsite 明天 10:00 黄浦区人民大道 200 号")
    assert owner.news() == ["claims.owner.survey"]
    adjuster.text(f"/ask {NUMBER} 请补拍后保险杠近照")
    assert owner.news() == ["claims.owner.evidence_requested"]
    adjuster.news()
    assert owner.photos([jpeg_bytes(seed=9)]) == ["claims.owner.evidence_attached"]
    owner.news()
    assert adjuster.news() == ["claims.adjuster.evidence_received"]
    assert len(adjuster.last_payload()["attachments"]) == 1
    assert len(stored(container).report.evidence) == 4

    adjuster.text(f"/liability {NUMBER} 全责 单方事故")
    adjuster.text(f"/loss {NUMBER} part 后保险杠 1200.00")
    adjuster.text(f"/loss {NUMBER} paint 后保险杠喷漆 -50")  # refused
    complete_documents_in(container, NUMBER, "owner")
    adjuster.text(f"/settle {NUMBER} owner")
    # The loss items reach the owner in the proposal, not one notice per item.
    assert owner.news() == ["claims.owner.liability", "claims.owner.settlement"]
    assert "We pay: 1,200.00 yuan" in owner.last_text()
    assert "1. Part – 后保险杠: 1,200.00 yuan" in owner.last_text()
    choices = [c["value"] for c in owner.last_payload()["choices"]]
    assert choices == [f"c:acc:{NUMBER}:1", f"c:dis:{NUMBER}:1"]

    owner.choose(f"c:dis:{NUMBER}:1")
    owner.text("The bumper of this model costs more")
    adjuster.news()
    adjuster.text(f"/loss {NUMBER} labour 拆装工时 300")
    adjuster.text(f"/settle {NUMBER} shop")
    assert adjuster.news() == ["claims.adjuster.loss", "claims.adjuster.settlement_proposed"]
    assert owner.choose(f"c:acc:{NUMBER}:1") == ["claims.refusal.stale_proposal"]
    assert owner.choose(f"c:acc:{NUMBER}:2") == ["claims.owner.accepted"]
    assert adjuster.news() == ["claims.adjuster.accepted"]

    # Direct repair: paid once the owner has accepted the repair of a booking of the claim.
    refused = ["claims.refusal.repair_not_accepted"]
    assert adjuster.text(f"/paid {NUMBER} 1500.00 REF-2026-0001") == refused
    book_repair(container, BookingStatus.CANCELLED)
    in_shop = book_repair(container, BookingStatus.READY)
    assert adjuster.text(f"/paid {NUMBER} 1500.00 REF-2026-0001") == refused
    assert f"#{in_shop}" in adjuster.last_text()
    book_repair(container, BookingStatus.RATED, booking_id=in_shop)  # accepted, paid, rated
    assert adjuster.text(f"/paid {NUMBER} 1200.00 REF-1") == ["claims.refusal.amount_mismatch"]
    assert adjuster.text(f"/paid {NUMBER} 1500.00 REF-2026-0001") == ["claims.adjuster.paid"]
    assert owner.news()[-1] == "claims.owner.paid"

    claim = stored(container)
    assert claim.status is ClaimStatus.PAID
    lifecycle = [c.action for c in claim.timeline if not c.action.startswith("doc")]
    assert lifecycle == [  # the documents checklist (the setup's) left out
        "report",
        "take",
        "survey",
        "ask",
        "evidence",
        "liability",
        "loss",
        "settle",
        "dispute",
        "loss",
        "settle",
        "accept",
        "pay",
    ]
    adj = claim.adjudication
    assert [s.outcome for s in adj.settlements] == [
        ProposalOutcome.DISPUTED,
        ProposalOutcome.ACCEPTED,
    ]
    assert adj.settlements[0].dispute_reason == "The bumper of this model costs more"
    assert adj.payment is not None and adj.payment.reference == "REF-2026-0001"
    assert adj.survey is not None and adj.survey.place == "黄浦区人民大道 200 号"
    assert adj.evidence_request is None  # closed on agreement
    assert owner.text("/status") == ["claims.owner.status"]
    assert "paid and closed" in owner.last_text()


def test_a_redelivered_command_notifies_once(container: Container) -> None:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container)}")
    file_report(owner)
    owner.news()
    take = adjuster.inbound(InboundKind.TEXT, f"/take {NUMBER}", message_id="take-0001")
    first = container.engine.process(take)
    again = container.engine.process(take)
    assert not first.duplicate and again.duplicate
    assert first.notices[0].key == "claims.owner.taken"
    assert owner.news() == ["claims.owner.taken"]


def test_unbound_users_and_wrong_claims_change_nothing(container: Container) -> None:
    owner = Party(container, "owner-web-0001")
    stranger = Party(container, "stranger-web-01")
    file_report(owner)
    before = stored(container)
    for command in (f"/take {NUMBER}", f"/loss {NUMBER} part 后保险杠 -5", "/cases", "/take"):
        assert stranger.text(command) == ["claims.refusal.not_staff"]
    assert stranger.choose(f"c:take:{NUMBER}") == ["claims.refusal.not_staff"]
    assert stranger.text(f"/withdraw {NUMBER} 不要了") == ["claims.refusal.unknown_claim"]
    assert stranger.text(f"/accept {NUMBER}") == ["claims.refusal.unknown_claim"]
    assert owner.text(f"/accept {NUMBER}") == ["claims.refusal.wrong_stage"]
    assert owner.text("/withdraw BA2026112599999 不要了") == ["claims.refusal.unknown_claim"]
    assert owner.text(f"/take {NUMBER}") == ["claims.refusal.not_staff"]
    after = stored(container)
    assert (after.status, after.adjuster_id, after.timeline) == (
        before.status,
        before.adjuster_id,
        before.timeline,
    )


def test_bad_amounts_and_wrong_stages_change_nothing(container: Container) -> None:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container)}")
    file_report(owner)
    adjuster.text(f"/take {NUMBER}")
    assert adjuster.text(f"/loss {NUMBER} part 后保险杠 100") == ["claims.refusal.wrong_stage"]
    adjuster.text(f"/survey {NUMBER} remote")
    for amount in ("-100", "abc", "1.005", "0"):
        assert adjuster.text(f"/loss {NUMBER} part 后保险杠 {amount}") == [
            "claims.refusal.bad_amount"
        ]
    complete_documents_in(container, NUMBER, "owner")
    assert adjuster.text(f"/settle {NUMBER} owner") == ["claims.refusal.wrong_stage"]
    assert adjuster.text(f"/paid {NUMBER} 100 REF") == ["claims.refusal.wrong_stage"]
    claim = stored(container)
    assert claim.status is ClaimStatus.SURVEYING
    assert claim.adjudication.loss_items == [] and claim.adjudication.settlements == []


def test_two_adjusters_taking_at_once_one_wins(container: Container, clock: FixedClock) -> None:
    owner = Party(container, "owner-web-0001")
    first = Party(container, "adjuster-web-0001")
    second = Party(container, "adjuster-web-0002")
    first.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    second.text(f"/bind {invite(container, 'ADJ-SH-09', name='陈静')}")
    file_report(owner)
    clock.advance(timedelta(minutes=1))
    answers: list[list[str]] = []
    errors: list[BaseException] = []

    def take(party: Party) -> None:
        try:
            answers.append(party.text(f"/take {NUMBER}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(p,)) for p in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # The loser's one message is the notice that the winner took it: no refusal besides.
    assert sorted(answers) == [[], ["claims.adjuster.took"]]
    rows = [new_rows(container, party.user_id, 0) for party in (first, second)]
    assert sorted(told[-1] for told in rows) == ["claims.adjuster.took", "claims.handoff.taken"]
    assert not any("claims.refusal.already_taken" in told for told in rows)
    claim = stored(container)
    assert [c.action for c in claim.timeline].count("take") == 1
