"""What the booking dialog keeps between turns besides its step (the machine's state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dialogs.conversation import Conversation
from dialogs.slots_codec import slots_from_json, slots_to_json
from domain.booking import BookingKind
from domain.geo import GeoPoint


@dataclass
class Purpose:
    """What the booking is for: a claim's repair, or maintenance of a car."""

    kind: BookingKind = BookingKind.MAINTENANCE
    claim: str | None = None
    policy: str | None = None
    plate: str | None = None
    make: str | None = None


@dataclass
class BookingSlots:
    purpose: Purpose | None = field(default=None, metadata={"key": "for"})
    origin: GeoPoint | None = None  # where shops are ranked from
    plate_candidate: str | None = None  # a plate typed, waiting for its policy check
    filters: dict[str, bool] = field(default_factory=dict)  # "cert", "near"
    page: int = 0  # of the ranked shops
    order: list[str] | None = None  # the shop codes last shown, in order
    exclude: list[str] = field(default_factory=list)  # shops not to offer again
    shop: str | None = None  # the shop chosen
    after: str | None = None  # slots shown after this one ("later")
    last_shown: str | None = None
    slot: str | None = None  # the slot chosen
    reschedule: int | None = None  # the booking whose time is being moved
    booking: int | None = None  # the booking a typed answer is for
    prompt: dict[str, Any] | None = None  # the question last asked, as an outbox payload


def load(conv: Conversation) -> BookingSlots:
    return slots_from_json(BookingSlots, conv.slots)


def keep(conv: Conversation, slots: BookingSlots) -> None:
    conv.slots.update(slots_to_json(slots))


def start_with(conv: Conversation, slots: BookingSlots) -> None:
    """Slots of a new booking step: nothing of the last one is kept."""
    conv.slots = slots_to_json(slots)
