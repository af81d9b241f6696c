"""The router's hooks of the booking dialog: /cancel, /back and /bookings."""

from __future__ import annotations

from typing import Any

from dialogs.booking.machine import REVIEW, SLOTS, _leave, reprompt
from dialogs.booking.search import _show_shops, _show_slots
from dialogs.booking.slots import load
from dialogs.booking.views import (
    _shop_of,
    booking_params,
    owner_choices,
    refusal,
)
from dialogs.conversation import Conversation, TurnContext
from domain import booking_services as svc
from domain.errors import Refusal
from messages.outbound import Choice, Outbound


def cancel(conv: Conversation) -> list[Outbound]:
    """``/cancel``: leave the dialog (a booking already made stays; it has its own button)."""
    _leave(conv)
    return [Outbound("booking.dialog_cancelled")]


_PARENT = {REVIEW: "slots", SLOTS: "shops"}


def go_back(conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    try:
        parent = _PARENT.get(conv.state)
        if parent == "slots":
            return _show_slots(conv, ctx, svc.shop_by_code(ctx.uow, load(conv).shop or ""))
        if parent == "shops" and load(conv).reschedule is None:
            return _show_shops(conv, ctx)
    except Refusal as error:
        return [refusal(error), *reprompt(conv)]
    return [Outbound("back.nothing"), *reprompt(conv)]


def list_bookings(conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    """``/bookings``: the owner's open bookings, each with its buttons."""
    listed: list[dict[str, Any]] = []
    choices: list[Choice] = []
    for booking in ctx.uow.bookings.for_owner(conv.party_id)[:10]:
        shop = _shop_of(ctx, booking)
        listed.append(booking_params(booking, shop))
        choices.extend(owner_choices(booking))
    if not listed:
        return [Outbound("booking.list_empty")]
    return [Outbound("booking.list", {"bookings": listed}, tuple(choices))]
