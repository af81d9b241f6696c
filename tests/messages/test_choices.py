"""Every kind of button value is encoded and read back by its codec, and nothing else
reads as that kind."""

from __future__ import annotations

from typing import Any

import pytest

from messages.choices import (
    CONSENT_AGREE,
    CONSENT_DECLINE,
    END_HANDOFF,
    START_HUMAN,
    START_MAINTENANCE,
    START_REPORT,
    START_STATUS,
    BookingChoice,
    ChoiceKind,
    ClaimAction,
    ClaimChoice,
    ConsentChoice,
    HandoffChoice,
    ReportChoice,
    ShopChoice,
    StaffWordsChoice,
    StartChoice,
    StepChoice,
    alternative_shop_choices,
    owner_booking_choices,
    staff_booking_choices,
)
from messages.outbound import AGREEMENT_STORE, Choice, Document, Outbound, StatusLink

CODECS = [
    (ClaimChoice(ClaimAction.TAKE, "BA2026112500001"), "c:take:BA2026112500001"),
    (ClaimChoice(ClaimAction.ACCEPT, "BA2026112500001", 2), "c:acc:BA2026112500001:2"),
    (ClaimChoice(ClaimAction.DISPUTE, "BA2026112500001", 3), "c:dis:BA2026112500001:3"),
    (BookingChoice(7, "cancel"), "bk:7:cancel"),
    (BookingChoice(7, "rate", "5"), "bk:7:rate:5"),
    (BookingChoice(7, "alt", "SHOP-PD-01"), "bk:7:alt:SHOP-PD-01"),
    (ShopChoice(7, "ok"), "sh:7:ok"),
    (ReportChoice("summary", "confirm"), "r:summary:confirm"),
    (StepChoice(ChoiceKind.BOOKING_STEP, "shop:SHOP-PD-01"), "b:shop:SHOP-PD-01"),
    (StepChoice(ChoiceKind.SHOP_STEP, "at:2026-11-26T10:00"), "s:at:2026-11-26T10:00"),
    (StepChoice(ChoiceKind.DISPUTE_STEP, "cancel"), "d:cancel"),
    (START_REPORT, "start:report"),
    (START_MAINTENANCE, "start:book:maint"),
    (StartChoice("book", "BA2026112500001"), "start:book:BA2026112500001"),
    # the wire values of buttons sent before these were typed, unchanged
    (START_STATUS, "start:status"),
    (START_HUMAN, "start:human"),
    (StaffWordsChoice(12), "sw:12"),
    (END_HANDOFF, "h:end"),
    (CONSENT_AGREE, "consent:agree"),
    (CONSENT_DECLINE, "consent:decline"),
]


@pytest.mark.parametrize(("choice", "value"), CODECS)
def test_each_value_is_encoded_and_read_back(choice: Any, value: str) -> None:
    assert choice.encode() == value
    if isinstance(choice, StepChoice):
        assert StepChoice.decode(choice.kind, value) == choice
    else:
        assert type(choice).decode(value) == choice


@pytest.mark.parametrize(
    ("codec", "value"),
    [
        (ClaimChoice, "c:acc:BA2026112500001:x"),  # a version is a number
        (ClaimChoice, "c:take"),
        (ClaimChoice, "c:pay:BA2026112500001"),
        (ClaimChoice, "bk:1:cancel"),
        (BookingChoice, "bk:x:cancel"),
        (BookingChoice, "bk:1"),
        (BookingChoice, "sh:1:ok"),
        (ShopChoice, "sh:1:ok:more"),
        (ShopChoice, "sh:one:ok"),
        (ReportChoice, "r:summary"),
        (ReportChoice, "b:summary:confirm"),
        (StartChoice, "start"),
        (StartChoice, "r:start:report"),
        (StaffWordsChoice, "sw:x"),
        (StaffWordsChoice, "sw:12:ok"),
        (StaffWordsChoice, "sh:12"),
        (HandoffChoice, "h:start"),
        (HandoffChoice, "h:end:now"),
        (ConsentChoice, "consent:maybe"),
        (ConsentChoice, "consent"),
    ],
)
def test_a_value_of_another_kind_or_malformed_reads_as_none(codec: type, value: str) -> None:
    assert codec.decode(value) is None


def test_a_step_answer_is_read_only_as_its_own_kind() -> None:
    assert StepChoice.decode(ChoiceKind.BOOKING_STEP, "s:quit") is None
    assert StepChoice.decode(ChoiceKind.SHOP_STEP, "b:quit") is None
    assert StepChoice.decode(ChoiceKind.REPORT, "r:summary:confirm") is None  # not a step kind


def test_the_kind_is_told_by_the_prefix_alone() -> None:
    assert ClaimChoice.matches("c:anything") and not ClaimChoice.matches("cx:take:1")
    assert BookingChoice.matches("bk:x") and not BookingChoice.matches("b:bk")
    assert ShopChoice.matches("sh:1:ok") and not ShopChoice.matches("s:quit")
    assert StaffWordsChoice.matches("sw:x") and not StaffWordsChoice.matches("s:w")


def test_a_bookings_buttons_name_it_and_its_reference() -> None:
    offers = [("cancel", "", "booking.choice.cancel"), ("rate", "5", "booking.choice.stars_5")]
    owner = owner_booking_choices(7, "YY1", offers)
    assert owner == (
        Choice("bk:7:cancel", "booking.choice.cancel", {"ref": "YY1"}),
        Choice("bk:7:rate:5", "booking.choice.stars_5", {"ref": "YY1"}),
    )
    staff = staff_booking_choices(7, "YY1", [("ok", "", "booking.shop.choice.confirm")])
    assert [c.value for c in staff] == ["sh:7:ok"]
    (alt,) = alternative_shop_choices(7, [("SHOP-PD-01", {"name": "浦东"})])
    assert (alt.value, alt.params) == ("bk:7:alt:SHOP-PD-01", {"name": "浦东"})


def test_an_outbound_with_links_survives_the_outbox() -> None:
    links = (StatusLink("BA2026112500001", "https://claims.example.com/status/t"),)
    message = Outbound("k", {"number": "BA2026112500001"}, status_links=links)
    payload = message.to_payload()
    assert payload["status_links"] == [
        {"number": "BA2026112500001", "url": "https://claims.example.com/status/t"}
    ]
    assert Outbound.from_payload(payload) == message
    assert "status_links" not in Outbound("k").to_payload()


def test_an_outbound_with_a_document_survives_the_outbox() -> None:
    pdf = Document(AGREEMENT_STORE, "BA2026112500001.pdf", "agreement_file.pdf", {"number": "X"})
    message = Outbound("k", {"number": "BA2026112500001"}, documents=(pdf,))
    payload = message.to_payload()
    assert payload["documents"] == [
        {
            "store": "agreement",
            "name": "BA2026112500001.pdf",
            "filename_key": "agreement_file.pdf",
            "params": {"number": "X"},
        }
    ]
    assert Outbound.from_payload(payload) == message
    assert "documents" not in Outbound("k").to_payload()


def test_a_value_longer_than_telegram_allows_is_refused() -> None:
    with pytest.raises(ValueError):
        Choice(StepChoice(ChoiceKind.BOOKING_STEP, "x" * 63).encode(), "label")
