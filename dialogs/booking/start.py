"""Starting a booking: what it is for (a claim's repair or maintenance) and which car."""

from __future__ import annotations

from dialogs.booking.machine import _b, _busy, _go, _leave, _prompt, is_busy
from dialogs.booking.search import _show_shops
from dialogs.booking.slots import BookingSlots, Purpose, start_with
from dialogs.booking.views import (
    _shop_of,
    booking_params,
    owner_choices,
    refusal,
)
from dialogs.conversation import Conversation, TurnContext
from domain import booking_services as svc
from domain.booking import (
    Booking,
    BookingKind,
    RepairComplete,
)
from domain.claim import looks_like_claim_number
from domain.errors import Refusal
from domain.policy import Policy
from messages.choices import START_BOOKING, START_REPORT, StartChoice
from messages.outbound import Choice, Outbound, stale_choice_answer


def is_start(value: str) -> bool:
    start = StartChoice.decode(value)
    return start is not None and start.dialog == START_BOOKING.dialog


def start_choice(value: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    """A ``start:book[:maint|:<claim>]`` button (from an adjuster's notice, a reminder).

    A claim button is checked against the claim like ``/book <claim>``: someone else's
    claim is answered like an unknown one, a claim already booked shows that booking."""
    start = StartChoice.decode(value)
    argument = "" if start is None else start.argument
    if argument not in ("", "maint") and not looks_like_claim_number(argument.upper()):
        return [stale_choice_answer()]
    return begin(conv, argument, ctx)


def book_choice(number: str) -> Choice:
    """The "book a repair" button of a notice about a claim (a tap on it once the claim
    has a booking shows that booking)."""
    return Choice(StartChoice(START_BOOKING.dialog, number).encode(), "booking.choice.book_claim")


def begin(conv: Conversation, argument: str, ctx: TurnContext) -> list[Outbound]:
    """``/book``, ``/book <claim number>`` or ``/book maint``."""
    if is_busy(conv):
        return _busy()
    _leave(conv)
    word = argument.strip()
    try:
        if word and looks_like_claim_number(word.upper()):
            return _for_claim(conv, word, ctx)
        if word.lower() in ("maint", "maintenance") or ctx.lexicon.means(word, "maintenance"):
            return _ask_vehicle(conv, ctx)
        claims = svc.bookable_claims(ctx.uow, conv.party_id)
        if not claims:
            return [_no_claim_to_repair(), *_ask_vehicle(conv, ctx)]
        choices = [
            Choice(_b(f"claim:{c.number}"), "booking.choice.for_claim", {"number": c.number})
            for c in claims[:5]
        ]
        choices.append(Choice(_b("maint"), "booking.choice.maintenance"))
        _go(conv, "to_vehicle")
        return [_prompt(conv, Outbound("booking.ask.purpose", {}, tuple(choices)))]
    except Refusal as error:
        _leave(conv)
        return [refusal(error)]


def _no_claim_to_repair() -> Outbound:
    """"修车" with no claim waiting for a repair: said so, with the report's button, before
    the service booking begins (not begun silently under a repair's name)."""
    return Outbound(
        "booking.no_claim_to_repair", {}, (Choice(START_REPORT.encode(), "intent.choice.report"),)
    )


def _for_claim(conv: Conversation, number: str, ctx: TurnContext) -> list[Outbound]:
    try:
        claim = svc.claim_for_booking(ctx.uow, number, conv.party_id)
    except RepairComplete as error:
        _leave(conv)
        return [_repair_complete(ctx, error)]
    policy = ctx.uow.policies.by_number(claim.policy_number)
    existing = ctx.uow.bookings.open_for_claim(claim.number)
    if existing is not None:
        return [_already_booked(ctx, existing)]
    location = claim.report.location
    make = policy.vehicle.make if policy else None
    purpose = Purpose(
        BookingKind.REPAIR, claim.number, claim.policy_number, claim.report.plate, make
    )
    start_with(conv, BookingSlots(purpose, origin=location))
    return _show_shops(conv, ctx, note=Outbound("booking.started_claim", {"number": claim.number}))


def _repair_complete(ctx: TurnContext, error: RepairComplete) -> Outbound:
    """The claim's repair is done: that booking, its status and its buttons (to rate)."""
    booking = ctx.uow.bookings.get(int(error.params["booking"]))
    if booking is None:
        return refusal(error)
    params = {**booking_params(booking, _shop_of(ctx, booking)), "number": error.params["number"]}
    return Outbound("booking.refusal.repair_complete", params, owner_choices(booking))


def _already_booked(ctx: TurnContext, booking: Booking) -> Outbound:
    """No second booking: the open one instead, its status and its buttons."""
    shop = _shop_of(ctx, booking)
    return Outbound(
        "booking.refusal.already_booked", booking_params(booking, shop), owner_choices(booking)
    )


def _ask_vehicle(conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    """Maintenance: a car the owner has shown is theirs, or a plate to check."""
    policies = _known_policies(conv, ctx)
    start_with(conv, BookingSlots(Purpose(BookingKind.MAINTENANCE)))
    _go(conv, "to_vehicle")
    choices = tuple(
        Choice(
            _b(f"car:{p.number}"), "booking.choice.car", {"plate": p.plate, "make": p.vehicle.make}
        )
        for p in policies
    )
    return [_prompt(conv, Outbound("booking.ask.vehicle", {"known": bool(choices)}, choices))]


def _known_policies(conv: Conversation, ctx: TurnContext) -> list[Policy]:
    numbers = dict.fromkeys(c.policy_number for c in ctx.uow.claims.for_owner(conv.party_id))
    return [p for n in numbers if (p := ctx.uow.policies.by_number(n)) is not None][:5]
