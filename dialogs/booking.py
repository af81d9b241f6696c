"""The owner's booking dialog (维修预约): what for, where from, which shop, which time.

``/book`` (the word 预约, the WeChat menu key BOOK, or a ``start:book:<claim>`` button)
starts it. A claim repair needs an assessed claim of the owner's; a maintenance booking
needs a car the owner has shown is theirs (a claim's policy, or plate plus the policy
check the report uses). Shops are ranked from the accident location, or from a location
the owner shares (any time); then the owner picks a shop, a slot and sends the request.

After that the booking is worked from buttons that name it (``bk:<id>:<action>``): they
may arrive in notices sent from the shop's turns, so they are checked against the
booking, not against the conversation's last offer. The few steps that wait for typed
text (a problem at handover, the amount paid, a comment) are states of this dialog too.

One Machine serves every conversation (see dialogs/report.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from transitions import Machine

from dialogs import verification
from dialogs.booking_views import (
    booking_params,
    claim_params,
    free_slot_choices,
    owner_choices,
    ranked_params,
    refusal,
    reminder_params,
    slot_params,
    to_shop,
)
from dialogs.conversation import IDLE, Conversation, TurnContext
from dialogs.moneyparse import read_money
from dialogs.owner_claims import to_adjuster
from domain import booking_services as svc
from domain.booking import (
    Booking,
    BookingKind,
    BookingStatus,
    RepairComplete,
    SlotFull,
    SlotUnavailable,
    documents,
)
from domain.claim import looks_like_claim_number
from domain.errors import Refusal
from domain.geo import CoordinateSystem, GeoPoint, InvalidCoordinates
from domain.policy import Policy, looks_like_plate, normalize_plate
from domain.ranking import Need, ShopFilter
from domain.shop import Shop
from domain.slots import TimeSlot, parse_slot_key, slot_at
from domain.staff import pick_region_adjusters
from domain.survey_clash import clear_of_survey
from messages.choices import START_BOOKING, BookingChoice, ChoiceKind, StartChoice, StepChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Choice, Outbound, stale_choice_answer

NAME = "booking"
VEHICLE, CHECK, LOCATE, SHOPS, SLOTS, REVIEW = (
    "vehicle",
    "check",
    "locate",
    "shops",
    "slots",
    "review",
)
PROBLEM, AMOUNT, COMMENT = "problem", "amount", "comment"
STATES = [IDLE, VEHICLE, CHECK, LOCATE, SHOPS, SLOTS, REVIEW, PROBLEM, AMOUNT, COMMENT]
NEAR_KM = 10.0
MAX_ORDER = 50  # shop codes remembered to tell whether a shared location reordered them

MACHINE = Machine(
    model=None,
    states=STATES,
    transitions=[
        {"trigger": "to_vehicle", "source": [IDLE, VEHICLE, CHECK, LOCATE], "dest": VEHICLE},
        {"trigger": "to_check", "source": [VEHICLE, CHECK], "dest": CHECK},
        {"trigger": "to_locate", "source": [IDLE, VEHICLE, CHECK, LOCATE, SHOPS], "dest": LOCATE},
        {
            "trigger": "to_shops",
            "source": [IDLE, VEHICLE, CHECK, LOCATE, SHOPS, SLOTS, REVIEW],
            "dest": SHOPS,
        },
        {"trigger": "to_slots", "source": [IDLE, SHOPS, SLOTS, REVIEW], "dest": SLOTS},
        {"trigger": "to_review", "source": [SLOTS, REVIEW], "dest": REVIEW},
        {"trigger": "to_problem", "source": "*", "dest": PROBLEM},
        {"trigger": "to_amount", "source": "*", "dest": AMOUNT},
        {"trigger": "to_comment", "source": "*", "dest": COMMENT},
        {"trigger": "leave", "source": "*", "dest": IDLE},
    ],
    initial=IDLE,
    auto_transitions=False,
)


@contextmanager
def attached(conv: Conversation) -> Iterator[Any]:
    MACHINE.add_model(conv, initial=conv.state)
    try:
        yield conv
    finally:
        MACHINE.remove_model(conv)


def _go(conv: Conversation, trigger: str) -> None:
    """Enter this dialog (if not in it) and fire ``trigger``."""
    if conv.dialog != NAME:
        conv.dialog = NAME
        conv.state = IDLE
    with attached(conv) as machine:
        getattr(machine, trigger)()


def _leave(conv: Conversation) -> None:
    if conv.dialog == NAME:
        with attached(conv) as machine:
            machine.leave()
    conv.reset()


def is_busy(conv: Conversation) -> bool:
    """Another dialog (a report, a dispute) is in progress: it is not silently dropped."""
    return conv.dialog not in (None, NAME)


def _busy() -> list[Outbound]:
    return [Outbound("booking.refusal.busy")]


# --- starting ------------------------------------------------------------------------------


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
            return _ask_vehicle(conv, ctx)
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
    conv.slots = {
        "for": {
            "kind": BookingKind.REPAIR.value,
            "claim": claim.number,
            "policy": claim.policy_number,
            "plate": claim.report.plate,
            "make": policy.vehicle.make if policy else None,
        },
        "origin": None if location is None else _point_json(location),
    }
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
    conv.slots = {"for": {"kind": BookingKind.MAINTENANCE.value}}
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


# --- one turn inside the dialog ------------------------------------------------------------


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


Step = Callable[[Conversation, str | None, Inbound, TurnContext], list[Outbound]]


def _b(answer: str) -> str:
    return StepChoice(ChoiceKind.BOOKING_STEP, answer).encode()


def _answer(inbound: Inbound) -> str | None:
    """The part after ``b:`` of a tapped dialog button; None for anything typed."""
    choice = inbound.kind is InboundKind.CHOICE
    step = StepChoice.decode(ChoiceKind.BOOKING_STEP, inbound.text) if choice else None
    return None if step is None else step.answer


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
    conv.slots["plate_candidate"] = plate  # known or not: the check answers alike
    _go(conv, "to_check")
    return [_prompt(conv, Outbound("booking.ask.check", {"plate": plate}))]


def _step_check(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    plate = conv.slots.get("plate_candidate")
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
    conv.slots = {
        "for": {
            "kind": BookingKind.MAINTENANCE.value,
            "claim": None,
            "policy": policy.number,
            "plate": policy.plate,
            "make": policy.vehicle.make,
        }
    }
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
        conv.slots["origin"] = None
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
    conv.slots["origin"] = _point_json(point)
    conv.slots["page"] = 0
    return _show_shops(conv, ctx, reordered_note=True)


def _step_shops(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    filters = conv.slots.setdefault("filters", {})
    match answer:
        case "more":
            conv.slots["page"] = int(conv.slots.get("page", 0)) + 1
        case "top":
            conv.slots["page"] = 0
        case "cert" | "near":
            filters[answer] = not filters.get(answer, False)
            conv.slots["page"] = 0
        case str() if answer.startswith("shop:"):
            shop = svc.shop_by_code(ctx.uow, answer.removeprefix("shop:"))
            conv.slots["shop"] = shop.code
            conv.slots.pop("after", None)
            return _show_slots(conv, ctx, shop)
        case _:
            return [Outbound("input.use_buttons"), *reprompt(conv)]
    return _show_shops(conv, ctx)


def _step_slots(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    shop = svc.shop_by_code(ctx.uow, conv.slots.get("shop", ""))
    match answer:
        case "later":
            conv.slots["after"] = conv.slots.get("last_shown")
            return _show_slots(conv, ctx, shop)
        case "earliest":
            conv.slots.pop("after", None)
            return _show_slots(conv, ctx, shop)
        case "shops" if conv.slots.get("reschedule") is None:
            return _show_shops(conv, ctx)
        case str() if answer.startswith("slot:"):
            start = parse_slot_key(answer.removeprefix("slot:"))
            if start is None:
                return [stale_choice_answer(), *reprompt(conv)]
            if conv.slots.get("reschedule") is not None:
                return _reschedule(conv, ctx, shop, answer.removeprefix("slot:"))
            conv.slots["slot"] = answer.removeprefix("slot:")
            return _review(conv, ctx, shop)
    return [Outbound("input.use_buttons"), *reprompt(conv)]


def _step_review(
    conv: Conversation, answer: str | None, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    shop = svc.shop_by_code(ctx.uow, conv.slots.get("shop", ""))
    match answer:
        case "send":
            return _send(conv, ctx, shop)
        case "slots":
            return _show_slots(conv, ctx, shop)
        case "quit":
            _leave(conv)
            return [Outbound("booking.dialog_cancelled")]
    return [Outbound("input.use_buttons"), *reprompt(conv)]


# --- showing shops and slots ---------------------------------------------------------------


def _need(conv: Conversation) -> Need:
    purpose = conv.slots.get("for", {})
    kind = BookingKind(purpose.get("kind", BookingKind.MAINTENANCE.value))
    return Need(svc.SERVICE_FOR[kind], _origin(conv), purpose.get("make"))


def _origin(conv: Conversation) -> GeoPoint | None:
    data = conv.slots.get("origin")
    if not data:
        return None
    return GeoPoint(data["lat"], data["lon"], CoordinateSystem(data["system"]))


def _point_json(point: GeoPoint) -> dict[str, Any]:
    return {"lat": point.lat, "lon": point.lon, "system": point.system.value}


def _show_shops(
    conv: Conversation,
    ctx: TurnContext,
    note: Outbound | None = None,
    *,
    reordered_note: bool = False,
) -> list[Outbound]:
    """The ranked shops, a page at a time. ``reordered_note``: say that the list was
    sorted again (a location was shared) if a list was shown before and its order moved."""
    rules = ctx.booking
    need = _need(conv)
    filters = conv.slots.setdefault("filters", {})
    shop_filter = ShopFilter(
        certified_only=bool(filters.get("cert")) and need.make is not None,
        max_km=NEAR_KM if filters.get("near") and need.origin is not None else None,
    )
    exclude = conv.slots.get("exclude", [])
    ranked = svc.search_shops(
        ctx.uow, need, ctx.now, rules, exclude=exclude, shop_filter=shop_filter
    )
    order = [r.shop.code for r in ranked[:MAX_ORDER]]
    shown_before = conv.slots.get("order")
    conv.slots["order"] = order
    if reordered_note and shown_before is not None and shown_before != order:
        note = Outbound("booking.location_saved")
    per = rules.shops_per_page
    page = int(conv.slots.get("page", 0))
    if page * per >= len(ranked):
        page = 0
    conv.slots["page"] = page
    shown = ranked[page * per : (page + 1) * per]
    choices = [
        Choice(_b(f"shop:{r.shop.code}"), "booking.choice.shop", ranked_params(r)) for r in shown
    ]
    if (page + 1) * per < len(ranked):
        choices.append(Choice(_b("more"), "booking.choice.more_shops"))
    elif page > 0:
        choices.append(Choice(_b("top"), "booking.choice.first_shops"))
    if need.make is not None:
        choices.append(
            Choice(
                _b("cert"),
                "booking.choice.filter_certified",
                {"on": bool(filters.get("cert")), "make": need.make},
            )
        )
    if need.origin is not None:
        choices.append(
            Choice(
                _b("near"),
                "booking.choice.filter_near",
                {"on": bool(filters.get("near")), "km": NEAR_KM},
            )
        )
    _go(conv, "to_shops")
    params = {
        "shops": [ranked_params(r) for r in shown],
        "from": "location" if need.origin is not None else None,
        "make": need.make,
        "kind": conv.slots.get("for", {}).get("kind"),
        "page": page + 1,
        "total": len(ranked),
    }
    ask = _prompt(conv, Outbound("booking.ask.shop", params, tuple(choices), request_location=True))
    return [note, ask] if note is not None else [ask]


def _show_slots(conv: Conversation, ctx: TurnContext, shop: Shop) -> list[Outbound]:
    rules = ctx.booking
    after = parse_slot_key(conv.slots.get("after") or "")
    own = _own_slots(conv, ctx)
    found = svc.shop_slots(
        ctx.uow,
        shop,
        ctx.now,
        rules,
        after=after,
        limit=rules.slots_per_page + 1 + len(own),
        exclude=conv.slots.get("reschedule"),
    )
    claim = conv.slots.get("for", {}).get("claim")
    free = [s for s in clear_of_survey(ctx.uow, claim, found) if s.slot not in own]
    shown = free[: rules.slots_per_page]
    choices = free_slot_choices(lambda key: _b(f"slot:{key}"), shown, shop.tz)
    if len(free) > len(shown):
        choices.append(Choice(_b("later"), "booking.choice.later_slots"))
    if after is not None:
        choices.append(Choice(_b("earliest"), "booking.choice.earliest_slots"))
    if conv.slots.get("reschedule") is None:
        choices.append(Choice(_b("shops"), "booking.choice.other_shop"))
    conv.slots["last_shown"] = shown[-1].slot.key if shown else None
    _go(conv, "to_slots")
    params = {"shop": shop.name, "count": len(shown), "days": rules.slots.horizon_days}
    return [_prompt(conv, Outbound("booking.ask.slot", params, tuple(choices)))]


def _own_slots(conv: Conversation, ctx: TurnContext) -> list[TimeSlot]:
    """When rescheduling, the booking's own slots: not offered as a new time."""
    booking_id = conv.slots.get("reschedule")
    booking = None if booking_id is None else ctx.uow.bookings.get(int(booking_id))
    if booking is None:
        return []
    return [booking.slot] + ([] if booking.kept_slot is None else [booking.kept_slot])


def _review(conv: Conversation, ctx: TurnContext, shop: Shop) -> list[Outbound]:
    start = parse_slot_key(conv.slots.get("slot") or "")
    assert start is not None
    purpose = conv.slots.get("for", {})
    probe = Booking(
        kind=BookingKind(purpose["kind"]),
        shop_id=shop.id,
        owner_id=conv.party_id,
        slot=slot_at(shop, start),
        created_at=ctx.now,
        claim_number=purpose.get("claim"),
        plate=purpose.get("plate"),
    )
    params = {
        "shop": shop.name,
        "address": shop.address,
        "slot": slot_params(probe.slot, shop.tz),
        "kind": probe.kind.value,
        "claim": probe.claim_number,
        "plate": probe.plate,
        "documents": documents(probe),
        "hold_minutes": int(ctx.booking.hold.total_seconds() // 60),
    }
    choices = (
        Choice(_b("send"), "booking.choice.send"),
        Choice(_b("slots"), "booking.choice.other_time"),
        Choice(_b("quit"), "booking.choice.quit"),
    )
    _go(conv, "to_review")
    return [_prompt(conv, Outbound("booking.ask.review", params, choices))]


def _send(conv: Conversation, ctx: TurnContext, shop: Shop) -> list[Outbound]:
    purpose = conv.slots.get("for", {})
    start = parse_slot_key(conv.slots.get("slot") or "")
    assert start is not None
    request = svc.BookingRequest(
        kind=BookingKind(purpose["kind"]),
        shop_code=shop.code,
        slot_start=start,
        claim_number=purpose.get("claim"),
        policy_number=purpose.get("policy"),
        plate=purpose.get("plate"),
        make=purpose.get("make"),
        origin=_origin(conv),
    )
    try:
        booking = svc.request_booking(ctx.uow, request, conv.party_id, ctx.now, ctx.booking)
    except (SlotFull, SlotUnavailable) as error:
        return [refusal(error), *_show_slots(conv, ctx, shop)]
    _leave(conv)
    reply = Outbound("booking.requested", booking_params(booking, shop), owner_choices(booking))
    return [reply, *to_shop(ctx, booking, shop, "booking.shop.request")]


def _reschedule(conv: Conversation, ctx: TurnContext, shop: Shop, key: str) -> list[Outbound]:
    booking_id = int(conv.slots["reschedule"])
    start = parse_slot_key(key)
    assert start is not None
    try:
        booking = svc.reschedule(ctx.uow, booking_id, conv.party_id, start, ctx.now, ctx.booking)
    except (SlotFull, SlotUnavailable) as error:
        return [refusal(error), *_show_slots(conv, ctx, shop)]
    _leave(conv)
    reply = Outbound("booking.rescheduled", booking_params(booking, shop), owner_choices(booking))
    return [reply, *to_shop(ctx, booking, shop, "booking.shop.rescheduled")]


# --- typed answers after the booking was made ------------------------------------------------


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


def _target(conv: Conversation) -> int:
    return int(conv.slots["booking"])


def _shop_of(ctx: TurnContext, booking: Booking) -> Shop:
    shop = ctx.uow.shops.get(booking.shop_id)
    assert shop is not None  # a booking's shop is never deleted (foreign key)
    return shop


# --- buttons that name a booking --------------------------------------------------------------


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
    conv.slots = {"reschedule": booking.id, "shop": shop.code}
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
    conv.slots["shop"] = shop.code
    return _show_slots(conv, ctx, shop)


def _carry_over(conv: Conversation, booking: Booking, exclude: list[str]) -> None:
    conv.slots = {
        "for": {
            "kind": booking.kind.value,
            "claim": booking.claim_number,
            "policy": booking.policy_number,
            "plate": booking.plate,
            "make": booking.make,
        },
        "origin": None if booking.origin is None else _point_json(booking.origin),
        "exclude": exclude,
    }


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
    booking.require(BookingStatus.ACCEPTED, action="pay")
    return _await_text(conv, booking, "to_amount", "booking.ask.amount")


def _await_text(conv: Conversation, booking: Booking, trigger: str, key: str) -> list[Outbound]:
    if is_busy(conv):
        return _busy()
    _leave(conv)
    conv.slots = {"booking": booking.id}
    _go(conv, trigger)
    choices = (Choice(_b("keep"), "booking.choice.never_mind"),)
    return [_prompt(conv, Outbound(key, {"ref": booking.reference}, choices))]


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
    conv.slots = {"booking": booking.id}
    _go(conv, "to_comment")
    return [_prompt(conv, ask), *outs]


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


# --- the router's hooks -----------------------------------------------------------------------


def cancel(conv: Conversation) -> list[Outbound]:
    """``/cancel``: leave the dialog (a booking already made stays; it has its own button)."""
    _leave(conv)
    return [Outbound("booking.dialog_cancelled")]


_PARENT = {REVIEW: "slots", SLOTS: "shops"}


def go_back(conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    try:
        parent = _PARENT.get(conv.state)
        if parent == "slots":
            return _show_slots(conv, ctx, svc.shop_by_code(ctx.uow, conv.slots.get("shop", "")))
        if parent == "shops" and conv.slots.get("reschedule") is None:
            return _show_shops(conv, ctx)
    except Refusal as error:
        return [refusal(error), *reprompt(conv)]
    return [Outbound("back.nothing"), *reprompt(conv)]


def reprompt(conv: Conversation) -> list[Outbound]:
    """The question the dialog waits on, as last asked."""
    prompt = conv.slots.get("prompt")
    return [Outbound.from_payload(prompt)] if prompt else []


def _prompt(conv: Conversation, question: Outbound) -> Outbound:
    conv.slots["prompt"] = question.to_payload()
    return question


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
