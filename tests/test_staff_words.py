"""Shop staff answer booking requests in words, through the real engine."""

from __future__ import annotations

import pytest

from bot.bootstrap import Container
from tests.booking_support import STAFF_USER, WebUser, bind_staff_to_web, book_maintenance

SHOP = "SHOP-XH-02"  # 90-minute slots from 09:00: 15:00 is one


def requested(container: Container) -> tuple[WebUser, WebUser]:
    staff = bind_staff_to_web(container, SHOP, STAFF_USER)
    owner = WebUser(container, "owner-web-0001")
    book_maintenance(owner, SHOP)
    return staff, owner


@pytest.mark.parametrize("said", ["确认", "好的，可以", "可以", "1"])
def test_a_word_of_agreement_confirms_the_waiting_request(container: Container, said: str) -> None:
    staff, owner = requested(container)
    assert staff.text(said) == ["booking.shop.done.confirmed"]
    assert owner.received()[-1] == "booking.confirmed"


@pytest.mark.parametrize("said", ["不接", "满了", "没有配件"])
def test_a_refusal_in_words_declines_with_that_reason(container: Container, said: str) -> None:
    staff, owner = requested(container)
    assert staff.text(said) == ["booking.shop.done.declined"]
    assert owner.received()[-1] == "booking.declined"
    assert owner.last("booking.declined").params["reason"] == said


def test_another_time_in_words_is_proposed(container: Container) -> None:
    staff, owner = requested(container)
    assert staff.text("改到明天下午3点") == ["booking.shop.done.proposed"]
    proposed = owner.last("booking.proposed").params["slot"]
    assert proposed["md"].endswith("26") and proposed["time"].startswith("15:00")


def test_a_time_typed_where_the_slots_are_offered_is_proposed(container: Container) -> None:
    staff, owner = requested(container)
    request = staff.last("booking.shop.request")
    propose = next(c.value for c in request.choices if c.value.endswith(":prop"))
    assert staff.choose(propose) == ["booking.shop.ask.propose"]
    assert staff.text("后天下午三点") == ["booking.shop.done.proposed"]
    assert owner.last("booking.proposed").params["slot"]["time"].startswith("15:00")


def test_with_several_waiting_the_bot_asks_which_by_plate(container: Container) -> None:
    staff, owner = requested(container)
    other = WebUser(container, "owner-web-0002")
    book_maintenance(other, SHOP, slot=1)
    assert staff.text("确认") == ["staff_words.which"]
    which = staff.last("staff_words.which")
    assert len(which.choices) == 2
    assert staff.choose(which.choices[1].value) == ["booking.shop.done.confirmed"]
    assert owner.received()[-1] == "booking.confirmed"  # the older request: the first owner's


def test_words_with_nothing_waiting_change_nothing(container: Container) -> None:
    staff = bind_staff_to_web(container, SHOP, STAFF_USER)
    assert staff.text("确认") == ["help.staff_prompt"]
