"""What the booking dialogs share: refusals as answers, buttons as ``Choice``s, and the
notices that tell the other side of every change. The parameters themselves come from
``domain.booking_params`` (the scheduler builds its reminders from the same)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from dialogs.conversation import TurnContext
from domain.booking import Booking, BookingKind
from domain.booking_params import (
    booking_params,
    local_params,
    owner_actions,
    ranked_params,
    reminder_params,
    slot_params,
    staff_actions,
)
from domain.booking_services import direct_repair_figures
from domain.claim_supplement import can_supplement
from domain.errors import Refusal
from domain.money import Money
from domain.ranking import RankedShop
from domain.shop import Shop
from domain.slots import FreeSlot
from domain.staff import pick_region_adjusters
from messages.choices import (
    alternative_shop_choices,
    owner_booking_choices,
    staff_booking_choices,
)
from messages.outbound import Choice, Outbound

__all__ = [
    "alternatives_notice",
    "booking_params",
    "free_slot_choices",
    "local_params",
    "owner_choices",
    "ranked_params",
    "refusal",
    "reminder_params",
    "slot_params",
    "staff_choices",
    "to_owner",
    "to_shop",
]


def refusal(error: Refusal) -> Outbound:
    """``booking.refusal.<reason>`` with the refusal's parameters."""
    return Outbound(f"booking.refusal.{error.reason.removeprefix('booking.')}", error.params)


def owner_choices(booking: Booking) -> tuple[Choice, ...]:
    return owner_booking_choices(booking.id or 0, booking.reference, owner_actions(booking))


def staff_choices(booking: Booking) -> tuple[Choice, ...]:
    """The staff's next steps; while a claim's car is in the shop, also 追加定损."""
    offers = staff_actions(booking)
    if can_supplement(booking):
        offers = (*offers, ("sup", "", "booking.shop.choice.supplement"))
    return staff_booking_choices(booking.id or 0, booking.reference, offers)


def free_slot_choices(
    value: Callable[[str], str], slots: Sequence[FreeSlot], tz: ZoneInfo
) -> list[Choice]:
    """One button per slot; ``value`` makes the button's value of a slot's key."""
    return [Choice(value(s.slot.key), "booking.slot", slot_params(s.slot, tz)) for s in slots]


# --- telling the other side ----------------------------------------------------------------


def to_owner(
    booking: Booking,
    shop: Shop,
    key: str,
    extra: dict[str, Any] | None = None,
    choices: tuple[Choice, ...] | None = None,
) -> Outbound:
    """A notice to the booking's owner, with the buttons of the booking's new state."""
    params = {**booking_params(booking, shop), **(extra or {})}
    buttons = owner_choices(booking) if choices is None else choices
    return Outbound(key, params, buttons, to_party=booking.owner_id)


def alternatives_notice(
    booking: Booking, shop: Shop, key: str, ranked: list[RankedShop]
) -> Outbound:
    """After a decline: the next shops, each a button to its slots."""
    extra = {"alternatives": [ranked_params(r) for r in ranked]}
    shops = [(r.shop.code, ranked_params(r)) for r in ranked]
    choices = (*alternative_shop_choices(booking.id or 0, shops), *owner_choices(booking))
    return to_owner(booking, shop, key, extra, choices)


def to_shop(
    ctx: TurnContext, booking: Booking, shop: Shop, key: str, extra: dict[str, Any] | None = None
) -> list[Outbound]:
    """A notice to each bound staff member of the shop, with their buttons."""
    params = {**booking_params(booking, shop), **(extra or {}), **claim_params(ctx, booking)}
    choices = staff_choices(booking)
    return [
        Outbound(key, params, choices, to_party=staff.party_id)
        for staff in ctx.uow.shops.staff(shop.id)
        if staff.party_id is not None
    ]


def claim_params(ctx: TurnContext, booking: Booking) -> dict[str, Any]:
    """For a claim repair, the assessed loss the shop will repair (定损金额); for a direct
    repair (直赔) also what the insurer pays the shop (``payout``) and the owner's own part
    of the settlement statement, which the owner pays the shop (``owner_pays``; None when
    nothing is the owner's) — never another insurer's share, which is named apart
    (``other_share``)."""
    none: dict[str, Any] = {
        "loss": None,
        "items": 0,
        "payout": None,
        "owner_pays": None,
        "other_share": None,
    }
    if booking.kind is not BookingKind.REPAIR or booking.claim_number is None:
        return none
    claim = ctx.uow.claims.get(booking.claim_number)
    if claim is None:
        return none
    items = claim.adjudication.loss_items
    found = {
        **none,
        "loss": claim.adjudication.loss_total.grouped() if items else None,
        "items": len(items),
    }
    figures = direct_repair_figures(ctx.uow, booking)
    if figures is not None:
        rest = figures.owner_part
        found["loss"] = figures.loss_total.grouped()
        found["payout"] = figures.payout.grouped()
        found["owner_pays"] = rest.grouped() if rest > Money.zero() else None
        others = figures.other_share
        found["other_share"] = others.grouped() if others > Money.zero() else None
    return found


def _shop_of(ctx: TurnContext, booking: Booking) -> Shop:
    shop = ctx.uow.shops.get(booking.shop_id)
    assert shop is not None  # a booking's shop is never deleted (foreign key)
    return shop


def _ask_rating(booking: Booking, shop: Shop, key: str = "booking.ask.rating") -> Outbound:
    return Outbound(key, booking_params(booking, shop), owner_choices(booking))


def _to_insurer(ctx: TurnContext, booking: Booking, shop: Shop, key: str) -> list[Outbound]:
    """A low rating is the insurer's to follow up: the adjusters of the policy's region."""
    region = None
    if booking.policy_number is not None:
        region = ctx.uow.staff.region_of_policy(booking.policy_number)
    adjusters = pick_region_adjusters(ctx.uow.staff.adjusters(), region, booking.owner_id)
    params = {**booking_params(booking, shop), "policy": booking.policy_number}
    return [Outbound(key, params, to_party=a.party_id) for a in adjusters if a.party_id]
