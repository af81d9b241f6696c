"""The "book a repair" button of the owner's notices (the direct-repair proposal),
turn by turn on fakes: where it appears, what a tap starts, and who it is refused to."""

from __future__ import annotations

import pytest

from dialogs.conversation import Conversation
from domain.booking import BookingStatus
from domain.staff import Adjuster
from messages.outbound import Outbound
from tests.booking_fakes import booking_uow
from tests.dialogs.driver import DialogDriver
from tests.documents_support import complete_documents
from tests.fakes import FakeStaffRepository, FakeUnitOfWork

NUMBER = "BA2026112500001"
BOOK = f"start:book:{NUMBER}"
WANG = Adjuster(1, "ADJ-SH-01", "王建国", "上海", party_id=21)


def party(uow: FakeUnitOfWork, party_id: int, clock_of: DialogDriver | None = None) -> DialogDriver:
    driver = DialogDriver(uow=uow)
    driver.conv = Conversation(party_id=party_id, locale="zh_CN")
    if clock_of is not None:
        driver.clock = clock_of.clock
    return driver


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = booking_uow()
    fake.staff = FakeStaffRepository([WANG])
    return fake


@pytest.fixture
def owner(uow: FakeUnitOfWork) -> DialogDriver:
    driver = party(uow, 1)
    driver.fill_report()
    driver.choose("r:summary:confirm")
    return driver


@pytest.fixture
def wang(uow: FakeUnitOfWork, owner: DialogDriver) -> DialogDriver:
    wang = party(uow, 21, owner)
    wang.text(f"/take {NUMBER}")
    wang.text(f"/survey {NUMBER} remote")
    return wang


def notice(driver: DialogDriver, key: str) -> tuple[Outbound, str]:
    """The owner's notice with this key among the adjuster's last replies, rendered."""
    index = driver.keys.index(key)
    out = driver.replies[index]
    assert out.to_party == 1
    return out, driver.texts[index]


def values(out: Outbound) -> list[str]:
    return [choice.value for choice in out.choices]


def assess(wang: DialogDriver) -> None:
    wang.text(f"/liability {NUMBER} 全责")
    wang.text(f"/loss {NUMBER} part 后保险杠 1200.00")


def test_the_assessment_itself_offers_no_booking(wang: DialogDriver) -> None:
    wang.text(f"/loss {NUMBER} part 后保险杠 1200.00")
    assert wang.keys == ["claims.adjuster.loss"]  # the owner hears of the loss in the proposal
    wang.text(f"/liability {NUMBER} 全责")
    liability, text = notice(wang, "claims.owner.liability")
    assert values(liability) == [] and "/book" not in text


def test_a_direct_repair_proposal_offers_it_a_cash_one_names_the_command(
    wang: DialogDriver,
) -> None:
    assess(wang)
    complete_documents(wang.uow, NUMBER, "owner")
    wang.text(f"/settle {NUMBER} owner")
    cash, text = notice(wang, "claims.owner.settlement")
    assert values(cash) == [f"c:acc:{NUMBER}:1", f"c:dis:{NUMBER}:1"]
    assert "点菜单里的“预约维修”" in text  # for an owner who wants a partner shop anyway
    complete_documents(wang.uow, NUMBER, "shop")
    wang.text(f"/settle {NUMBER} shop")
    direct, text = notice(wang, "claims.owner.settlement")
    assert values(direct) == [f"c:acc:{NUMBER}:2", f"c:dis:{NUMBER}:2", BOOK]
    assert "请点“预约维修”" in text  # the button, numbered on channels without buttons
    assert wang.render(Outbound(direct.choices[-1].label_key)) == "预约维修"


def test_no_button_once_paid(wang: DialogDriver, owner: DialogDriver) -> None:
    assess(wang)
    complete_documents(wang.uow, NUMBER, "owner")
    wang.text(f"/settle {NUMBER} owner")
    payout = notice(wang, "claims.owner.settlement")[0].params["payout"]
    owner.choose(f"c:acc:{NUMBER}:1")
    wang.text(f"/paid {NUMBER} {payout} REF-1")
    paid, _ = notice(wang, "claims.owner.paid")
    assert values(paid) == []


def test_a_tap_starts_the_claim_repair_booking_like_the_typed_command(
    wang: DialogDriver, owner: DialogDriver, uow: FakeUnitOfWork
) -> None:
    assess(wang)
    assert owner.choose(BOOK) and owner.keys == ["booking.started_claim", "booking.ask.shop"]
    tapped = owner.texts
    owner.text("/cancel")
    owner.text(f"/book {NUMBER}")
    assert owner.texts == tapped
    owner.choose("b:shop:SHOP-PD-01")
    owner.choose(owner.offered[0])
    owner.choose("b:send")
    assert owner.keys == ["booking.requested", "booking.shop.request"]
    booking = uow.bookings.get(1)
    assert booking is not None and booking.claim_number == NUMBER


def test_a_claim_already_booked_shows_that_booking_instead_of_a_second(
    wang: DialogDriver, owner: DialogDriver, uow: FakeUnitOfWork
) -> None:
    assess(wang)
    owner.choose(BOOK)
    owner.choose("b:shop:SHOP-PD-01")
    owner.choose(owner.offered[0])
    owner.choose("b:send")
    complete_documents(wang.uow, NUMBER, "shop")
    wang.text(f"/settle {NUMBER} shop")  # the proposal's button, tapped after booking
    owner.choose(BOOK)
    assert owner.keys == ["booking.refusal.already_booked"]
    assert values(owner.last) == ["bk:1:resched", "bk:1:cancel"]
    booking = uow.bookings.get(1)
    assert booking is not None and booking.status is BookingStatus.HELD
    assert f"{booking.reference}，浦东安心汽修" in owner.texts[0]
    assert "待修理厂确认" in owner.texts[0]
    assert owner.conv.dialog is None
    assert list(uow.bookings.rows) == [1]


def test_someone_elses_claim_is_answered_like_an_unknown_one(
    wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    assess(wang)
    stranger = party(uow, 7, wang)
    stranger.choose(BOOK)
    theirs = (stranger.keys, stranger.texts)
    stranger.choose("start:book:BA2026112599999")
    unknown = (stranger.keys, [t.replace("BA2026112599999", NUMBER) for t in stranger.texts])
    assert theirs == unknown
    assert theirs[0] == ["booking.refusal.claim_not_ready"]
    assert stranger.conv.dialog is None and uow.bookings.rows == {}


@pytest.mark.parametrize("value", ["start:book:xyz", "start:book:BA1", "start:book:../x"])
def test_a_malformed_button_is_stale(owner: DialogDriver, value: str) -> None:
    owner.choose(value)
    assert owner.keys[0] == "input.stale_choice"
    assert owner.conv.dialog is None


def test_a_tap_during_a_report_keeps_the_report(
    wang: DialogDriver, owner: DialogDriver, uow: FakeUnitOfWork
) -> None:
    assess(wang)
    owner.fill_report(until="time")
    before = (owner.conv.dialog, owner.conv.state)
    owner.choose(BOOK)
    assert owner.keys == ["booking.refusal.busy", "report.ask.time"]
    assert (owner.conv.dialog, owner.conv.state) == before
    assert uow.bookings.rows == {}
