"""The booking feature's timer kinds (see scheduler/kinds.py for how a kind works).

A booking's timers are armed, moved and cancelled with the booking itself, in the
transaction of each change (``domain.booking_timers.timer_plans`` → ``uow.booking_timers``):

- ``booking_hold_expiry``: the shop did not answer a request in time (or the owner a
  shop's proposal): the hold lapses, the bay is free again, the owner is offered the
  next shops and the shop is told. A request to move a confirmed booking lapses back
  to the confirmed time instead, and both sides are told that time stands. Fires
  however late; re-checks the booking first.
- ``booking_shop_nudge``: halfway through the hold, the shop's staff are reminded.
  Dropped once the hold has expired.
- ``booking_reminder``: the day before and two hours before a confirmed appointment, to
  the owner (muted by ``/mute``, waits out quiet hours, dropped once the slot began);
  also while a request to move it waits for the shop, since that time still stands.
- ``booking_maintenance``: months after the repair was accepted, a reminder to book a
  service, with the button that starts a maintenance booking.

Every handler re-reads the booking and does nothing if it moved on (a stale timer).
Messages go to each chat the party is bound to, like the notices of a dialog turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain import booking_services as svc
from domain.booking import Booking, BookingRules, BookingStatus
from domain.booking_params import (
    booking_params,
    local_params,
    owner_actions,
    ranked_params,
    reminder_params,
    slot_params,
    staff_actions,
)
from domain.booking_timers import (
    APPOINTMENT_REMINDER,
    HOLD_EXPIRY,
    MAINTENANCE_REMINDER,
    SHOP_NUDGE,
)
from domain.reminders import Contact
from domain.scheduler_ports import SchedulerUnitOfWork
from domain.shop import Shop
from domain.slots import parse_slot_key
from domain.timers import Timer
from messages.choices import (
    START_MAINTENANCE,
    alternative_shop_choices,
    owner_booking_choices,
    staff_booking_choices,
)
from messages.outbound import Choice, Outbound
from scheduler.kinds import SEND_LATE, FireContext, Message, Misfire, Outcome, Send, Skip, TimerKind


def contacts(uow: SchedulerUnitOfWork, party_id: int, default_locale: str) -> list[Contact]:
    """Every chat the party is bound to, with its reminder preferences."""
    preference = uow.reminders.preference(party_id)
    return [
        Contact(
            party_id=party_id,
            channel=r.channel,
            chat_id=r.chat_id,
            locale=r.locale or default_locale,
            muted=preference.muted,
            timezone=preference.timezone,
        )
        for r in uow.recipients.of_party(party_id)
    ]


def _messages(
    to: Sequence[Contact], key: str, params: dict[str, Any], buttons: Sequence[Choice]
) -> list[Message]:
    payload = Outbound(key, params, tuple(buttons)).to_payload()
    return [Message(contact, payload) for contact in to]


def owner_buttons(booking: Booking) -> tuple[Choice, ...]:
    return owner_booking_choices(booking.id or 0, booking.reference, owner_actions(booking))


def staff_buttons(booking: Booking) -> tuple[Choice, ...]:
    return staff_booking_choices(booking.id or 0, booking.reference, staff_actions(booking))


class _BookingTimer:
    def __init__(self, rules: BookingRules, default_locale: str) -> None:
        self.rules = rules
        self.default_locale = default_locale

    def _to_owner(self, ctx: FireContext, booking: Booking) -> list[Contact]:
        return contacts(ctx.uow, booking.owner_id, self.default_locale)

    def _to_staff(self, ctx: FireContext, shop: Shop) -> list[Contact]:
        parties = [s.party_id for s in ctx.uow.shops.staff(shop.id) if s.party_id is not None]
        return [c for party in parties for c in contacts(ctx.uow, party, self.default_locale)]

    @staticmethod
    def _current(ctx: FireContext, timer: Timer) -> tuple[Booking, Shop] | None:
        booking = ctx.uow.bookings.get(int(timer.payload["booking_id"]))
        if booking is None or booking.slot.key != timer.payload.get("slot"):
            return None
        shop = ctx.uow.shops.get(booking.shop_id)
        return None if shop is None else (booking, shop)


class HoldExpiry(_BookingTimer):
    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        booking = svc.expire_hold(ctx.uow, int(timer.payload["booking_id"]), ctx.now, self.rules)
        if booking is None:
            return Skip("answered (or changed) before the hold expired")
        shop = ctx.uow.shops.get(booking.shop_id)
        assert shop is not None
        waited_for = booking.timeline[-1].from_status
        lapsed = "owner" if waited_for is BookingStatus.PROPOSED else "shop"
        if booking.status is BookingStatus.CONFIRMED:  # a request to move it lapsed
            return self._kept(ctx, booking, shop, timer, lapsed)
        ranked = svc.alternatives(ctx.uow, booking, ctx.now, self.rules)
        params = {
            **booking_params(booking, shop),
            "lapsed": lapsed,
            "alternatives": [ranked_params(r) for r in ranked],
        }
        owner = _messages(
            self._to_owner(ctx, booking),
            "booking.expired",
            params,
            (
                *alternative_shop_choices(
                    booking.id or 0, [(r.shop.code, ranked_params(r)) for r in ranked]
                ),
                *owner_buttons(booking),
            ),
        )
        staff = _messages(self._to_staff(ctx, shop), "booking.shop.expired", params, ())
        return Send([*owner, *staff])

    def _kept(
        self, ctx: FireContext, booking: Booking, shop: Shop, timer: Timer, lapsed: str
    ) -> Outcome:
        """The time asked for (or the shop's counter-proposal) lapsed: the old one stands."""
        asked = parse_slot_key(str(timer.payload.get("slot", "")))
        params = {
            **booking_params(booking, shop),
            **reminder_params(booking, self.rules, ctx.now),
            "lapsed": lapsed,
            "requested": None if asked is None else local_params(asked, shop.tz),
        }
        owner = _messages(
            self._to_owner(ctx, booking),
            "booking.reschedule_lapsed",
            params,
            owner_buttons(booking),
        )
        staff = _messages(
            self._to_staff(ctx, shop),
            "booking.shop.reschedule_lapsed",
            params,
            staff_buttons(booking),
        )
        return Send([*owner, *staff])


class ShopNudge(_BookingTimer):
    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        current = self._current(ctx, timer)
        if current is None or current[0].status is not BookingStatus.HELD:
            return Skip("the shop answered, or the booking changed")
        booking, shop = current
        params = booking_params(booking, shop)
        buttons = staff_buttons(booking)
        return Send(_messages(self._to_staff(ctx, shop), "booking.shop.nudge", params, buttons))


class AppointmentReminder(_BookingTimer):
    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        booking = ctx.uow.bookings.get(int(timer.payload["booking_id"]))
        appointment = None if booking is None else booking.appointment
        if booking is None or appointment is None or appointment.key != timer.payload.get("slot"):
            return Skip("the booking is no longer confirmed for this time")
        shop = ctx.uow.shops.get(booking.shop_id)
        if shop is None:
            return Skip("the booking is gone")
        # While a move is asked, the reminder is of the confirmed time that still stands.
        pending = None if booking.kept_slot is None else slot_params(booking.slot, shop.tz)
        params = {
            **booking_params(booking, shop),
            "slot": slot_params(appointment, shop.tz),
            "pending": pending,
        }
        buttons = owner_buttons(booking)
        return Send(_messages(self._to_owner(ctx, booking), "booking.reminder", params, buttons))


class MaintenanceReminder(_BookingTimer):
    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        booking = ctx.uow.bookings.get(int(timer.payload["booking_id"]))
        shop = None if booking is None else ctx.uow.shops.get(booking.shop_id)
        if booking is None or shop is None or booking.accepted_at is None:
            return Skip("the booking is gone")
        params = {
            **booking_params(booking, shop),
            "months": self.rules.maintenance_after_months,
        }
        button = Choice(START_MAINTENANCE.encode(), "booking.choice.maintenance")
        owner = self._to_owner(ctx, booking)
        return Send(_messages(owner, "booking.maintenance", params, [button]))


def booking_timer_kinds(rules: BookingRules, default_locale: str) -> list[TimerKind]:
    return [
        TimerKind(
            HOLD_EXPIRY,
            HoldExpiry(rules, default_locale),
            SEND_LATE,
            quiet_hours=False,
            mutable=False,
            summary="a shop's (or owner's) answer did not come in time: release the slot",
        ),
        TimerKind(
            SHOP_NUDGE,
            ShopNudge(rules, default_locale),
            Misfire(None, "dropped once the hold expired"),
            quiet_hours=False,
            mutable=False,
            summary="reminds the shop of a request waiting for its answer",
        ),
        TimerKind(
            APPOINTMENT_REMINDER,
            AppointmentReminder(rules, default_locale),
            Misfire(None, "dropped once the appointment began"),
            quiet_hours=True,
            mutable=True,
            summary="the day before and two hours before a confirmed appointment",
        ),
        TimerKind(
            MAINTENANCE_REMINDER,
            MaintenanceReminder(rules, default_locale),
            SEND_LATE,
            quiet_hours=True,
            mutable=True,
            summary="months after a repair was accepted: time for a service",
        ),
    ]
