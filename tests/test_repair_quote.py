"""Repair as it really happens, through the real engine and storage (SQLite and
PostgreSQL): the shop quotes (报价) before the repair starts and states the final amount
at ready, the owner is told both and pays it in one tap; a car that cannot be driven is
offered 拖车到店, which the shop's request card and morning schedule show."""

from __future__ import annotations

import pytest

from bot.bootstrap import Container
from domain.booking import Booking, BookingStatus
from domain.money import Money
from messages.inbound import InboundKind
from tests.booking_support import (
    STAFF_USER,
    WebUser,
    bind_staff_to_web,
    book_maintenance,
    file_claim,
)
from tests.media_samples import jpeg_bytes
from tests.test_booking_engine import agree_with_deductible


@pytest.fixture
def owner(container: Container) -> WebUser:
    return WebUser(container, user_id="owner-0001")


@pytest.fixture
def staff(container: Container) -> WebUser:
    return bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)


def stored(container: Container, booking_id: int = 1) -> Booking:
    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get(booking_id)
    assert booking is not None
    return booking


def to_the_quote(staff: WebUser) -> None:
    staff.choose("sh:1:ok")
    staff.choose("sh:1:in")
    assert staff.choose("sh:1:start") == ["booking.shop.ask.estimate"]
    assert staff.text("明天 17:00") == ["booking.shop.ask.quote"]


def test_the_quote_before_the_repair_the_final_amount_at_ready_and_the_payment(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    book_maintenance(owner)
    to_the_quote(staff)
    assert staff.rendered()[-1].startswith("请输入预约 #1 的维修报价（元）")
    assert stored(container).status is BookingStatus.ARRIVED  # not started without a quote
    assert staff.text("两千一百五") == ["booking.shop.done.in_repair"]
    assert "报价 2,150.00 元" in staff.rendered()[-1]
    told = owner.rendered()[-1]
    assert "已开始维修（预约 #1）" in told
    assert "修理厂报价 2,150.00 元，完工时会告知最终金额" in told
    booking = stored(container)
    assert booking.status is BookingStatus.IN_REPAIR and booking.quote == Money(215_000)

    assert staff.choose("sh:1:start") == ["booking.shop.ask.estimate"]  # a new estimate
    assert staff.text("后天 17:00") == ["booking.shop.done.in_repair"]  # the quote stands

    assert staff.choose("sh:1:ready") == ["booking.shop.ask.final"]
    [same, _] = staff.last("booking.shop.ask.final").choices
    assert same.value == "s:final:same" and same.params == {"quote": "2,150.00"}
    assert staff.choose("s:final:same") == ["booking.shop.done.ready"]
    assert "最终金额 2,150.00 元" in owner.rendered()[-1]
    assert stored(container).final_amount == Money(215_000)

    owner.choose("bk:1:accept")
    assert owner.choose("bk:1:pay") == ["booking.ask.amount"]
    assert owner.rendered()[-1].startswith("修理厂的最终金额是 2,150.00 元")
    assert owner.choices("booking.ask.amount") == ["b:due", "b:keep"]
    assert owner.choose("b:due") == ["booking.ask.rating"]
    assert "已记录付款 2,150.00 元" in owner.rendered()[-1]
    assert stored(container).paid == Money(215_000)


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("还没算好", "booking.shop.error.amount"),  # no amount
        ("-500", "booking.refusal.bad_quote"),
        ("负五百元", "booking.refusal.bad_quote"),
        ("0", "booking.refusal.bad_quote"),
        ("2000万", "booking.refusal.bad_quote"),  # over the cap
        ("1亿", "booking.refusal.bad_quote"),
    ],
)
def test_a_quote_that_is_no_amount_or_cannot_be_charged_changes_nothing(
    container: Container, owner: WebUser, staff: WebUser, typed: str, answer: str
) -> None:
    book_maintenance(owner)
    to_the_quote(staff)
    before = owner.received()
    assert staff.text(typed) == [answer, "booking.shop.ask.quote"]
    if answer == "booking.refusal.bad_quote":
        assert "需要大于 0 元，且不超过 1,000,000.00 元" in staff.rendered()[-2]
    booking = stored(container)
    assert booking.status is BookingStatus.ARRIVED and booking.quote is None
    assert owner.received() == before  # the owner was told nothing
    assert staff.text("1800") == ["booking.shop.done.in_repair"]


def test_a_final_amount_other_than_the_quote_is_what_the_owner_is_asked_to_pay(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    book_maintenance(owner)
    to_the_quote(staff)
    staff.text("1800")
    staff.choose("sh:1:ready")
    assert staff.text("-1") == ["booking.refusal.bad_quote", "booking.shop.ask.final"]
    assert stored(container).status is BookingStatus.IN_REPAIR
    assert staff.text("2,300.50元") == ["booking.shop.done.ready"]
    assert stored(container).final_amount == Money(230_050)
    owner.choose("bk:1:accept")
    owner.choose("bk:1:pay")
    assert "最终金额是 2,300.50 元" in owner.rendered()[-1]
    assert owner.text("2000") == ["booking.ask.rating"]  # another amount may be typed
    assert stored(container).paid == Money(200_000)


def test_a_direct_repair_says_what_the_owner_pays_of_the_final_amount(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    number = file_claim(owner)
    agree_with_deductible(container, number)
    owner.text(f"/book {number}")
    owner.choose("b:shop:SHOP-PD-01")
    owner.choose(owner.choices("booking.ask.slot")[0])
    assert owner.choices("booking.ask.review")[0] == "b:send"  # drivable: no tow offered
    owner.choose("b:send")
    to_the_quote(staff)
    staff.text("1800")
    staff.choose("sh:1:ready")
    staff.choose("s:final:same")
    told = owner.rendered()[-1]
    assert "最终金额 1,800.00 元" in told
    assert "保险公司直接向修理厂支付 1,300.00 元，您需向修理厂支付自行承担的 500.00 元" in told


def report_not_drivable(owner: WebUser) -> str:
    """A claim whose report says the car cannot be driven, at a typed address."""
    owner.text("/report")
    owner.text("沪A12345")
    owner.text("8001")
    owner.choose("r:time:now")
    owner.send(InboundKind.LOCATION, payload={"lat": 31.2304, "lon": 121.4737})
    owner.text("路口被侧面撞了，车开不了")
    for value in ("r:injuries:no", "r:drivable:no", "r:rescue:no", "r:has_other:none"):
        owner.choose(value)
    owner.choose("r:witnesses:skip")
    owner.photos([jpeg_bytes(seed=n) for n in range(3)])
    owner.choose("r:summary:confirm")
    number = owner.last("report.filed").params["number"]
    assert isinstance(number, str)
    return number


def test_a_car_that_cannot_be_driven_is_offered_a_tow_to_the_shop(
    container: Container, owner: WebUser, staff: WebUser
) -> None:
    number = report_not_drivable(owner)
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get(number)
    assert claim is not None and claim.report.drivable is False
    agree_with_deductible(container, number)
    owner.text(f"/book {number}")
    owner.choose("b:shop:SHOP-PD-01")
    owner.choose(owner.choices("booking.ask.slot")[0])
    assert owner.choices("booking.ask.review")[:2] == ["b:send_tow", "b:send"]
    review = owner.rendered()[-1]
    assert "车辆不能行驶，可以选择拖车到店" in review
    assert owner.choose("b:send_tow") == ["booking.requested"]
    assert "已申请拖车到店" in owner.rendered()[-1]
    booking = stored(container)
    assert booking.tow is True and booking.pickup == "31.23040, 121.47370"
    card = staff.rendered()[staff.received().index("booking.shop.request")]
    assert "车辆不能行驶，需拖车到店：请到 31.23040, 121.47370（事故地点）接车" in card
    assert "确认预约即表示确认这个接车地址" in card
