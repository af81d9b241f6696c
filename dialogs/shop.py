"""Shop staff answer by replying (修理厂确认): confirm, propose another time, decline with
a reason; then arrived (到店登记), repair started with an estimated completion, ready.

The request card and every later notice carry buttons that name the booking
(``sh:<id>:<action>``); they are checked against the booking and against the staff
member's shop (another shop's booking is "not found"), not against the conversation's
last offer. Proposing a time, a decline's reason, an estimate and a supplement's items
(追加定损, ``dialogs.shop_supplement``) are asked for in this dialog (one shared Machine,
see dialogs/report/machine.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from transitions import Machine

from dialogs import shop_quote as quoting
from dialogs import shop_supplement as supplement
from dialogs.booking.views import (
    alternatives_notice,
    booking_params,
    claim_params,
    free_slot_choices,
    local_params,
    refusal,
    reminder_params,
    slot_params,
    staff_choices,
    to_owner,
)
from dialogs.conversation import IDLE, Conversation, TurnContext
from dialogs.machines import fire
from dialogs.shop_slots import ShopSlots, keep, load
from dialogs.slots_codec import slots_to_json
from dialogs.timeparse import parse_appointment_time
from domain import booking_services as svc
from domain.booking import (
    Booking,
    BookingStatus,
    SlotFull,
    SlotUnavailable,
)
from domain.claim_supplement import SUPPLEMENT_STAGES, NotAClaimRepair, shop_supplement
from domain.errors import Refusal
from domain.shop import Shop, ShopStaff
from domain.slots import key_of, parse_slot_key
from messages.choices import ChoiceKind, ShopChoice, StepChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Choice, Outbound, stale_choice_answer

NAME = "shop"
PROPOSE, REASON, ESTIMATE, SUPPLEMENT = "propose", "reason", "estimate", "supplement"
QUOTE, FINAL = "quote", "final"
READY_BY = time(18, 0)  # the quick estimates: today, tomorrow, the day after, at 18:00

MACHINE = Machine(
    model=None,
    states=[IDLE, PROPOSE, REASON, ESTIMATE, SUPPLEMENT, QUOTE, FINAL],
    transitions=[
        {"trigger": "to_propose", "source": [IDLE, PROPOSE], "dest": PROPOSE},
        {"trigger": "to_reason", "source": IDLE, "dest": REASON},
        {"trigger": "to_estimate", "source": IDLE, "dest": ESTIMATE},
        {"trigger": "to_supplement", "source": IDLE, "dest": SUPPLEMENT},
        {"trigger": "to_quote", "source": ESTIMATE, "dest": QUOTE},
        {"trigger": "to_final", "source": IDLE, "dest": FINAL},
        {"trigger": "leave", "source": "*", "dest": IDLE},
    ],
    initial=IDLE,
    auto_transitions=False,
)


def move(conv: Conversation, trigger: str) -> None:
    """Fire ``trigger`` on this dialog's machine (dialogs.machines)."""
    fire(MACHINE, conv, trigger)


def _enter(conv: Conversation, trigger: str, booking: Booking) -> None:
    """Leave whatever step of this dialog was open, then wait for ``trigger``'s answer."""
    _leave(conv)
    conv.dialog = NAME
    conv.slots = slots_to_json(ShopSlots(booking=booking.id))
    move(conv, trigger)


def _leave(conv: Conversation) -> None:
    if conv.dialog == NAME:
        move(conv, "leave")
    conv.reset()


def _prompt(conv: Conversation, question: Outbound) -> Outbound:
    slots = load(conv)
    slots.prompt = question.to_payload()
    keep(conv, slots)
    return question


def reprompt(conv: Conversation) -> list[Outbound]:
    prompt = load(conv).prompt
    return [Outbound.from_payload(prompt)] if prompt else []


def cancel(conv: Conversation) -> list[Outbound]:
    _leave(conv)
    return [Outbound("booking.nothing_changed")]


# --- buttons that name a booking -----------------------------------------------------------


def is_staff_choice(value: str) -> bool:
    return ShopChoice.matches(value)


def choose(conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
    """``sh:<id>:<action>``, for the staff of the booking's shop only."""
    choice = ShopChoice.decode(value)
    if choice is None or choice.action not in _ACTIONS:
        return [stale_choice_answer()]
    try:
        staff = svc.shop_staff(ctx.uow, conv.party_id)
        booking = svc.staff_booking(ctx.uow, choice.booking_id, staff)
        return _ACTIONS[choice.action](conv, staff, booking, ctx)
    except Refusal as error:
        return [refusal(error)]


Action = Callable[[Conversation, ShopStaff, Booking, TurnContext], list[Outbound]]


def _shop(ctx: TurnContext, booking: Booking) -> Shop:
    shop = ctx.uow.shops.get(booking.shop_id)
    assert shop is not None  # a booking's shop is never deleted (foreign key)
    return shop


def _done(
    key: str, booking: Booking, shop: Shop, notice: str, extra: dict[str, Any] | None = None
) -> list[Outbound]:
    """The staff member's confirmation (with the next buttons) and the owner's notice."""
    params = {**booking_params(booking, shop), **(extra or {})}
    return [Outbound(key, params, staff_choices(booking)), to_owner(booking, shop, notice, extra)]


def _act_confirm(
    conv: Conversation, staff: ShopStaff, booking: Booking, ctx: TurnContext
) -> list[Outbound]:
    booking = svc.confirm(ctx.uow, booking.id or 0, staff, ctx.now, ctx.booking)
    reminders = reminder_params(booking, ctx.booking, ctx.now)
    shop = _shop(ctx, booking)
    return _done("booking.shop.done.confirmed", booking, shop, "booking.confirmed", reminders)


def _act_arrived(
    conv: Conversation, staff: ShopStaff, booking: Booking, ctx: TurnContext
) -> list[Outbound]:
    booking = svc.arrive(ctx.uow, booking.id or 0, staff, ctx.now, ctx.booking)
    return _done("booking.shop.done.arrived", booking, _shop(ctx, booking), "booking.arrived")


def _act_ready(
    conv: Conversation, staff: ShopStaff, booking: Booking, ctx: TurnContext
) -> list[Outbound]:
    """已完工: the final amount is asked first (the quote in one tap)."""
    booking.require(BookingStatus.IN_REPAIR, BookingStatus.PROBLEM, action="ready")
    if (busy := _busy(conv)) is not None:
        return busy
    _enter(conv, "to_final", booking)
    return [_prompt(conv, quoting.ask_final(booking))]


def _busy(conv: Conversation) -> list[Outbound] | None:
    if conv.dialog not in (None, NAME):
        return [Outbound("booking.refusal.busy")]
    return None


def _act_propose(
    conv: Conversation, staff: ShopStaff, booking: Booking, ctx: TurnContext
) -> list[Outbound]:
    booking.require(BookingStatus.HELD, action="propose")
    if (busy := _busy(conv)) is not None:
        return busy
    _enter(conv, "to_propose", booking)
    return _show_slots(conv, ctx, booking)


def _act_decline(
    conv: Conversation, staff: ShopStaff, booking: Booking, ctx: TurnContext
) -> list[Outbound]:
    booking.require(BookingStatus.HELD, action="decline")
    if (busy := _busy(conv)) is not None:
        return busy
    _enter(conv, "to_reason", booking)
    choices = (Choice(_s("quit"), "booking.choice.never_mind"),)
    kept = booking.kept_slot  # declining a move keeps this time
    shown = None if kept is None else slot_params(kept, _shop(ctx, booking).tz)
    params = {"ref": booking.reference, "kept": shown}
    return [_prompt(conv, Outbound("booking.shop.ask.reason", params, choices))]


def _act_start(
    conv: Conversation, staff: ShopStaff, booking: Booking, ctx: TurnContext
) -> list[Outbound]:
    booking.require(
        BookingStatus.ARRIVED, BookingStatus.IN_REPAIR, BookingStatus.PROBLEM, action="start"
    )
    if (busy := _busy(conv)) is not None:
        return busy
    shop = _shop(ctx, booking)
    _enter(conv, "to_estimate", booking)
    choices = [
        Choice(
            _s(f"est:{key_of(moment)}"),
            "booking.shop.choice.estimate",
            local_params(moment, shop.tz),
        )
        for moment in _quick_estimates(shop, ctx.now)
    ]
    choices.append(Choice(_s("quit"), "booking.choice.never_mind"))
    ask = Outbound("booking.shop.ask.estimate", {"ref": booking.reference}, tuple(choices))
    return [_prompt(conv, ask)]


def _act_supplement(
    conv: Conversation, staff: ShopStaff, booking: Booking, ctx: TurnContext
) -> list[Outbound]:
    if not booking.claim_number:
        raise NotAClaimRepair(booking=booking.reference)
    booking.require(*SUPPLEMENT_STAGES, action="supplement")
    if (busy := _busy(conv)) is not None:
        return busy
    _enter(conv, "to_supplement", booking)
    choices = (Choice(_s("quit"), "booking.choice.never_mind"),)
    params = {"ref": booking.reference, "number": booking.claim_number}
    return [_prompt(conv, Outbound("booking.shop.ask.supplement", params, choices))]


def _quick_estimates(shop: Shop, now: datetime) -> list[datetime]:
    today = now.astimezone(shop.tz).date()
    moments = [
        datetime.combine(today + timedelta(days=n), READY_BY, tzinfo=shop.tz) for n in range(3)
    ]
    return [m for m in moments if m > now + timedelta(minutes=30)]


_ACTIONS: dict[str, Action] = {
    "ok": _act_confirm,
    "prop": _act_propose,
    "no": _act_decline,
    "in": _act_arrived,
    "start": _act_start,
    "ready": _act_ready,
    "sup": _act_supplement,
}


# --- one turn inside the dialog -------------------------------------------------------------


def _s(answer: str) -> str:
    return StepChoice(ChoiceKind.SHOP_STEP, answer).encode()


def handle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    choice = inbound.kind is InboundKind.CHOICE
    step = StepChoice.decode(ChoiceKind.SHOP_STEP, inbound.text) if choice else None
    answer = None if step is None else step.answer
    if answer == "quit":
        return cancel(conv)
    try:
        staff = svc.shop_staff(ctx.uow, conv.party_id)
        booking_id = load(conv).booking
        assert booking_id is not None  # set with the state that waits for the answer
        if conv.state == PROPOSE:
            return _step_propose(conv, staff, booking_id, answer or _typed_slot(inbound, ctx), ctx)
        if conv.state == REASON:
            return _step_reason(conv, staff, booking_id, inbound, ctx)
        if conv.state == ESTIMATE:
            return _step_estimate(conv, staff, booking_id, answer, inbound, ctx)
        if conv.state == SUPPLEMENT:
            return _step_supplement(conv, staff, booking_id, inbound, ctx)
        if conv.state in (QUOTE, FINAL):
            return _step_amount(conv, staff, booking_id, answer, inbound, ctx)
    except Refusal as error:
        return [refusal(error), *reprompt(conv)]
    _leave(conv)
    return []


def _typed_slot(inbound: Inbound, ctx: TurnContext) -> str | None:
    """A time typed instead of tapped ("后天下午三点"), as the slot button's answer."""
    if inbound.kind is not InboundKind.TEXT:
        return None
    at = parse_appointment_time(inbound.text, ctx.now, ctx.tz, ctx.lexicon)
    return None if at is None else f"at:{key_of(at)}"


def _step_propose(
    conv: Conversation, staff: ShopStaff, booking_id: int, answer: str | None, ctx: TurnContext
) -> list[Outbound]:
    booking = svc.staff_booking(ctx.uow, booking_id, staff)
    slots = load(conv)
    if answer in ("later", "earliest"):
        slots.after = slots.last_shown if answer == "later" else None
        keep(conv, slots)
        return _show_slots(conv, ctx, booking)
    start = (
        parse_slot_key(answer.removeprefix("at:")) if answer and answer.startswith("at:") else None
    )
    if start is None:
        return [Outbound("input.use_buttons"), *reprompt(conv)]
    try:
        booking = svc.propose(ctx.uow, booking_id, staff, start, ctx.now, ctx.booking)
    except (SlotFull, SlotUnavailable) as error:
        return [refusal(error), *_show_slots(conv, ctx, booking)]
    _leave(conv)
    return _done("booking.shop.done.proposed", booking, _shop(ctx, booking), "booking.proposed")


def _show_slots(conv: Conversation, ctx: TurnContext, booking: Booking) -> list[Outbound]:
    shop = _shop(ctx, booking)
    rules = ctx.booking
    slots = load(conv)
    after = parse_slot_key(slots.after or "")
    found = svc.shop_slots(
        ctx.uow,
        shop,
        ctx.now,
        rules,
        after=after,
        limit=rules.slots_per_page + 1,
        exclude=booking.id,
    )
    shown = [s for s in found if s.slot != booking.slot][: rules.slots_per_page]
    choices = free_slot_choices(lambda key: _s(f"at:{key}"), shown, shop.tz)
    if len(found) > rules.slots_per_page:
        choices.append(Choice(_s("later"), "booking.choice.later_slots"))
    if after is not None:
        choices.append(Choice(_s("earliest"), "booking.choice.earliest_slots"))
    choices.append(Choice(_s("quit"), "booking.choice.never_mind"))
    slots.last_shown = shown[-1].slot.key if shown else None
    keep(conv, slots)
    params = {**booking_params(booking, shop), "count": len(shown)}
    return [_prompt(conv, Outbound("booking.shop.ask.propose", params, tuple(choices)))]


def _step_reason(
    conv: Conversation, staff: ShopStaff, booking_id: int, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    if inbound.kind is not InboundKind.TEXT:
        return [Outbound("booking.shop.error.reason"), *reprompt(conv)]
    asked = svc.staff_booking(ctx.uow, booking_id, staff).slot
    booking = svc.decline(ctx.uow, booking_id, staff, inbound.text, ctx.now, ctx.booking)
    _leave(conv)
    shop = _shop(ctx, booking)
    if booking.status is BookingStatus.CONFIRMED:  # a request to move it: the old time stands
        extra = {
            **reminder_params(booking, ctx.booking, ctx.now),
            "requested": local_params(asked.start, shop.tz),
            "reason": inbound.text.strip(),
        }
        return _done(
            "booking.shop.done.reschedule_declined",
            booking,
            shop,
            "booking.reschedule_declined",
            extra,
        )
    ranked = svc.alternatives(ctx.uow, booking, ctx.now, ctx.booking)
    notice = alternatives_notice(booking, shop, "booking.declined", ranked)
    return [Outbound("booking.shop.done.declined", booking_params(booking, shop)), notice]


def _step_estimate(
    conv: Conversation,
    staff: ShopStaff,
    booking_id: int,
    answer: str | None,
    inbound: Inbound,
    ctx: TurnContext,
) -> list[Outbound]:
    booking = svc.staff_booking(ctx.uow, booking_id, staff)
    shop = _shop(ctx, booking)
    if answer is not None and answer.startswith("est:"):
        estimate = parse_slot_key(answer.removeprefix("est:"))
    elif inbound.kind is InboundKind.TEXT:
        estimate = parse_appointment_time(inbound.text, ctx.now, shop.tz, ctx.lexicon)
    else:
        estimate = None
    if estimate is None:
        return [Outbound("booking.shop.error.estimate"), *reprompt(conv)]
    if booking.quote is None:  # the repair starts once the shop has quoted
        booking.check_estimate(estimate, ctx.now, ctx.booking)
        slots = load(conv)
        slots.estimate = key_of(estimate)
        keep(conv, slots)
        move(conv, "to_quote")
        return [_prompt(conv, quoting.ask_quote(booking))]
    booking = svc.start_repair(ctx.uow, booking_id, staff, estimate, ctx.now, ctx.booking)
    _leave(conv)
    return _done("booking.shop.done.in_repair", booking, shop, "booking.in_repair")


def _step_amount(
    conv: Conversation,
    staff: ShopStaff,
    booking_id: int,
    answer: str | None,
    inbound: Inbound,
    ctx: TurnContext,
) -> list[Outbound]:
    """The quote (before the repair starts) or the final amount (at ready)."""
    typed = inbound.text if inbound.kind is InboundKind.TEXT else ""
    amount = None if answer == quoting.SAME else quoting.read_amount(typed, ctx)
    if amount is None and (conv.state == QUOTE or answer != quoting.SAME):
        return [Outbound("booking.shop.error.amount"), *reprompt(conv)]
    if conv.state == QUOTE:
        estimate = parse_slot_key(load(conv).estimate or "")
        assert estimate is not None  # kept with the step that asks the quote
        booking = svc.start_repair(
            ctx.uow, booking_id, staff, estimate, ctx.now, ctx.booking, amount
        )
        _leave(conv)
        return _done(
            "booking.shop.done.in_repair", booking, _shop(ctx, booking), "booking.in_repair"
        )
    booking = svc.mark_ready(ctx.uow, booking_id, staff, ctx.now, ctx.booking, amount)
    _leave(conv)
    extra = claim_params(ctx, booking)
    return _done("booking.shop.done.ready", booking, _shop(ctx, booking), "booking.ready", extra)


def _step_supplement(
    conv: Conversation, staff: ShopStaff, booking_id: int, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    if inbound.kind is InboundKind.MEDIA:  # the supplement's evidence (追加定损照片)
        return [*supplement.photos_sent(booking_id, staff, inbound, ctx), *reprompt(conv)]
    if inbound.text == _s("done"):  # after the items and their photos
        _leave(conv)
        return [Outbound("booking.shop.done.supplement_closed")]
    if inbound.kind is not InboundKind.TEXT:
        return [Outbound("booking.shop.error.supplement"), *reprompt(conv)]
    try:
        items = supplement.read_items(inbound.text, ctx)
        booking, claim = shop_supplement(ctx.uow, booking_id, staff, items, ctx.now)
    except Refusal as error:
        return [supplement.refused(error), *reprompt(conv)]
    done = Choice(_s("done"), "booking.shop.choice.supplement_done")
    after = _prompt(conv, supplement.photos_prompt(booking, claim, done))
    return [*supplement.added(booking, _shop(ctx, booking), claim, items, ctx), after]


# --- /bookings -------------------------------------------------------------------------------


def is_staff(conv: Conversation, ctx: TurnContext) -> bool:
    return ctx.uow.shops.staff_for_party(conv.party_id) is not None


def list_bookings(conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    """The shop's open bookings, soonest first, each with its buttons."""
    staff = ctx.uow.shops.staff_for_party(conv.party_id)
    assert staff is not None
    shop = ctx.uow.shops.get(staff.shop_id)
    assert shop is not None
    listed: list[dict[str, Any]] = []
    choices: list[Choice] = []
    for booking in ctx.uow.bookings.for_shop(shop.id)[:10]:
        listed.append(booking_params(booking, shop))
        choices.extend(staff_choices(booking))
    if not listed:
        return [Outbound("booking.shop.list_empty", {"shop": shop.name})]
    return [Outbound("booking.shop.list", {"shop": shop.name, "bookings": listed}, tuple(choices))]
