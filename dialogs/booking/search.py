"""Showing shops and slots, the review, and sending or moving the request."""

from __future__ import annotations

from dialogs.booking.machine import (
    MAX_ORDER,
    NEAR_KM,
    _b,
    _go,
    _leave,
    _prompt,
)
from dialogs.booking.slots import Purpose, keep, load
from dialogs.booking.views import (
    booking_params,
    free_slot_choices,
    owner_choices,
    ranked_params,
    refusal,
    slot_params,
    to_shop,
)
from dialogs.conversation import Conversation, TurnContext
from domain import booking_services as svc
from domain.booking import (
    Booking,
    SlotFull,
    SlotUnavailable,
    documents,
)
from domain.geo import GeoPoint
from domain.ranking import Need, ShopFilter
from domain.shop import Shop
from domain.slots import TimeSlot, parse_slot_key, slot_at
from domain.survey_clash import clear_of_survey
from domain.towing import needs_tow, pickup_of
from messages.outbound import Choice, Outbound


def _need(conv: Conversation) -> Need:
    purpose = load(conv).purpose or Purpose()
    return Need(svc.SERVICE_FOR[purpose.kind], _origin(conv), purpose.make)


def _origin(conv: Conversation) -> GeoPoint | None:
    return load(conv).origin


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
    slots = load(conv)
    filters = slots.filters
    shop_filter = ShopFilter(
        certified_only=bool(filters.get("cert")) and need.make is not None,
        max_km=NEAR_KM if filters.get("near") and need.origin is not None else None,
    )
    exclude = slots.exclude
    ranked = svc.search_shops(
        ctx.uow, need, ctx.now, rules, exclude=exclude, shop_filter=shop_filter
    )
    order = [r.shop.code for r in ranked[:MAX_ORDER]]
    shown_before, slots.order = slots.order, order
    if reordered_note and shown_before is not None and shown_before != order:
        note = Outbound("booking.location_saved")
    per = rules.shops_per_page
    page = slots.page
    if page * per >= len(ranked):
        page = 0
    slots.page = page
    keep(conv, slots)
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
        "kind": None if slots.purpose is None else slots.purpose.kind.value,
        "page": page + 1,
        "total": len(ranked),
    }
    ask = _prompt(conv, Outbound("booking.ask.shop", params, tuple(choices), request_location=True))
    return [note, ask] if note is not None else [ask]


def _show_slots(conv: Conversation, ctx: TurnContext, shop: Shop) -> list[Outbound]:
    rules = ctx.booking
    slots = load(conv)
    after = parse_slot_key(slots.after or "")
    own = _own_slots(conv, ctx)
    found = svc.shop_slots(
        ctx.uow,
        shop,
        ctx.now,
        rules,
        after=after,
        limit=rules.slots_per_page + 1 + len(own),
        exclude=slots.reschedule,
    )
    claim = None if slots.purpose is None else slots.purpose.claim
    free = [s for s in clear_of_survey(ctx.uow, claim, found) if s.slot not in own]
    shown = free[: rules.slots_per_page]
    choices = free_slot_choices(lambda key: _b(f"slot:{key}"), shown, shop.tz)
    if len(free) > len(shown):
        choices.append(Choice(_b("later"), "booking.choice.later_slots"))
    if after is not None:
        choices.append(Choice(_b("earliest"), "booking.choice.earliest_slots"))
    if slots.reschedule is None:
        choices.append(Choice(_b("shops"), "booking.choice.other_shop"))
    slots.last_shown = shown[-1].slot.key if shown else None
    keep(conv, slots)
    _go(conv, "to_slots")
    params = {"shop": shop.name, "count": len(shown), "days": rules.slots.horizon_days}
    return [_prompt(conv, Outbound("booking.ask.slot", params, tuple(choices)))]


def _own_slots(conv: Conversation, ctx: TurnContext) -> list[TimeSlot]:
    """When rescheduling, the booking's own slots: not offered as a new time."""
    booking_id = load(conv).reschedule
    booking = None if booking_id is None else ctx.uow.bookings.get(booking_id)
    if booking is None:
        return []
    return [booking.slot] + ([] if booking.kept_slot is None else [booking.kept_slot])


def _review(conv: Conversation, ctx: TurnContext, shop: Shop) -> list[Outbound]:
    slots = load(conv)
    start = parse_slot_key(slots.slot or "")
    assert start is not None
    purpose = slots.purpose or Purpose()
    probe = Booking(
        kind=purpose.kind,
        shop_id=shop.id,
        owner_id=conv.party_id,
        slot=slot_at(shop, start),
        created_at=ctx.now,
        claim_number=purpose.claim,
        plate=purpose.plate,
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
        **_tow_params(ctx, purpose.claim),
    }
    sends = (
        (
            Choice(_b("send_tow"), "booking.choice.send_tow"),
            Choice(_b("send"), "booking.choice.send_self"),
        )
        if params["tow_offer"]
        else (Choice(_b("send"), "booking.choice.send"),)
    )
    choices = (
        *sends,
        Choice(_b("slots"), "booking.choice.other_time"),
        Choice(_b("quit"), "booking.choice.quit"),
    )
    _go(conv, "to_review")
    return [_prompt(conv, Outbound("booking.ask.review", params, choices))]


def _tow_params(ctx: TurnContext, claim_number: str | None) -> dict[str, object]:
    """拖车到店 is offered when the claim's report says the car cannot be driven."""
    claim = None if claim_number is None else ctx.uow.claims.get(claim_number)
    if claim is None or not needs_tow(claim):
        return {"tow_offer": False, "pickup": None}
    return {"tow_offer": True, "pickup": pickup_of(claim)}


def _send(conv: Conversation, ctx: TurnContext, shop: Shop, *, tow: bool = False) -> list[Outbound]:
    slots = load(conv)
    purpose = slots.purpose or Purpose()
    towing = _tow_params(ctx, purpose.claim) if tow else {"tow_offer": False, "pickup": None}
    start = parse_slot_key(slots.slot or "")
    assert start is not None
    request = svc.BookingRequest(
        kind=purpose.kind,
        shop_code=shop.code,
        slot_start=start,
        claim_number=purpose.claim,
        policy_number=purpose.policy,
        plate=purpose.plate,
        make=purpose.make,
        origin=slots.origin,
        tow=bool(towing["tow_offer"]),
        pickup=None if towing["pickup"] is None else str(towing["pickup"]),
    )
    try:
        booking = svc.request_booking(ctx.uow, request, conv.party_id, ctx.now, ctx.booking)
    except (SlotFull, SlotUnavailable) as error:
        return [refusal(error), *_show_slots(conv, ctx, shop)]
    _leave(conv)
    reply = Outbound("booking.requested", booking_params(booking, shop), owner_choices(booking))
    return [reply, *to_shop(ctx, booking, shop, "booking.shop.request")]


def _reschedule(conv: Conversation, ctx: TurnContext, shop: Shop, key: str) -> list[Outbound]:
    booking_id = load(conv).reschedule
    assert booking_id is not None  # the slots are shown for this booking
    start = parse_slot_key(key)
    assert start is not None
    try:
        booking = svc.reschedule(ctx.uow, booking_id, conv.party_id, start, ctx.now, ctx.booking)
    except (SlotFull, SlotUnavailable) as error:
        return [refusal(error), *_show_slots(conv, ctx, shop)]
    _leave(conv)
    reply = Outbound("booking.rescheduled", booking_params(booking, shop), owner_choices(booking))
    return [reply, *to_shop(ctx, booking, shop, "booking.shop.rescheduled")]
