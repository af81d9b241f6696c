"""Bookings in chat as the router sees them: ``/book``, ``/bookings``, ``/bind`` (a shop's
invite), the buttons that name a booking (``bk:`` for its owner, ``sh:`` for its shop,
``start:book``), and the two booking dialogs: the owner's ``booking`` and the shop
staff's ``shop``, each a registry entry of its own."""

from __future__ import annotations

from dialogs import booking, shop, verification
from dialogs.booking.views import refusal
from dialogs.claims import dialog as claims
from dialogs.claims.views import refusal as claim_refusal
from dialogs.conversation import Conversation, TurnContext
from dialogs.dialog import DialogBase, MenuItem, Word
from domain import booking_services as svc
from domain.errors import Refusal
from messages.inbound import Inbound
from messages.outbound import Outbound

MAX_CODE = 40


class BookingDialog(DialogBase):
    name = booking.NAME
    # /bind is looked at here first: a shop invite binds shop staff; any other code goes on
    # to the adjusters' /bind (dialogs/claims/adjuster.py), which judges it.
    commands = frozenset({"/book", "/bookings", "/bind"})
    menu_commands = ("book",)
    menu = (MenuItem("BOOK", "wechat.menu.book", "/book"),)
    words = (Word("book", "/book"),)  # the lexicon's words that start a booking (预约, ...)

    def owns_choice(self, value: str) -> bool:
        return booking.is_owner_choice(value) or booking.is_start(value)

    def choose(self, conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
        if booking.is_start(value):
            return booking.start_choice(value, conv, ctx)
        return booking.choose(conv, value, ctx)

    def run(
        self, command: str, argument: str, conv: Conversation, ctx: TurnContext
    ) -> list[Outbound]:
        if command == "/bind":
            return _bind(argument, conv, ctx)
        if command == "/bookings":
            if shop.is_staff(conv, ctx):
                return shop.list_bookings(conv, ctx)
            return booking.list_bookings(conv, ctx)
        return booking.begin(conv, argument, ctx)

    def begin(self, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
        return booking.begin(conv, "", ctx)

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        return booking.handle(conv, inbound, ctx)

    def cancel(self, conv: Conversation) -> list[Outbound]:
        return booking.cancel(conv)

    def back(self, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
        return booking.go_back(conv, ctx)

    def reprompt(self, conv: Conversation) -> list[Outbound]:
        return booking.reprompt(conv)


class ShopDialog(DialogBase):
    name = shop.NAME

    def owns_choice(self, value: str) -> bool:
        return shop.is_staff_choice(value)

    def choose(self, conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
        return shop.choose(conv, value, ctx)

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        return shop.handle(conv, inbound, ctx)

    def cancel(self, conv: Conversation) -> list[Outbound]:
        return shop.cancel(conv)

    def reprompt(self, conv: Conversation) -> list[Outbound]:
        return shop.reprompt(conv)

    def role_help(self, conv: Conversation, ctx: TurnContext) -> str | None:
        return "help.shop" if shop.is_staff(conv, ctx) else None


def _bind(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    code = argument.strip()
    paused = verification.bind_attempt(ctx, conv.party_id, code) if code else None
    if paused is not None:
        return [paused]
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


BOOKING = BookingDialog()
SHOP = ShopDialog()
