"""Buttons that name a booking (``bk:<id>:<action>``), checked against the booking."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dialogs.booking.machine import _b, _busy, _go, _leave, _prompt, is_busy
from dialogs.booking.search import _show_shops, _show_slots
from dialogs.booking.slots import BookingSlots, Purpose, keep, load, start_with
from dialogs.booking.views import (
    _shop_of,
    _to_insurer,
    booking_params,
    claim_params,
    owner_choices,
    refusal,
    reminder_params,
    slot_params,
    to_shop,
)
from dialogs.claims.owner import to_adjuster
from dialogs.conversation import Conversation, TurnContext
from domain import booking_services as svc
from domain.booking import (
    Booking,
    BookingStatus,
)
from domain.errors import Refusal
from messages.choices import BookingChoice
from messages.outbound import Choice, Outbound, stale_choice_answer


def is_owner_choice(value: str) -> bool:
    return BookingChoice.matches(value)


def choose(conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
    """``bk:<id>:<action>[:<argument>]``: checked against the booking, not the last offer."""
    choice = BookingChoice.decode(value)
    handler = None if choice is None else _ACTIONS.get(choice.action)
    if choice is None or handler is None:
        return [stale_choice_answer()]
    try:
        booking = svc.owner_booking(ctx.uow, choice.booking_id, conv.party_id)
        return handler(conv, booking, choice.argument, ctx)
    except Refusal as error:
        return [refusal(error)]


Action = Callable[[Conversation, Booking, str, TurnContext], list[Outbound]]


def _act_take(conv: Conversation, booking: Booking, arg: str, ctx: TurnContext) -> list[Outbound]:
    booking = svc.accept_proposal(ctx.uow, booking.id or 0, conv.party_id, ctx.now, ctx.booking)
    shop = _shop_of(ctx, booking)
    params = {**booking_params(booking, shop), **reminder_params(booking, ctx.booking, ctx.now)}
    return [
        Outbound("booking.proposal_taken", params, owner_choices(booking)),
        *to_shop(ctx, booking, shop, "booking.shop.proposal_taken"),
    ]


def _act_reschedule(
    conv: Conversation, booking: Booking, arg: str, ctx: TurnContext
) -> list[Outbound]:
    booking.check_reschedule(ctx.now, ctx.booking)
    if is_busy(conv):
        return _busy()
    shop = _shop_of(ctx, booking)
    _leave(conv)
    start_with(conv, BookingSlots(reschedule=booking.id, shop=shop.code))
    return _show_slots(conv, ctx, shop)


def _act_cancel(conv: Conversation, booking: Booking, arg: str, ctx: TurnContext) -> list[Outbound]:
    booking.check_cancel(ctx.now, ctx.booking)
    shop = _shop_of(ctx, booking)
    choices = (
        Choice(BookingChoice(booking.id or 0, "cancel_yes").encode(), "booking.choice.cancel_yes"),
        Choice(BookingChoice(booking.id or 0, "keep").encode(), "booking.choice.keep"),
    )
    return [Outbound("booking.ask.cancel", booking_params(booking, shop), choices)]


def _act_cancel_yes(
    conv: Conversation, booking: Booking, arg: str, ctx: TurnContext
) -> list[Outbound]:
    asked = booking.pending_move  # withdrawn with the booking
    booking = svc.cancel(ctx.uow, booking.id or 0, conv.party_id, ctx.now, ctx.booking)
    shop = _shop_of(ctx, booking)
    extra = {"withdrawn": None if asked is None else slot_params(asked, shop.tz)}
    return [
        Outbound("booking.cancelled", {**booking_params(booking, shop), **extra}),
        *to_shop(ctx, booking, shop, "booking.shop.cancelled", extra),
    ]


def _act_keep(conv: Conversation, booking: Booking, arg: str, ctx: TurnContext) -> list[Outbound]:
    shop = _shop_of(ctx, booking)
    return [Outbound("booking.kept", booking_params(booking, shop), owner_choices(booking))]


def _act_others(conv: Conversation, booking: Booking, arg: str, ctx: TurnContext) -> list[Outbound]:
    """After a decline or an expiry: the search again, without that shop."""
    booking.require(BookingStatus.DECLINED, BookingStatus.EXPIRED, action="others")
    if is_busy(conv):
        return _busy()
    shop = _shop_of(ctx, booking)
    _leave(conv)
    _carry_over(conv, booking, exclude=[shop.code])
    return _show_shops(conv, ctx)


def _act_alternative(
    conv: Conversation, booking: Booking, arg: str, ctx: TurnContext
) -> list[Outbound]:
    """One of the next shops offered after a decline or an expiry: its slots."""
    booking.require(BookingStatus.DECLINED, BookingStatus.EXPIRED, action="alternative")
    if is_busy(conv):
        return _busy()
    shop = svc.shop_by_code(ctx.uow, arg)
    _leave(conv)
    _carry_over(conv, booking, exclude=[])
    slots = load(conv)
    slots.shop = shop.code
    keep(conv, slots)
    return _show_slots(conv, ctx, shop)


def _carry_over(conv: Conversation, booking: Booking, exclude: list[str]) -> None:
    purpose = Purpose(
        booking.kind, booking.claim_number, booking.policy_number, booking.plate, booking.make
    )
    start_with(conv, BookingSlots(purpose, origin=booking.origin, exclude=exclude))


def _act_accept(conv: Conversation, booking: Booking, arg: str, ctx: TurnContext) -> list[Outbound]:
    booking = svc.accept_repair(ctx.uow, booking.id or 0, conv.party_id, ctx.now, ctx.booking)
    shop = _shop_of(ctx, booking)
    notices = to_shop(ctx, booking, shop, "booking.shop.accepted")
    if booking.status is BookingStatus.PAID:  # direct repair: the insurer pays the shop
        params = {**booking_params(booking, shop), **claim_params(ctx, booking)}
        reply = Outbound("booking.accepted_direct", params, owner_choices(booking))
        return [reply, *notices, *_to_claim_adjuster(ctx, booking, params)]
    reply = Outbound("booking.accepted", booking_params(booking, shop), owner_choices(booking))
    return [reply, *notices]


def _to_claim_adjuster(
    ctx: TurnContext, booking: Booking, params: dict[str, Any]
) -> list[Outbound]:
    """A direct repair was accepted: the claim's adjuster may now record the payment."""
    claim = None if booking.claim_number is None else ctx.uow.claims.get(booking.claim_number)
    if claim is None:
        return []
    return to_adjuster(claim, ctx, "booking.insurer.repair_accepted", params)


def _act_problem(
    conv: Conversation, booking: Booking, arg: str, ctx: TurnContext
) -> list[Outbound]:
    booking.require(BookingStatus.READY, action="problem")
    return _await_text(conv, booking, "to_problem", "booking.ask.problem")


def _act_pay(conv: Conversation, booking: Booking, arg: str, ctx: TurnContext) -> list[Outbound]:
    """我已付款: the amount the shop charged is proposed in one tap; another may be typed."""
    booking.require(BookingStatus.ACCEPTED, action="pay")
    due = booking.amount_due
    shown = None if due is None else due.grouped()
    offer = () if shown is None else (Choice(_b("due"), "booking.choice.pay_due", {"due": shown}),)
    return _await_text(conv, booking, "to_amount", "booking.ask.amount", {"due": shown}, offer)


def _await_text(
    conv: Conversation,
    booking: Booking,
    trigger: str,
    key: str,
    params: dict[str, Any] | None = None,
    offers: tuple[Choice, ...] = (),
) -> list[Outbound]:
    if is_busy(conv):
        return _busy()
    _leave(conv)
    start_with(conv, BookingSlots(booking=booking.id))
    _go(conv, trigger)
    choices = (*offers, Choice(_b("keep"), "booking.choice.never_mind"))
    asked = {"ref": booking.reference, **(params or {})}
    return [_prompt(conv, Outbound(key, asked, choices))]


def _act_rate(conv: Conversation, booking: Booking, arg: str, ctx: TurnContext) -> list[Outbound]:
    if not arg.isdigit():
        return [stale_choice_answer()]
    booking = svc.rate(ctx.uow, booking.id or 0, conv.party_id, int(arg), ctx.now, ctx.booking)
    shop = _shop_of(ctx, booking)
    outs = to_shop(ctx, booking, shop, "booking.shop.rated")
    if booking.flagged:
        outs += _to_insurer(ctx, booking, shop, "booking.insurer.low_rating")
    ask = Outbound(
        "booking.rated",
        booking_params(booking, shop),
        (Choice(_b("skip"), "booking.choice.no_comment"),),
    )
    if is_busy(conv):  # the stars count; a comment waits until the other dialog is done
        return [Outbound("booking.rated_thanks", booking_params(booking, shop)), *outs]
    _leave(conv)
    start_with(conv, BookingSlots(booking=booking.id))
    _go(conv, "to_comment")
    return [_prompt(conv, ask), *outs]


_ACTIONS: dict[str, Action] = {
    "take": _act_take,
    "resched": _act_reschedule,
    "cancel": _act_cancel,
    "cancel_yes": _act_cancel_yes,
    "keep": _act_keep,
    "others": _act_others,
    "alt": _act_alternative,
    "accept": _act_accept,
    "problem": _act_problem,
    "pay": _act_pay,
    "rate": _act_rate,
}
