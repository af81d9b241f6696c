"""Bookings in chat as the router sees them: ``/book``, ``/bookings``, the buttons that
name a booking (``bk:`` for its owner, ``sh:`` for its shop, ``start:book``), and the two
booking dialogs (the owner's ``booking``, the shop staff's ``shop``)."""

from __future__ import annotations

from dialogs import booking, claims, shop
from dialogs.booking_views import refusal
from dialogs.claim_views import refusal as claim_refusal
from dialogs.conversation import Conversation, TurnContext
from dialogs.messages import Inbound, Outbound
from domain import booking_services as svc
from domain.errors import Refusal

# /bind is looked at here first: a shop invite binds shop staff; any other code goes on to
# the adjusters' /bind (dialogs/adjuster.py), which judges it.
COMMANDS = frozenset({"/book", "/bookings", "/bind"})
MAX_CODE = 40
DIALOGS = frozenset({booking.NAME, shop.NAME})


def is_booking_choice(value: str) -> bool:
    return booking.is_owner_choice(value) or shop.is_staff_choice(value) or booking.is_start(value)


def choose(conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
    if shop.is_staff_choice(value):
        return shop.choose(conv, value, ctx)
    if booking.is_start(value):
        return booking.start_choice(value, conv, ctx)
    return booking.choose(conv, value, ctx)


def run_command(name: str, argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    if name == "/bind":
        return _bind(argument, conv, ctx)
    if name == "/bookings":
        if shop.is_staff(conv, ctx):
            return shop.list_bookings(conv, ctx)
        return booking.list_bookings(conv, ctx)
    return booking.begin(conv, argument, ctx)


def handle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    if conv.dialog == shop.NAME:
        return shop.handle(conv, inbound, ctx)
    return booking.handle(conv, inbound, ctx)


def cancel(conv: Conversation) -> list[Outbound]:
    if conv.dialog == shop.NAME:
        return shop.cancel(conv)
    return booking.cancel(conv)


def go_back(conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    if conv.dialog == shop.NAME:
        return [Outbound("back.nothing"), *shop.reprompt(conv)]
    return booking.go_back(conv, ctx)


def reprompt(conv: Conversation) -> list[Outbound]:
    if conv.dialog == shop.NAME:
        return shop.reprompt(conv)
    return booking.reprompt(conv)


def help_topic(conv: Conversation, ctx: TurnContext) -> Outbound:
    return Outbound("booking.help.staff" if shop.is_staff(conv, ctx) else "booking.help.owner")


def _bind(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    code = argument.strip()
    try:
        bound = (
            svc.bind_shop_staff(ctx.uow, code, conv.party_id, ctx.now)
            if 0 < len(code) <= MAX_CODE
            else None
        )
    except Refusal as error:
        own = error.reason.startswith("booking.")
        return [refusal(error) if own else claim_refusal(error)]
    if bound is None:
        return claims.run_command("/bind", argument, conv, ctx)
    shop_ = ctx.uow.shops.get(bound.shop_id)
    return [
        Outbound("booking.shop.bound", {"name": bound.name, "shop": shop_.name if shop_ else ""})
    ]
