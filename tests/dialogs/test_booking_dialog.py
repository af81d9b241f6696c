"""The booking dialogs turn by turn on fakes: the owner's search and request, the shop's
answers, and every bad input answered briefly with nothing changed."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import booking, shop
from domain.booking import BookingStatus
from domain.geo import GeoPoint
from messages.inbound import InboundKind
from tests.booking_fakes import PUDONG, PUDONG_STAFF, XUHUI, XUHUI_STAFF, booking_uow
from tests.dialogs.driver import DialogDriver
from tests.fakes import FakeUnitOfWork

OWNER_PARTY = 1


def owner(uow: FakeUnitOfWork | None = None, locale: str = "zh_CN") -> DialogDriver:
    return DialogDriver(locale=locale, uow=uow or booking_uow())


def staff_of(driver: DialogDriver, party_id: int) -> DialogDriver:
    """A second chat on the same data: a shop's staff member."""
    other = DialogDriver(uow=driver.uow)
    other.conv.party_id = party_id
    other.clock = driver.clock
    return other


def to_shops(d: DialogDriver) -> None:
    d.text("/book")
    d.text("沪A 12345")
    d.text("8001")
    d.choose("b:noloc")


def to_review(d: DialogDriver, shop_code: str = "SHOP-PD-01", slot: int = 0) -> str:
    to_shops(d)
    d.choose(f"b:shop:{shop_code}")
    value = d.offered[slot]
    d.choose(value)
    assert d.keys == ["booking.ask.review"]
    return value


def state(d: DialogDriver) -> tuple[str | None, str, object]:
    slots = copy.deepcopy(d.conv.slots)
    slots.pop("offered", None)
    return d.conv.dialog, d.conv.state, slots


def test_a_maintenance_request_reaches_the_shop() -> None:
    d = owner()
    d.text("/book")
    assert d.keys == ["booking.no_claim_to_repair", "booking.ask.vehicle"]
    d.text("沪A 12345")
    assert d.keys == ["booking.ask.check"]
    d.text("8001")
    assert d.keys == ["booking.ask.location"] and d.last.request_location
    d.choose("b:noloc")
    assert d.keys == ["booking.ask.shop"]
    assert d.offered[:2] == ["b:shop:SHOP-PD-01", "b:shop:SHOP-XH-02"]
    d.choose("b:shop:SHOP-PD-01")
    assert d.keys == ["booking.ask.slot"] and "b:later" in d.offered
    d.choose(d.offered[0])
    assert "到店请携带：保险单、行驶证" in d.texts[0]
    d.choose("b:send")
    assert d.keys == ["booking.requested", "booking.shop.request"]
    card = d.replies[1]
    assert card.to_party == PUDONG_STAFF.party_id
    assert [c.value for c in card.choices] == ["sh:1:ok", "sh:1:prop", "sh:1:no"]
    assert (d.conv.dialog, d.conv.state) == (None, "idle")
    stored = d.uow.bookings.get(1)
    assert stored is not None and stored.plate == "沪A12345" and stored.make == "Volkswagen"


def test_a_shared_location_reorders_the_shops_and_filters_apply() -> None:
    d = owner()
    to_shops(d)
    d.location(31.1880, 121.4370)  # at the Xuhui shop
    assert d.keys == ["booking.location_saved", "booking.ask.shop"]
    assert d.offered[0] == "b:shop:SHOP-XH-02"
    assert "b:near" in d.offered and "b:cert" in d.offered
    d.choose("b:near")
    assert [v for v in d.offered if v.startswith("b:shop:")] == ["b:shop:SHOP-XH-02"]
    d.choose("b:near")
    assert len([v for v in d.offered if v.startswith("b:shop:")]) == 2


@pytest.mark.parametrize(("locale", "hint"), [("zh_CN", "也可以分享位置"), ("en", "share your")])
def test_sorted_again_only_when_a_shared_location_moved_the_list(locale: str, hint: str) -> None:
    d = owner(locale=locale)
    d.text("/book")
    d.text("沪A 12345")
    d.text("8001")
    d.location(31.1880, 121.4370)  # at the location step: the first list, nothing re-sorted
    assert d.keys == ["booking.ask.shop"]
    assert d.offered[0] == "b:shop:SHOP-XH-02"
    assert hint not in d.texts[0]  # a location is known: no "share your location"
    d.location(31.1881, 121.4371)  # shared again, the same order
    assert d.keys == ["booking.ask.shop"]
    d.location(31.2040, 121.5900)  # at the Pudong shop: the order changes
    assert d.keys == ["booking.location_saved", "booking.ask.shop"]
    assert d.offered[0] == "b:shop:SHOP-PD-01" and hint not in d.texts[1]


def test_without_a_location_the_list_invites_one() -> None:
    d = owner()
    to_shops(d)
    assert d.keys == ["booking.ask.shop"] and "也可以分享位置，按离您最近排序。" in d.texts[0]


def test_more_shops_page_by_page() -> None:
    many = [
        replace(PUDONG, id=10 + n, code=f"SHOP-{n:02d}", location=GeoPoint(31.2, 121.5 + n / 100))
        for n in range(7)
    ]
    staff = [replace(PUDONG_STAFF, id=10 + n, shop_id=10 + n, party_id=100 + n) for n in range(7)]
    d = owner(booking_uow(shops=many, staff=staff))
    to_shops(d)
    first = [v for v in d.offered if v.startswith("b:shop:")]
    assert len(first) == 5 and "b:more" in d.offered
    d.choose("b:more")
    second = [v for v in d.offered if v.startswith("b:shop:")]
    assert len(second) == 2 and set(first).isdisjoint(second) and "b:top" in d.offered


def test_a_numbered_reply_picks_a_shop_as_on_wechat() -> None:
    d = owner()
    to_shops(d)
    d.text("2")
    assert d.keys == ["booking.ask.slot"] and "徐汇诚信车服" in d.texts[0]


def test_typed_junk_at_each_step_changes_nothing() -> None:
    d = owner()
    d.text("/book maint")
    before = state(d)
    d.text("你好")
    assert d.keys == ["booking.error.plate", "booking.ask.vehicle"] and state(d) == before
    d.text("沪A12345")
    d.text("0000")
    assert d.keys == ["security.verify.mismatch", "booking.ask.check"]
    d.text("8001")
    d.text("张江路")
    assert d.keys == ["booking.error.location", "booking.ask.location"]
    d.choose("b:noloc")
    before = state(d)
    d.text("随便哪家")
    assert d.keys == ["input.use_buttons", "booking.ask.shop"] and state(d) == before
    d.choose("b:shop:SHOP-NOPE")  # never offered
    assert d.keys == ["input.stale_choice", "booking.ask.shop"] and state(d) == before
    d.send(InboundKind.UNSUPPORTED)
    assert state(d) == before


def test_an_unknown_or_foreign_booking_button_is_refused() -> None:
    d = owner()
    d.choose("bk:77:cancel")
    assert d.keys[0] == "booking.refusal.not_found"
    to_review(d)
    d.choose("b:send")
    stranger = staff_of(d, party_id=99)  # an owner who is nobody's staff
    stranger.choose("bk:1:cancel_yes")
    assert stranger.keys[0] == "booking.refusal.not_found"
    stranger.choose("sh:1:ok")
    assert stranger.keys[0] == "booking.refusal.not_shop_staff"
    assert d.uow.bookings.get(1).status is BookingStatus.HELD  # type: ignore[union-attr]


def test_a_slot_taken_meanwhile_is_refused_and_the_slots_shown_again() -> None:
    d = owner(booking_uow(shops=(replace(PUDONG, bays=1), XUHUI)))
    value = to_review(d)
    rival = owner(d.uow)
    rival.conv.party_id = 5
    rival.text("/book")
    rival.text("沪A12345")
    rival.text("8001")
    rival.choose("b:noloc")
    rival.choose("b:shop:SHOP-PD-01")
    rival.choose(value)
    rival.choose("b:send")
    d.choose("b:send")
    assert d.keys == ["booking.refusal.slot_full", "booking.ask.slot"]
    assert value not in d.offered
    assert len(d.uow.bookings.rows) == 1


def test_a_slot_that_became_too_soon_is_refused() -> None:
    d = owner()
    to_review(d)
    d.clock.advance(timedelta(hours=2))
    d.choose("b:send")
    assert d.keys == ["booking.refusal.slot_unavailable", "booking.ask.slot"]
    assert "过去" in d.texts[0] or "太近" in d.texts[0]
    assert d.uow.bookings.rows == {}


def test_cancel_back_and_busy() -> None:
    d = owner()
    to_review(d)
    d.text("/back")
    assert d.keys == ["booking.ask.slot"]
    d.text("/back")
    assert d.keys == ["booking.ask.shop"]
    d.text("/cancel")
    assert d.keys == ["booking.dialog_cancelled"] and d.conv.dialog is None
    d.text("/report")
    d.text("/book")
    assert d.keys[0] == "booking.refusal.busy" and d.conv.dialog == "report"
    assert d.keys[-1] == "report.ask.plate"


def test_the_word_and_the_menu_key_start_a_booking() -> None:
    d = owner()
    d.text("预约")
    assert d.keys == ["booking.no_claim_to_repair", "booking.ask.vehicle"]
    e = owner()
    e.send(InboundKind.EVENT, payload={"key": "BOOK"})
    assert e.keys == ["booking.no_claim_to_repair", "booking.ask.vehicle"]


def test_the_shop_answers_and_the_owner_hears_of_it() -> None:
    d = owner()
    to_review(d)
    d.choose("b:send")
    pudong = staff_of(d, PUDONG_STAFF.party_id or 0)
    xuhui = staff_of(d, XUHUI_STAFF.party_id or 0)
    xuhui.choose("sh:1:no")
    assert xuhui.keys == ["booking.refusal.not_found"]

    pudong.choose("sh:1:no")
    assert pudong.keys == ["booking.shop.ask.reason"]
    pudong.send(InboundKind.LOCATION, payload={"lat": 1, "lon": 1})
    assert pudong.keys == ["booking.shop.error.reason", "booking.shop.ask.reason"]
    pudong.choose("s:quit")
    assert pudong.keys == ["booking.nothing_changed"] and pudong.conv.dialog is None
    assert d.uow.bookings.get(1).status is BookingStatus.HELD  # type: ignore[union-attr]

    pudong.choose("sh:1:ok")
    assert pudong.keys == ["booking.shop.done.confirmed", "booking.confirmed"]
    notice = pudong.replies[1]
    assert notice.to_party == OWNER_PARTY
    assert [c.value for c in notice.choices] == ["bk:1:resched", "bk:1:cancel"]
    pudong.choose("sh:1:ok")
    assert pudong.keys == ["booking.refusal.wrong_stage"]  # a stale card

    pudong.choose("sh:1:in")
    pudong.choose("sh:1:start")
    assert pudong.keys == ["booking.shop.ask.estimate"]
    pudong.text("昨天 10:00")
    assert pudong.keys == ["booking.refusal.bad_estimate", "booking.shop.ask.estimate"]
    pudong.text("不知道")
    assert pudong.keys == ["booking.shop.error.estimate", "booking.shop.ask.estimate"]
    pudong.choose(pudong.offered[0])  # today 18:00
    assert pudong.keys == ["booking.shop.ask.quote"]
    pudong.text("-500")
    assert pudong.keys == ["booking.refusal.bad_quote", "booking.shop.ask.quote"]
    pudong.text("1.2万")
    assert pudong.keys == ["booking.shop.done.in_repair", "booking.in_repair"]
    assert "11-25（周三）18:00" in pudong.texts[1] and "报价 12,000.00 元" in pudong.texts[1]


def test_a_problem_at_handover_goes_back_to_the_shop() -> None:
    d = owner()
    to_review(d)
    d.choose("b:send")
    pudong = staff_of(d, PUDONG_STAFF.party_id or 0)
    for action in ("ok", "in"):
        pudong.choose(f"sh:1:{action}")
    pudong.choose("sh:1:start")
    pudong.choose(pudong.offered[0])
    pudong.text("800")
    pudong.choose("sh:1:ready")
    pudong.choose("s:final:same")
    d.choose("bk:1:problem")
    assert d.keys == ["booking.ask.problem"]
    d.text("右前大灯还有裂纹")
    assert d.keys == ["booking.problem_sent", "booking.shop.problem"]
    assert [c.value for c in d.replies[1].choices] == ["sh:1:start", "sh:1:ready"]
    pudong.choose("sh:1:ready")
    pudong.text("850")
    d.choose("bk:1:accept")
    assert d.keys == ["booking.accepted", "booking.shop.accepted"]
    d.choose("bk:1:rate:5")  # not paid yet: a stale button
    assert d.keys == ["booking.refusal.wrong_stage"]


def test_english_renders_every_step() -> None:
    d = owner(locale="en")
    to_review(d)
    assert d.texts[0].startswith("Please check your booking")
    d.choose("b:send")
    assert d.texts[0].startswith("Booking #1 sent: 浦东安心汽修")
    assert "the vehicle licence (行驶证)" in d.texts[0]


@pytest.mark.parametrize("module", [booking, shop])
def test_each_dialog_has_one_shared_machine(module: object) -> None:
    machine = module.MACHINE  # type: ignore[attr-defined]
    d = owner()
    to_review(d)
    assert machine.models == []  # every conversation detached after its turn


STEPS = ["/book", "沪A12345", "8001", "1", "2", "3", "/back", "/cancel", "预约", "/bookings"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.one_of(
            st.sampled_from(STEPS).map(lambda t: ("text", t)),
            st.integers(0, 12).map(lambda n: ("offered", n)),
            st.sampled_from(["bk:1:cancel", "bk:1:resched", "sh:1:ok", "b:send"]).map(
                lambda v: ("choice", v)
            ),
            st.text(max_size=50).map(lambda t: ("text", t)),
        ),
        max_size=25,
    )
)
def test_random_messages_always_get_an_answer(steps: list[tuple[str, object]]) -> None:
    d = owner()
    for kind, value in steps:
        if kind == "offered":
            offered = d.offered
            if not offered:
                continue
            d.choose(offered[int(str(value)) % len(offered)])
        elif kind == "choice":
            d.choose(str(value))
        else:
            d.text(str(value))
        assert d.replies, (kind, value)
        assert all(text for text in d.texts)
    for b in d.uow.bookings.rows.values():
        assert b.owner_id == OWNER_PARTY
