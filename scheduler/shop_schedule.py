"""The shop's schedule each morning: one message listing its confirmed bookings.

At ``CLAIMBOT_SHOP_SCHEDULE_TIME`` (default 08:00) in each shop's own timezone, every
shop with confirmed bookings on the listed day sends its bound staff one message:
time, plate, booking reference, repair or maintenance, claim number, with each booking's
"car checked in" button. The listed day is the same day by default (the morning's
agenda), or the next one (``CLAIMBOT_SHOP_SCHEDULE_DAY=tomorrow``).

- ``shop_schedule_scan`` (hourly) arms, for every staffed shop, the timer of today (while
  it can still be sent) and of tomorrow, keyed ``shop_schedule:<shop code>:<local date>``:
  one per shop and day, however often the scan runs or the process restarts.
- ``shop_schedule`` reads the shop's confirmed bookings when due; none: nothing is sent.
  Sent late up to ``LATE_GRACE`` after its time (a process that was down at 08:00),
  dropped after that. Not held by quiet hours (the operator chose the hour), not
  silenced by ``/mute`` (a work message to staff, like a booking request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.booking_params import slot_params, staff_actions
from domain.shop import Shop
from domain.timers import Timer, TimerSpec
from messages.choices import staff_booking_choices
from messages.outbound import Outbound
from scheduler.booking import contacts
from scheduler.kinds import FireContext, Message, Misfire, Outcome, Send, Skip, TimerKind, arm_page

SHOP_SCHEDULE = "shop_schedule"
SHOP_SCHEDULE_SCAN = "shop_schedule_scan"
KEY_PREFIX = f"{SHOP_SCHEDULE}:"
KEY_SCHEDULE = "shop_schedule.card"  # locales/*/escalation.yaml
LATE_GRACE = timedelta(hours=4)


@dataclass(frozen=True)
class ShopScheduleConfig:
    at: time = time(8, 0)  # local time of day, in each shop's timezone
    days_ahead: int = 0  # 0: the day's own bookings; 1: tomorrow's
    default_locale: str = "zh_CN"
    scan_every: timedelta = timedelta(hours=1)


def schedule_timer(shop: Shop, day: date, config: ShopScheduleConfig) -> TimerSpec:
    """The shop's message sent on ``day`` (its local date) at ``config.at``."""
    due = datetime.combine(day, config.at, tzinfo=shop.tz)
    listed = day + timedelta(days=config.days_ahead)
    return TimerSpec(
        SHOP_SCHEDULE,
        f"{KEY_PREFIX}{shop.code}:{day.isoformat()}",
        due,
        {"shop_id": shop.id, "day": listed.isoformat()},
        subject=f"shop:{shop.id}",
    )


class ShopScheduleScan:
    """Arm today's (unless too late) and tomorrow's message of every staffed shop."""

    def __init__(self, config: ShopScheduleConfig) -> None:
        self._config = config

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        specs = []
        for shop in ctx.uow.shops.all():
            if not shop.staffed:
                continue
            today = ctx.now.astimezone(shop.tz).date()
            for day in (today, today + timedelta(days=1)):
                spec = schedule_timer(shop, day, self._config)
                if ctx.now <= spec.due_at + LATE_GRACE:
                    specs.append(spec)
        return arm_page(ctx, timer, specs, full=False)


class ShopSchedule:
    def __init__(self, config: ShopScheduleConfig) -> None:
        self._config = config

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        shop = ctx.uow.shops.get(int(timer.payload["shop_id"]))
        if shop is None:
            return Skip("the shop is gone")
        day = date.fromisoformat(timer.payload["day"])
        standing = [  # confirmed, or confirmed with a move asked: the time that stands
            (b, slot) for b in ctx.uow.bookings.for_shop(shop.id) if (slot := b.appointment)
        ]
        day_list = [(b, s) for b, s in standing if s.start.astimezone(shop.tz).date() == day]
        bookings = [b for b, _ in day_list]
        if not bookings:
            return Skip(f"no confirmed bookings on {day.isoformat()}")
        staff = [s.party_id for s in ctx.uow.shops.staff(shop.id) if s.party_id is not None]
        to = [c for party in staff for c in contacts(ctx.uow, party, self._config.default_locale)]
        if not to:
            return Skip("no shop staff bound to a chat")
        params = {
            "shop": shop.name,
            "today": self._config.days_ahead == 0,
            "date": day.isoformat(),
            "md": day.strftime("%m-%d"),
            "weekday": day.weekday(),
            "count": len(bookings),
            "bookings": [
                {
                    **slot_params(slot, shop.tz),
                    "plate": b.plate,
                    "ref": b.reference,
                    "kind": b.kind.value,
                    "claim": b.claim_number,
                    "tow": b.tow,
                    "pickup": b.pickup,
                }
                for b, slot in day_list
            ],
        }
        buttons = tuple(
            choice
            for b in bookings
            for choice in staff_booking_choices(b.id or 0, b.reference, staff_actions(b))
        )
        payload = Outbound(KEY_SCHEDULE, params, buttons).to_payload()
        return Send([Message(contact, payload) for contact in to])


def shop_schedule_timer_kinds(config: ShopScheduleConfig) -> list[TimerKind]:
    return [
        TimerKind(
            SHOP_SCHEDULE_SCAN,
            ShopScheduleScan(config),
            Misfire(None, "runs once, late; then every interval"),
            quiet_hours=False,
            mutable=False,
            recurring=config.scan_every,
            summary="arms each staffed shop's morning schedule for today and tomorrow",
        ),
        TimerKind(
            SHOP_SCHEDULE,
            ShopSchedule(config),
            Misfire(LATE_GRACE, f"sent up to {LATE_GRACE} late, dropped after that"),
            quiet_hours=False,
            mutable=False,
            summary="one message a day to each shop's staff: the confirmed bookings",
        ),
    ]
