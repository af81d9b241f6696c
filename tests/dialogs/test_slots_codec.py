"""Every dialog's slots are stored by one codec, in the flat shape conversations have
always been stored in."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from dialogs import router_slots
from dialogs.booking.slots import BookingSlots, Purpose
from dialogs.conversation import Conversation
from dialogs.report.codec import draft_to_json
from dialogs.report.slots import ReportSlots
from dialogs.router_slots import Tapped
from dialogs.slots_codec import slots_from_json, slots_to_json
from domain.booking import BookingKind
from domain.geo import CoordinateSystem, GeoPoint
from domain.report import ReportDraft, ReportItem


def test_booking_slots_are_stored_under_their_old_keys_and_read_back() -> None:
    slots = BookingSlots(
        Purpose(BookingKind.REPAIR, "BA2026112500001", "PDAA20260001", "沪A12345", "大众"),
        origin=GeoPoint(31.2304, 121.4737, CoordinateSystem.GCJ02),
        filters={"cert": True},
        order=["SHOP-PD-01"],
        reschedule=7,
    )
    stored = slots_to_json(slots)
    assert stored["for"] == {
        "kind": "repair",
        "claim": "BA2026112500001",
        "policy": "PDAA20260001",
        "plate": "沪A12345",
        "make": "大众",
    }
    assert stored["origin"] == {"lat": 31.2304, "lon": 121.4737, "system": "gcj02"}
    assert slots_from_json(BookingSlots, stored) == slots


def test_a_key_not_stored_takes_its_default_and_other_keys_are_left() -> None:
    old = {"for": {"kind": "maintenance"}, "page": 2, "offered": ["b:more"], "said": {"x": 1}}
    slots = slots_from_json(BookingSlots, old)
    assert slots.purpose == Purpose(BookingKind.MAINTENANCE)
    assert (slots.page, slots.order, slots.exclude, slots.prompt) == (2, None, [], None)


def test_the_report_draft_is_stored_as_the_report_codec_stores_it() -> None:
    draft = ReportDraft(plate="沪A12345", accident_at=datetime(2026, 11, 25, 2, tzinfo=UTC))
    draft.skipped.add(ReportItem.POLICE)
    slots = ReportSlots(draft, history=["plate"], started_at="2026-11-25T10:00:00+08:00")
    stored = slots_to_json(slots)
    assert stored["draft"] == draft_to_json(draft)
    assert slots_from_json(ReportSlots, stored) == slots


def test_the_shared_slots_store_only_what_they_hold() -> None:
    """The router's keys load from their old plain entries; a field at None is no key."""
    old = {"draft": {}, "offered": ["a"], "unclear": 2, "tapped": {"value": "a", "at": "t"}}
    conv = Conversation(party_id=1, locale="zh_CN", slots=copy.deepcopy(old))
    with router_slots.edit(conv) as shared:
        assert (shared.tapped, shared.numbered, shared.said) == (Tapped("a", "t"), None, None)
        shared.unclear, shared.numbered = None, ["a"]
    assert conv.slots == {**{k: v for k, v in old.items() if k != "unclear"}, "numbered": ["a"]}
