"""One turn inside the owner's booking dialog: each state's step handler."""

from __future__ import annotations

from dialogs import verification
from dialogs.booking.machine import (
    AMOUNT,
    CHECK,
    COMMENT,
    LOCATE,
    PROBLEM,
    REVIEW,
    SHOPS,
    SLOTS,
    VEHICLE,
    Step,
    _answer,
    _b,
    _go,
    _leave,
    _prompt,
    _target,
    reprompt,
)
from dialogs.booking.search import (
    _reschedule,
    _review,
    _send,
    _show_shops,
    _show_slots,
)
from dialogs.booking.slots import BookingSlots, Purpose, keep, load, start_with
from dialogs.booking.start import _already_booked, _ask_vehicle, _for_claim, _known_policies
from dialogs.booking.views import (
    _ask_rating,
    _shop_of,
    _to_insurer,
    booking_params,
    refusal,
    to_shop,
)
from dialogs.conversation import Conversation, TurnContext
from dialogs.moneyparse import read_money
from domain import booking_services as svc
from domain.booking import (
    BookingKind,
)
from domain.errors import Refusal
from domain.geo import CoordinateSystem, GeoPoint, InvalidCoordinates
from domain.policy import Policy, looks_like_plate, normalize_plate
from domain.slots import parse_slot_key
from messages.inbound import Inbound, InboundKind
from messages.outbound import Choice, Outbound, stale_choice_answer


def handle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    try:
        if inbound.kind is InboundKind.LOCATION:
            return _location(conv, inbound, ctx)
        answer = _answer(inbound)
        handler = _STEPS.get(conv.state)
        if handler is None:
            _leave(conv)
            return []
        return handler(conv, answer, inbound, ctx)
    except Refusal as error:
        return [refusal(error), *reprompt(conv)]


def _step_vehicle(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    if answer is not None and answer.startswith("claim:"):
        return _for_claim(conv, answer.removeprefix("claim:"), ctx)
    if answer == "maint":
        return _ask_vehicle(conv, ctx)
    if answer is not None and answer.startswith("car:"):
        policy = ctx.uow.policies.by_number(answer.removeprefix("car:"))
        known = {p.number for p in _known_policies(conv, ctx)}
        if policy is None or policy.number not in known:
            return [stale_choice_answer(), *reprompt(conv)]
        return _vehicle_chosen(conv, policy, ctx)
    text = inbound.text.strip() if inbound.kind is InboundKind.TEXT else ""
    if not looks_like_plate(text):
        return [Outbound("booking.error.plate"), *reprompt(conv)]
    plate = normalize_plate(text)
    paused = verification.locked(ctx, plate, conv.party_id)
    if paused is not None:
        return [paused, *reprompt(conv)]
    slots = load(conv)
    slots.plate_candidate = plate  # known or not: the check answers alike
    keep(conv, slots)
    _go(conv, "to_check")
    return [_prompt(conv, Outbound("booking.ask.check", {"plate": plate}))]


def _step_check(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    plate = load(conv).plate_candidate
    if not plate:
        return _ask_vehicle(conv, ctx)
    typed = inbound.text if inbound.kind is InboundKind.TEXT else ""
    policy = verification.check(ctx, plate, conv.party_id, typed)
    if isinstance(policy, verification.Refused):
        if policy.locked:
            return [policy.notice, *_ask_vehicle(conv, ctx)]
        return [policy.notice, *reprompt(conv)]
    return _vehicle_chosen(conv, policy, ctx)


def _vehicle_chosen(conv: Conversation, policy: Policy, ctx: TurnContext) -> list[Outbound]:
    purpose = Purpose(
        BookingKind.MAINTENANCE, None, policy.number, policy.plate, policy.vehicle.make
    )
    start_with(conv, BookingSlots(purpose))
    existing = ctx.uow.bookings.open_for_plate(conv.party_id, policy.plate)
    if existing is not None:
        _leave(conv)
        return [_already_booked(ctx, existing)]
    _go(conv, "to_locate")
    ask = Outbound(
        "booking.ask.location",
        {"plate": policy.plate},
        (Choice(_b("noloc"), "booking.choice.no_location"),),
        request_location=True,
    )
    return [_prompt(conv, ask)]


def _step_locate(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    if answer == "noloc":
        slots = load(conv)
        slots.origin = None
        keep(conv, slots)
        return _show_shops(conv, ctx)
    return [Outbound("booking.error.location"), *reprompt(conv)]


def _location(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    try:
        point = GeoPoint(
            float(inbound.payload["lat"]),
            float(inbound.payload["lon"]),
            CoordinateSystem(inbound.payload.get("system", "wgs84")),
        )
    except (KeyError, TypeError, ValueError, InvalidCoordinates):
        return [Outbound("booking.error.bad_location"), *reprompt(conv)]
    if conv.state not in (LOCATE, SHOPS):
        return [Outbound("booking.error.location_later"), *reprompt(conv)]
    slots = load(conv)
    slots.origin, slots.page = point, 0
    keep(conv, slots)
    return _show_shops(conv, ctx, reordered_note=True)


def _step_shops(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    slots = load(conv)
    filters = slots.filters
    match answer:
        case "more":
            slots.page += 1
        case "top":
            slots.page = 0
        case "cert" | "near":
            filters[answer] = not filters.get(answer, False)
            slots.page = 0
        case str() if answer.startswith("shop:"):
            shop = svc.shop_by_code(ctx.uow, answer.removeprefix("shop:"))
            slots.shop, slots.after = shop.code, None
            keep(conv, slots)
            return _show_slots(conv, ctx, shop)
        case _:
            return [Outbound("input.use_buttons"), *reprompt(conv)]
    keep(conv, slots)
    return _show_shops(conv, ctx)


def _step_slots(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    slots = load(conv)
    shop = svc.shop_by_code(ctx.uow, slots.shop or "")
    match answer:
        case "later":
            slots.after = slots.last_shown
            keep(conv, slots)
            return _show_slots(conv, ctx, shop)
        case "earliest":
            slots.after = None
            keep(conv, slots)
            return _show_slots(conv, ctx, shop)
        case "shops" if slots.reschedule is None:
            return _show_shops(conv, ctx)
        case str() if answer.startswith("slot:"):
            start = parse_slot_key(answer.removeprefix("slot:"))
            if start is None:
                return [stale_choice_answer(), *reprompt(conv)]
            if slots.reschedule is not None:
                return _reschedule(conv, ctx, shop, answer.removeprefix("slot:"))
            slots.slot = answer.removeprefix("slot:")
            keep(conv, slots)
            return _review(conv, ctx, shop)
    return [Outbound("input.use_buttons"), *reprompt(conv)]


def _step_review(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    shop = svc.shop_by_code(ctx.uow, load(conv).shop or "")
    match answer:
        case "send":
            return _send(conv, ctx, shop)
        case "send_tow":
            return _send(conv, ctx, shop, tow=True)
        case "slots":
            return _show_slots(conv, ctx, shop)
        case "quit":
            _leave(conv)
            return [Outbound("booking.dialog_cancelled")]
    return [Outbound("input.use_buttons"), *reprompt(conv)]


def _step_problem(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    if answer == "keep":
        _leave(conv)
        return [Outbound("booking.nothing_changed")]
    if inbound.kind is not InboundKind.TEXT:
        return [Outbound("booking.error.describe"), *reprompt(conv)]
    booking = svc.report_problem(
        ctx.uow, _target(conv), conv.party_id, inbound.text, ctx.now, ctx.booking
    )
    _leave(conv)
    shop = _shop_of(ctx, booking)
    return [
        Outbound("booking.problem_sent", booking_params(booking, shop)),
        *to_shop(ctx, booking, shop, "booking.shop.problem"),
    ]


def _step_amount(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    if answer == "keep":
        _leave(conv)
        return [Outbound("booking.nothing_changed")]
    amount = read_money(inbound.text, ctx.lexicon) if inbound.kind is InboundKind.TEXT else None
    if answer == "due":  # the amount the shop charged, in one tap
        amount = svc.owner_booking(ctx.uow, _target(conv), conv.party_id).amount_due
    if amount is None:
        return [Outbound("booking.error.amount"), *reprompt(conv)]
    booking = svc.pay(ctx.uow, _target(conv), conv.party_id, amount, ctx.now, ctx.booking)
    _leave(conv)
    shop = _shop_of(ctx, booking)
    return [_ask_rating(booking, shop), *to_shop(ctx, booking, shop, "booking.shop.paid")]


def _step_comment(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    if answer == "skip":
        _leave(conv)
        return [Outbound("booking.thanks")]
    if inbound.kind is not InboundKind.TEXT:
        return [Outbound("booking.error.comment"), *reprompt(conv)]
    booking = svc.comment(ctx.uow, _target(conv), conv.party_id, inbound.text, ctx.now, ctx.booking)
    _leave(conv)
    shop = _shop_of(ctx, booking)
    thanks = Outbound("booking.thanks", {"rating": booking.rating})
    outs = [thanks, *to_shop(ctx, booking, shop, "booking.shop.comment")]
    if booking.flagged:
        outs += _to_insurer(ctx, booking, shop, "booking.insurer.comment")
    return outs


_STEPS: dict[str, Step] = {
    VEHICLE: _step_vehicle,
    CHECK: _step_check,
    LOCATE: _step_locate,
    SHOPS: _step_shops,
    SLOTS: _step_slots,
    REVIEW: _step_review,
    PROBLEM: _step_problem,
    AMOUNT: _step_amount,
    COMMENT: _step_comment,
}
