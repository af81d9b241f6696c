"""The unit-of-work port behaves the same behind the test fake and the SQL implementation:
the same cases run against tests/fakes.py and SqlUnitOfWork on SQLite and PostgreSQL, so
that a dialog test on the fake says something about the product."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.accident_situations import AccidentParty, Pick, Situation
from domain.outbox import OutboxItem
from domain.ports import UnitOfWork
from domain.quick_deal import DealState, IssuedAgreement, QuickDeal, hash_code
from domain.records import ConversationRecord, Recipient
from domain.staff import Invite, StaffRole
from messages.outbound import Choice, Outbound
from storage.db import Database
from storage.repositories.directory import import_directory
from tests.booking_fakes import PUDONG
from tests.conftest import _truncate
from tests.engine_harness import sample_directory
from tests.fakes import FakeShopRepository, FakeUnitOfWork

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@dataclass
class Port:
    uow: UnitOfWork
    new_party: Callable[[], int]  # a party id the storage knows


def _fake() -> Port:
    uow = FakeUnitOfWork()
    uow.shops = FakeShopRepository([PUDONG], [])
    ids = itertools.count(1000)
    return Port(uow, lambda: next(ids))


def _sql(database: Database) -> Iterator[Port]:
    with database.unit_of_work() as uow:
        import_directory(uow, sample_directory())
        ids = itertools.count(1)
        yield Port(uow, lambda: uow.parties.resolve("test", f"contract-{next(ids)}").id)
        uow.rollback()


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def port(request: pytest.FixtureRequest) -> Iterator[Port]:
    if request.param == "fake":
        yield _fake()
        return
    if request.param == "sqlite":
        yield from _sql(request.getfixturevalue("sqlite_database"))
        return
    database: Database = request.getfixturevalue("_postgres_database")
    _truncate(database)
    yield from _sql(database)


def test_a_policy_is_found_by_plate_or_number_as_typed(port: Port) -> None:
    policies = port.uow.policies
    by_plate = policies.by_plate("沪a12345")
    assert by_plate is not None and by_plate.number == "PDAA20260001"
    by_number = policies.by_number(" pdaa20260001 ")
    assert by_number is not None and by_number.plate == "沪A12345"
    assert policies.by_plate("沪Z99999") is None and policies.by_number("PD0") is None


def test_claim_sequence_numbers_count_per_day(port: Port) -> None:
    claims = port.uow.claims
    day = date(2026, 11, 25)
    assert [claims.next_sequence(day), claims.next_sequence(day)] == [1, 2]
    assert claims.next_sequence(day + timedelta(days=1)) == 1


def test_an_invite_is_recorded_and_used_once(port: Port) -> None:
    staff = port.uow.staff
    invite = Invite(
        code_hash="h" * 64,
        role=StaffRole.ADJUSTER,
        name="王测试",
        created_at=NOW,
        expires_at=NOW + timedelta(hours=24),
        staff_code="ADJ-T-01",
        region="上海",
    )
    staff.add_invite(invite)
    stored = staff.invite_for_update(invite.code_hash)
    assert stored is not None and stored.usable(NOW) and stored.staff_code == "ADJ-T-01"
    staff.use_invite(invite.code_hash, port.new_party(), NOW + timedelta(minutes=5))
    used = staff.invite_for_update(invite.code_hash)
    assert used is not None and used.used_at == NOW + timedelta(minutes=5)
    assert not used.usable(NOW + timedelta(minutes=6))
    assert staff.invite_for_update("x" * 64) is None


def test_binding_an_adjuster_code_keeps_its_region_when_none_is_given(port: Port) -> None:
    staff = port.uow.staff
    first, second = port.new_party(), port.new_party()
    bound = staff.bind_adjuster("ADJ-T-09", "王测试", "上海", first)
    assert staff.adjuster_for_party(first) == bound
    assert staff.adjuster_by_code("ADJ-T-09") == bound == staff.adjuster(bound.id)
    again = staff.bind_adjuster("ADJ-T-09", "王测试", None, second)
    assert (again.id, again.region, again.party_id) == (bound.id, "上海", second)
    assert staff.adjuster_for_party(first) is None
    assert again in staff.adjusters()


def test_shop_staff_are_bound_to_their_shop(port: Port) -> None:
    shops = port.uow.shops
    shop = shops.by_code("SHOP-PD-01")
    assert shop is not None and shops.get(shop.id) == shop and shop in shops.all()
    party = port.new_party()
    assert shops.staff_for_party(party) is None
    member = shops.bind_staff("SHOP-PD-01", "测试员", party)
    assert shops.staff_for_party(party) == member and member.shop_id == shop.id
    assert member in shops.staff(shop.id)
    assert shops.by_code("SHOP-NONE") is None


def test_muting_is_accepted_for_any_party(port: Port) -> None:
    party = port.new_party()
    port.uow.reminders.set_muted(party, True, NOW)
    port.uow.reminders.set_muted(party, False, NOW + timedelta(minutes=1))
    port.uow.reminders.set_muted(party, False, NOW + timedelta(minutes=2))


# --- 快处快赔 cases (domain.quick_deal) -------------------------------------------------

QD_NUMBER = "BA2026112500001"


def _quick_deal(owner: int, code: str = "K7QM4XPD") -> QuickDeal:
    return QuickDeal(QD_NUMBER, owner, hash_code(code), NOW, NOW + timedelta(hours=2))


def test_a_case_is_found_by_its_code_and_claim_and_kept_whole(port: Port) -> None:
    deals = port.uow.quick_deals
    owner, other = port.new_party(), port.new_party()
    deals.add(_quick_deal(owner))
    assert deals.by_code_for_update(hash_code("ZZZZ2222")) is None
    found = deals.by_code_for_update(hash_code("k7qm-4xpd"))
    assert found is not None and found.state is DealState.INVITED and found.other_id is None

    found.join(other, NOW + timedelta(minutes=5))
    found.driver.plate, found.driver.phone, found.driver.insurer = "沪B67890", "13900139002", "人保"
    found.state = DealState.CONFIRMING
    found.pick(Pick(AccidentParty.A, Situation.REAR_END, AccidentParty.B))
    found.pick(Pick(AccidentParty.B, Situation.BOTH_AT_FAULT))
    found.confirm(AccidentParty.B, NOW + timedelta(minutes=9), "wechat")
    found.issued = IssuedAgreement("https://x/a.html", "https://x/a.pdf")
    deals.save(found)

    again = deals.for_claim_for_update(QD_NUMBER)
    assert again is not None
    assert again.other_id == other and again.joined_at == NOW + timedelta(minutes=5)
    assert again.driver.phone == "13900139002"
    assert again.pick_of(AccidentParty.A) == Pick(
        AccidentParty.A, Situation.REAR_END, AccidentParty.B
    )
    assert again.pick_of(AccidentParty.B) == Pick(AccidentParty.B, Situation.BOTH_AT_FAULT)
    confirmation = again.confirmations[AccidentParty.B]
    assert (confirmation.at, confirmation.channel) == (NOW + timedelta(minutes=9), "wechat")
    assert again.issued == IssuedAgreement("https://x/a.html", "https://x/a.pdf")
    assert deals.joined_by(other) is not None and deals.joined_by(owner) is None


def test_a_new_invitation_replaces_an_unused_one(port: Port) -> None:
    deals = port.uow.quick_deals
    owner = port.new_party()
    deals.add(_quick_deal(owner, "K7QM4XPD"))
    deals.add(_quick_deal(owner, "ABCD2345"))
    assert deals.by_code_for_update(hash_code("K7QM4XPD")) is None
    assert deals.by_code_for_update(hash_code("ABCD2345")) is not None


def test_the_other_drivers_photos_are_seen_by_both_drivers_only(port: Port) -> None:
    deals = port.uow.quick_deals
    owner, other = port.new_party(), port.new_party()
    deal = _quick_deal(owner)
    deals.add(deal)
    photo = _quick_deal_media(port)
    assert deals.viewers_of_media(photo) == set()
    deal.join(other, NOW)
    deal.photos.append(photo)
    deals.save(deal)
    assert deals.viewers_of_media(photo) == {owner, other}
    assert deals.joined_by(other) == deal


def _quick_deal_media(port: Port) -> int:
    media = getattr(port.uow, "media", None)
    if media is None:  # the fake knows no media rows: any id will do
        return 4242
    from storage.media.types import StoredMedia

    return int(media.add(StoredMedia("e" * 64, "photo", "image/jpeg", 10, "ee/ee/x.jpg")))


# --- what a turn uses: dedupe, parties, conversations, recipients, the outbox ----------


def test_an_inbound_message_is_processed_once_per_channel(port: Port) -> None:
    inbound = port.uow.inbound
    assert inbound.first_time("telegram", "m-1", NOW)
    assert not inbound.first_time("telegram", "m-1", NOW + timedelta(seconds=5))
    assert inbound.first_time("wechat", "m-1", NOW)


def test_a_party_is_created_on_first_contact_and_found_again(port: Port) -> None:
    parties = port.uow.parties
    first = parties.resolve("telegram", "contract-p1", locale="en")
    assert (first.kind, first.locale, first.name) == ("owner", "en", None)
    again = parties.resolve("telegram", "contract-p1", kind="adjuster", locale="zh_CN")
    assert again == first and parties.get(first.id) == first
    other = parties.resolve("telegram", "contract-p2", kind="shop_staff", name="李师傅")
    assert other.id != first.id and (other.kind, other.name) == ("shop_staff", "李师傅")
    parties.set_locale(first.id, "zh_CN")
    found = parties.get(first.id)
    assert found is not None and found.locale == "zh_CN"


def test_a_conversation_is_saved_and_read_back(port: Port) -> None:
    conversations = port.uow.conversations
    party = port.uow.parties.resolve("web", "contract-c1").id
    assert conversations.get_for_update("web", "contract-c1") is None
    record = ConversationRecord(
        None, "web", "contract-c1", party, "report", "plate", {"n": [1, "二"]}, "zh_CN", NOW
    )
    saved = conversations.save(record)
    assert saved.id is not None and dataclasses.replace(saved, id=None) == record
    assert conversations.get_for_update("web", "contract-c1") == saved
    later = dataclasses.replace(saved, dialog=None, state="idle", slots={}, locale="en")
    assert conversations.save(later) == later
    assert conversations.get_for_update("web", "contract-c1") == later
    assert conversations.get_for_update("telegram", "contract-c1") is None


def test_a_turn_starts_with_its_party_and_the_chat_conversation(port: Port) -> None:
    uow = port.uow
    party, conversation = uow.turn_start("web", "contract-t1", "contract-t1", locale="en")
    assert (party.kind, party.locale) == ("owner", "en") and conversation is None
    again, conversation = uow.turn_start("web", "contract-t1", "contract-t1", locale="zh_CN")
    assert again == party and conversation is None  # the party as first created
    saved = uow.conversations.save(
        ConversationRecord(
            None, "web", "contract-t1", party.id, "report", "time", {"k": "值"}, "en", NOW
        )
    )
    uow.consents.record(party.id, "v9", "web", NOW)
    found, conversation = uow.turn_start("web", "contract-t1", "contract-t1", locale=None)
    assert found == party and conversation == saved
    assert uow.consents.agreed_version(party.id) == "v9"
    # a group chat: the sender's party, the group's conversation (none yet)
    _, group = uow.turn_start("web", "contract-t1", "contract-group", locale=None)
    assert group is None


def test_a_party_is_reached_at_its_channel_identities(port: Port) -> None:
    party = port.uow.parties.resolve("wechat", "contract-r1", locale="en")
    recipients = port.uow.recipients
    assert recipients.of_party(party.id) == [Recipient("wechat", "contract-r1", "en")]
    assert recipients.party_of("wechat", "contract-r1") == party.id
    assert recipients.party_of("telegram", "contract-r1") is None
    other = port.uow.parties.resolve("telegram", "contract-r2", locale="zh_CN")
    together = recipients.of_parties([other.id, party.id, other.id])
    assert together == {
        other.id: [Recipient("telegram", "contract-r2", "zh_CN")],
        party.id: [Recipient("wechat", "contract-r1", "en")],
    }
    assert recipients.of_parties([]) == {}


def _card(key: str, *values: str) -> dict[str, Any]:
    choices = tuple(Choice(value, value) for value in values)
    return Outbound("test.card", {"n": key}, choices=choices).to_payload()


def test_outbox_rows_are_queued_once_claimed_in_order_and_marked_sent(port: Port) -> None:
    outbox = port.uow.outbox
    items = [
        OutboxItem("telegram", "contract-o1", "zh_CN", _card("1", "c:1"), "contract:o1:0"),
        OutboxItem("telegram", "contract-o1", "zh_CN", _card("2"), "contract:o1:1"),
        OutboxItem("telegram", "contract-o2", "zh_CN", _card("3"), "contract:o2:0"),
    ]
    assert outbox.add(items, NOW) == 3
    assert outbox.add(items[:1], NOW) == 0  # the same idempotency key: skipped
    claimed = outbox.claim_chats("telegram", ["contract-o1"], "w1", NOW, 10)
    assert [row.idempotency_key for row in claimed] == ["contract:o1:0", "contract:o1:1"]
    assert {(row.status, row.attempts) for row in claimed} == {("sending", 1)}
    assert claimed[0].payload == items[0].payload and claimed[0].created_at == NOW
    assert outbox.claim_chats("telegram", ["contract-o1"], "w2", NOW, 10) == []
    assert outbox.claim_chats("wechat", ["contract-o2"], "w1", NOW, 10) == []
    assert outbox.mark_sent([row.id for row in claimed], NOW + timedelta(seconds=1)) == 2
    assert outbox.mark_sent([claimed[0].id], NOW + timedelta(seconds=2)) == 0


def test_a_typed_number_reads_the_choices_last_delivered_to_the_chat(port: Port) -> None:
    outbox, pushed = port.uow.outbox, port.uow.pushed_choices
    item = OutboxItem("wechat", "contract-pc", "zh_CN", _card("1", "c:1", "c:2"), "contract:pc")
    outbox.add([item], NOW)
    assert pushed.latest("wechat", "contract-pc", None) == ()  # queued, not seen yet
    rows = outbox.claim_chats("wechat", ["contract-pc"], "w1", NOW, 10)
    outbox.mark_sent([row.id for row in rows], NOW)
    assert pushed.latest("wechat", "contract-pc", None) == ("c:1", "c:2")
    assert pushed.latest("wechat", "contract-pc", NOW - timedelta(minutes=1)) == ("c:1", "c:2")
    assert pushed.latest("wechat", "contract-pc", NOW) == ()  # shown before the last turn
    assert pushed.latest("telegram", "contract-pc", None) == ()


def test_rows_naming_no_claim_of_their_party_get_no_status_link(port: Port) -> None:
    party = port.uow.parties.resolve("web", "contract-sl").id
    payload = Outbound("test.card", {"number": "BA2026112599999"}).to_payload()
    items = [
        OutboxItem("web", "contract-sl", "zh_CN", payload, "contract:sl:0", party_id=party),
        OutboxItem("web", "contract-sl", "zh_CN", payload, "contract:sl:1"),
    ]
    assert port.uow.with_status_links(items, "https://claims.example") == items


def _queue(port: Port, chat: str, count: int, channel: str = "telegram") -> None:
    items = [
        OutboxItem(channel, chat, "zh_CN", _card(str(n)), f"contract:{chat}:{n}")
        for n in range(count)
    ]
    port.uow.outbox.add(items, NOW)


def test_the_dispatcher_claims_renews_and_takes_back_leases(port: Port) -> None:
    outbox = port.uow.outbox
    _queue(port, "contract-d1", 2)
    _queue(port, "contract-d2", 1, channel="wechat")
    assert outbox.next_due(["telegram"]) == NOW
    assert outbox.next_due([]) is None and outbox.next_due(["web"]) is None
    first = outbox.claim_due("telegram", "w1", NOW, 1)
    assert [(row.chat_id, row.attempts) for row in first] == [("contract-d1", 1)]
    # the chat's second row waits behind its first, which is being sent
    assert [row.chat_id for row in outbox.claim_due(None, "w2", NOW, 10)] == ["contract-d2"]
    assert outbox.renew("w1", NOW + timedelta(seconds=10)) == [first[0].id]
    assert outbox.release_stale(NOW + timedelta(seconds=5)) == 1  # w2's lease lapsed
    assert outbox.renew("w2", NOW + timedelta(seconds=6)) == []
    assert outbox.release([first[0].id], worker="w2") == 0
    assert outbox.release([first[0].id], worker="w1") == 1
    again = outbox.claim_due("telegram", "w3", NOW, 10)
    assert [row.attempts for row in again] == [1, 1]  # a release does not count a try
    assert again[0].id == first[0].id
    outbox.mark_failed(again[1].id, "timeout", NOW + timedelta(minutes=1))
    outbox.mark_failed(again[0].id, "blocked by the user", None)
    assert outbox.next_due(["telegram"]) == NOW + timedelta(minutes=1)
    assert outbox.next_due(["wechat"]) == NOW
    assert outbox.claim_due("telegram", "w4", NOW, 10) == []  # the retry is not due yet
    retry = outbox.claim_due("telegram", "w4", NOW + timedelta(minutes=2), 10)
    assert [(row.id, row.attempts) for row in retry] == [(again[1].id, 2)]
