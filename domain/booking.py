"""A repair or maintenance booking (维修预约) and its lifecycle, from request to rating.

    requested ─▶ held ─▶ confirmed ─▶ arrived ─▶ in_repair ─▶ ready ─▶ accepted ─▶ paid ─▶ rated
                  │ ▲       │                     ▲           │
                  │ └───────┘ (reschedule)        └─ problem ◀┘ (back to the shop)
                  └─▶ confirmed (a reschedule request declined or lapsed: the old time stands)
                  ├─▶ proposed ─▶ confirmed | held (the owner picks again)
                  └─▶ declined | expired | cancelled   (also from proposed, confirmed)

``requested`` is a booking being made: it becomes ``held`` in the transaction that finds
a free bay for its slot (``booking_services.request_booking``), so a stored booking is
never ``requested``. ``held``: the slot is reserved and the shop has been asked; the hold
expires if the shop does not answer in time. ``proposed``: the shop offered another time,
which is held for the owner's answer. Every booking that is neither requested, declined,
expired nor cancelled counts against its shop's bays for its slot.

A confirmed booking that the owner asks to move keeps its confirmed slot (``kept_slot``)
while the shop answers: that bay stays reserved too, so a decline, or a request nobody
answers in time, brings the booking back to ``confirmed`` at its old time, not to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.booking_errors import (  # the refusals, importable from here as before
    AlreadyBooked as AlreadyBooked,
)
from domain.booking_errors import (
    AlreadyShopStaff as AlreadyShopStaff,
)
from domain.booking_errors import (
    BadAmount as BadAmount,
)
from domain.booking_errors import (
    BadEstimate as BadEstimate,
)
from domain.booking_errors import (
    BadQuote as BadQuote,
)
from domain.booking_errors import (
    BadRating as BadRating,
)
from domain.booking_errors import (
    BadText as BadText,
)
from domain.booking_errors import (
    BookingNotFound as BookingNotFound,
)
from domain.booking_errors import (
    BookingWrongStage as BookingWrongStage,
)
from domain.booking_errors import (
    ClaimNotReady as ClaimNotReady,
)
from domain.booking_errors import (
    NotShopStaff as NotShopStaff,
)
from domain.booking_errors import (
    PastCutoff as PastCutoff,
)
from domain.booking_errors import (
    RepairComplete as RepairComplete,
)
from domain.booking_errors import (
    ShopUnknown as ShopUnknown,
)
from domain.booking_errors import (
    SlotFull as SlotFull,
)
from domain.booking_errors import (
    SlotUnavailable as SlotUnavailable,
)
from domain.booking_errors import (
    TooManyReschedules as TooManyReschedules,
)
from domain.booking_status import (  # importable from here as before
    ALLOWED_TRANSITIONS as ALLOWED_TRANSITIONS,
)
from domain.booking_status import (
    CHANGEABLE as CHANGEABLE,
)
from domain.booking_status import (
    DONE as DONE,
)
from domain.booking_status import (
    HOLDING as HOLDING,
)
from domain.booking_status import (
    NOT_HOLDING as NOT_HOLDING,
)
from domain.booking_status import (
    OPEN as OPEN,
)
from domain.booking_status import (
    TERMINAL as TERMINAL,
)
from domain.booking_status import (
    WAITING_FOR_SHOP as WAITING_FOR_SHOP,
)
from domain.booking_status import (
    BookingKind as BookingKind,
)
from domain.booking_status import (
    BookingStatus as BookingStatus,
)
from domain.booking_status import (
    Payer as Payer,
)
from domain.geo import GeoPoint
from domain.money import Money
from domain.slots import SlotRules, TimeSlot

MAX_TEXT = 500  # a reason, a problem description, a comment
MIN_TEXT = 2
MIN_STARS, MAX_STARS, LOW_RATING = 1, 5, 2  # a rating of LOW_RATING or less is flagged


# --- rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingRules:
    """The configurable parts (CLAIMBOT_BOOKING_* settings)."""

    slots: SlotRules = field(default_factory=SlotRules)
    hold: timedelta = timedelta(minutes=60)  # how long a shop has to answer
    cutoff: timedelta = timedelta(hours=2)  # no reschedule/cancel of a confirmed slot after
    arrival_window: timedelta = timedelta(hours=4)  # arrival recorded no earlier (domain.arrival)
    max_reschedules: int = 2  # per booking
    reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))
    maintenance_after_months: int = 6  # 0: no maintenance reminder
    estimate_horizon: timedelta = timedelta(days=60)  # latest estimated completion
    max_amount: Money = field(default_factory=lambda: Money(100_000_000))  # 1,000,000 yuan
    shops_per_page: int = 5
    slots_per_page: int = 8

    def hold_until(self, now: datetime, slot: TimeSlot, kept: TimeSlot | None = None) -> datetime:
        """A hold lasts ``hold``, and never past the slot's start (nor past the start of
        the confirmed slot it would replace: the owner must know which time stands)."""
        until = min(now + self.hold, slot.start)
        return until if kept is None else min(until, kept.start)

    def reminders_ahead(self, slot: TimeSlot, now: datetime) -> list[timedelta]:
        """The appointment reminders still to come for ``slot`` (longest lead first)."""
        return sorted({b for b in self.reminders if slot.start - b > now}, reverse=True)


def check_quote(amount: Money, rules: BookingRules) -> None:
    """A quote or final amount is above zero and not over the cap."""
    if not Money.zero() < amount <= rules.max_amount:
        raise BadQuote(max=rules.max_amount.grouped())


def clean_text(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) < MIN_TEXT or len(cleaned) > MAX_TEXT:
        raise BadText(max=MAX_TEXT)
    return cleaned


def owner_actor(party_id: int) -> str:
    return f"party:{party_id}"


SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class BookingChange:
    at: datetime
    from_status: BookingStatus | None
    to_status: BookingStatus
    actor: str
    note: str = ""


@dataclass
class Booking:
    kind: BookingKind
    shop_id: int
    owner_id: int
    slot: TimeSlot
    created_at: datetime
    status: BookingStatus = BookingStatus.REQUESTED
    id: int | None = None  # set when stored
    claim_number: str | None = None
    policy_number: str | None = None
    plate: str | None = None
    make: str | None = None
    origin: GeoPoint | None = None  # where the owner searched from (for alternatives)
    hold_expires_at: datetime | None = None
    kept_slot: TimeSlot | None = None  # the confirmed slot that stands while a move is asked
    reschedules: int = 0
    decline_reason: str | None = None
    estimated_done_at: datetime | None = None
    quote: Money | None = None  # the shop's 报价, stated before the repair starts
    final_amount: Money | None = None  # what the shop charges, stated at ready
    tow: bool = False  # the car cannot be driven: the shop fetches it (拖车到店)
    pickup: str | None = None  # where the tow truck fetches it (the accident's place)
    problem: str | None = None
    accepted_at: datetime | None = None
    payer: Payer | None = None
    paid: Money | None = None
    rating: int | None = None
    comment: str | None = None
    timeline: list[BookingChange] = field(default_factory=list)

    @property
    def reference(self) -> str:
        """How people refer to it in chat: ``#42``."""
        return f"#{self.id}"

    @property
    def subject(self) -> str:
        """The subject of its timers (cancelled and re-armed with every change)."""
        return f"booking:{self.id}"

    @property
    def appointment(self) -> TimeSlot | None:
        """The confirmed time the owner can count on now (reminders, the cut-off)."""
        if self.status is BookingStatus.CONFIRMED:
            return self.slot
        if self.status in (BookingStatus.HELD, BookingStatus.PROPOSED):
            return self.kept_slot
        return None

    @property
    def pending_move(self) -> TimeSlot | None:
        """The time asked for (or proposed) while a confirmed slot is kept."""
        return None if self.kept_slot is None else self.slot

    @property
    def repair_done(self) -> bool:
        """The owner accepted the repair (and may have paid and rated it since)."""
        return self.status in DONE

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def flagged(self) -> bool:
        """A low rating (2 stars or fewer) is followed up by the insurer."""
        return self.rating is not None and self.rating <= LOW_RATING

    def require(self, *statuses: BookingStatus, action: str) -> None:
        if self.status not in statuses:
            raise BookingWrongStage(booking=self.reference, status=self.status.value, action=action)

    def _move(self, to: BookingStatus, at: datetime, actor: str, note: str = "") -> None:
        if to not in ALLOWED_TRANSITIONS[self.status]:
            raise BookingWrongStage(
                booking=self.reference, status=self.status.value, action=to.value
            )
        self.timeline.append(BookingChange(at, self.status, to, actor, note))
        self.status = to

    # --- making it, and the shop's answer ------------------------------------------------

    def hold(self, at: datetime, until: datetime, actor: str) -> None:
        """The bay is reserved (the caller checked capacity); the shop is asked."""
        self.require(BookingStatus.REQUESTED, action="hold")
        self._move(BookingStatus.HELD, at, actor, self.slot.key)
        self.hold_expires_at = until

    def confirm(self, at: datetime, actor: str) -> None:
        self.require(BookingStatus.HELD, action="confirm")
        self._move(BookingStatus.CONFIRMED, at, actor)
        self.hold_expires_at = None
        self.kept_slot = None

    def propose(self, slot: TimeSlot, at: datetime, until: datetime, actor: str) -> None:
        """The shop offers another time; it is held for the owner's answer."""
        self.require(BookingStatus.HELD, action="propose")
        self.slot = slot
        self._move(BookingStatus.PROPOSED, at, actor, slot.key)
        self.hold_expires_at = until

    def decline(self, reason: str, at: datetime, actor: str) -> None:
        """The shop says no. To a request to move a confirmed booking, that keeps the
        confirmed time (``confirmed`` again, the reason on the timeline); otherwise the
        booking is ``declined``."""
        self.require(BookingStatus.HELD, action="decline")
        cleaned = clean_text(reason)
        if self.kept_slot is not None:
            self._return_to_kept(at, actor, f"{self.slot.key} declined: {cleaned}")
            return
        self.decline_reason = cleaned
        self._move(BookingStatus.DECLINED, at, actor, self.decline_reason)
        self.hold_expires_at = None

    def expire(self, at: datetime) -> None:
        """Nobody answered in time: the hold lapses (the timer checks the deadline). A
        request to move a confirmed booking lapses back to the confirmed time."""
        self.require(BookingStatus.HELD, BookingStatus.PROPOSED, action="expire")
        if self.kept_slot is not None:
            self._return_to_kept(at, SYSTEM_ACTOR, f"{self.slot.key} lapsed")
            return
        self._move(BookingStatus.EXPIRED, at, SYSTEM_ACTOR)
        self.hold_expires_at = None

    def _return_to_kept(self, at: datetime, actor: str, note: str) -> None:
        assert self.kept_slot is not None
        self._move(BookingStatus.CONFIRMED, at, actor, note)
        self.slot = self.kept_slot
        self.kept_slot = None
        self.hold_expires_at = None

    def hold_lapsed(self, now: datetime) -> bool:
        return (
            self.status in (BookingStatus.HELD, BookingStatus.PROPOSED)
            and self.hold_expires_at is not None
            and now >= self.hold_expires_at
        )

    # --- the owner's changes -----------------------------------------------------------

    def accept_proposal(self, at: datetime, actor: str) -> None:
        self.require(BookingStatus.PROPOSED, action="accept_proposal")
        self._move(BookingStatus.CONFIRMED, at, actor, self.slot.key)
        self.hold_expires_at = None
        self.kept_slot = None

    def reschedule(
        self, slot: TimeSlot, at: datetime, until: datetime, rules: BookingRules, actor: str
    ) -> None:
        """Another time, asked of the shop again. Answering a shop's proposal with another
        time is not counted; other requests count towards ``max_reschedules`` (also when
        the shop declines them), and a confirmed slot is changed only up to the cut-off
        before it. A confirmed slot is kept (``kept_slot``) until the shop has agreed."""
        self.check_reschedule(at, rules)
        counted = self.status is not BookingStatus.PROPOSED
        if self.status is BookingStatus.CONFIRMED:
            self.kept_slot = self.slot
        self.slot = slot
        self._move(BookingStatus.HELD, at, actor, slot.key)
        self.hold_expires_at = until
        if counted:
            self.reschedules += 1

    def check_reschedule(self, at: datetime, rules: BookingRules) -> None:
        """Refuse a reschedule now (before the owner picks a time) if one cannot be made."""
        self.require(*CHANGEABLE, action="reschedule")
        counted = self.status is not BookingStatus.PROPOSED
        if counted and self.reschedules >= rules.max_reschedules:
            raise TooManyReschedules(booking=self.reference, max=rules.max_reschedules)
        self._check_cutoff(at, rules)

    def check_cancel(self, at: datetime, rules: BookingRules) -> None:
        self.require(*CHANGEABLE, action="cancel")
        self._check_cutoff(at, rules)

    def cancel(self, at: datetime, rules: BookingRules, actor: str) -> None:
        """Both slots go; a pending request to move is withdrawn with it, and the booking
        keeps the appointment that stood (the kept slot), not the time asked for."""
        self.check_cancel(at, rules)
        withdrawn = self.pending_move
        note = "" if withdrawn is None else f"{withdrawn.key} withdrawn"
        self._move(BookingStatus.CANCELLED, at, actor, note)
        if self.kept_slot is not None:
            self.slot = self.kept_slot
        self.hold_expires_at = None
        self.kept_slot = None

    def _check_cutoff(self, at: datetime, rules: BookingRules) -> None:
        """A confirmed slot is the shop's commitment: changed only up to the cut-off (also
        while a request to move it waits for the shop)."""
        committed = self.appointment
        if committed is not None and at > committed.start - rules.cutoff:
            hours = rules.cutoff.total_seconds() / 3600
            raise PastCutoff(booking=self.reference, hours=round(hours, 1))

    # --- repair progress (the shop) ------------------------------------------------------

    def arrive(self, at: datetime, actor: str) -> None:
        self.require(BookingStatus.CONFIRMED, action="arrive")
        self._move(BookingStatus.ARRIVED, at, actor)

    def start_repair(
        self,
        estimate: datetime,
        at: datetime,
        rules: BookingRules,
        actor: str,
        quote: Money | None = None,
    ) -> None:
        """Repair started (again, after a problem; or a new estimate) with its estimate,
        and the shop's quote (报价) when it states one (a later one replaces it)."""
        self.require(
            BookingStatus.ARRIVED,
            BookingStatus.IN_REPAIR,
            BookingStatus.PROBLEM,
            action="start_repair",
        )
        self.check_estimate(estimate, at, rules)
        if quote is not None:
            check_quote(quote, rules)
            self.quote = quote
        self.estimated_done_at = estimate
        self._move(BookingStatus.IN_REPAIR, at, actor, estimate.isoformat())

    @staticmethod
    def check_estimate(estimate: datetime, at: datetime, rules: BookingRules) -> None:
        if estimate <= at or estimate > at + rules.estimate_horizon:
            raise BadEstimate(days=rules.estimate_horizon.days)

    def mark_ready(
        self,
        at: datetime,
        actor: str,
        final: Money | None = None,
        rules: BookingRules | None = None,
    ) -> None:
        """Repair done; the final amount is the one stated, else the quote."""
        self.require(BookingStatus.IN_REPAIR, BookingStatus.PROBLEM, action="ready")
        amount = final if final is not None else self.quote
        if amount is not None:
            check_quote(amount, rules or BookingRules())
        self.final_amount = amount
        self._move(BookingStatus.READY, at, actor, "" if amount is None else amount.yuan())

    @property
    def amount_due(self) -> Money | None:
        """What the shop charges: the final amount, else the quote."""
        return self.final_amount if self.final_amount is not None else self.quote

    # --- handover (the owner) ------------------------------------------------------------

    def accept_repair(self, at: datetime, actor: str) -> None:
        self.require(BookingStatus.READY, action="accept")
        self._move(BookingStatus.ACCEPTED, at, actor)
        self.accepted_at = at
        self.problem = None

    def report_problem(self, text: str, at: datetime, actor: str) -> None:
        self.require(BookingStatus.READY, action="problem")
        self.problem = clean_text(text)
        self._move(BookingStatus.PROBLEM, at, actor, self.problem)

    def record_payment(
        self, payer: Payer, amount: Money, at: datetime, rules: BookingRules, actor: str
    ) -> None:
        self.require(BookingStatus.ACCEPTED, action="pay")
        if not Money.zero() <= amount <= rules.max_amount:
            raise BadAmount(max=rules.max_amount.grouped())
        self.payer = payer
        self.paid = amount
        self._move(BookingStatus.PAID, at, actor, f"{payer.value} {amount.yuan()}")

    def rate(self, stars: int, at: datetime, actor: str) -> None:
        self.require(BookingStatus.PAID, action="rate")
        if not MIN_STARS <= stars <= MAX_STARS:
            raise BadRating(min=MIN_STARS, max=MAX_STARS)
        self.rating = stars
        self._move(BookingStatus.RATED, at, actor, str(stars))

    def add_comment(self, text: str, at: datetime, actor: str) -> None:
        """One comment, after the stars."""
        self.require(BookingStatus.RATED, action="comment")
        if self.comment is not None:
            raise BookingWrongStage(booking=self.reference, status="commented", action="comment")
        self.comment = clean_text(text)
        self.timeline.append(BookingChange(at, self.status, self.status, actor, self.comment))


# --- what the owner brings ---------------------------------------------------------------


def documents(booking: Booking) -> list[str]:
    """Document codes (rendered by the catalogs): 保险单, 行驶证, and for a claim repair the
    claim number and the loss assessment (定损单)."""
    codes = ["policy", "licence"]
    if booking.kind is BookingKind.REPAIR and booking.claim_number:
        codes += ["claim_number", "assessment"]
    return codes
