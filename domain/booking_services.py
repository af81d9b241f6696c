"""Booking use cases: find shops and slots, book, answer, reschedule, repair, pay, rate.

Each loads what it needs (the booking locked for update), checks who may act, lets the
booking apply its lifecycle rules, stores it and brings its timers in step. A refusal is
raised before anything is stored, so nothing changes. Capacity is decided under the
shop's lock (``uow.bookings.lock_shop``): two owners never hold the last bay of a slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.adjudication import PaymentRoute, SettlementFigures
from domain.arrival import check_arrival
from domain.booking import (
    CHANGEABLE,
    WAITING_FOR_SHOP,
    AlreadyBooked,
    AlreadyShopStaff,
    Booking,
    BookingKind,
    BookingNotFound,
    BookingRules,
    ClaimNotReady,
    NotShopStaff,
    Payer,
    RepairComplete,
    ShopUnknown,
    owner_actor,
)
from domain.booking_search import (  # importable from here as before
    FIRST_WINDOW as FIRST_WINDOW,
)
from domain.booking_search import (
    _bookable_slot,
)
from domain.booking_search import (
    earliest_free_slots as earliest_free_slots,
)
from domain.booking_search import (
    search_shops as search_shops,
)
from domain.booking_search import (
    shop_by_code as shop_by_code,
)
from domain.booking_search import (
    shop_slots as shop_slots,
)
from domain.booking_timers import timer_plans
from domain.claim import Claim, ClaimStatus
from domain.errors import AlreadyStaff, InvalidInvite
from domain.geo import GeoPoint
from domain.money import Money
from domain.ports import UnitOfWork
from domain.ranking import Need, RankedShop
from domain.shop import ShopStaff
from domain.staff import INVITE_TTL, Invite, StaffRole, hash_invite_code, new_invite_code

# A claim repair is booked once the loss is assessed (定损), up to and after payment.
BOOKABLE_CLAIMS = frozenset(
    {
        ClaimStatus.ASSESSED,
        ClaimStatus.SETTLEMENT_PROPOSED,
        ClaimStatus.DISPUTED,
        ClaimStatus.AGREED,
        ClaimStatus.PAID,
    }
)
SERVICE_FOR = {BookingKind.REPAIR: "collision", BookingKind.MAINTENANCE: "maintenance"}


@dataclass(frozen=True)
class BookingRequest:
    """What the owner chose: the shop, the slot's start, and what the booking is for."""

    kind: BookingKind
    shop_code: str
    slot_start: datetime
    claim_number: str | None = None
    policy_number: str | None = None
    plate: str | None = None
    make: str | None = None
    origin: GeoPoint | None = None
    tow: bool = False  # 拖车到店: the shop fetches the car from ``pickup``
    pickup: str | None = None


# --- claims and vehicles -------------------------------------------------------------------


def bookable_claims(uow: UnitOfWork, owner_id: int) -> list[Claim]:
    """The owner's assessed claims that have no open booking and no repair done."""
    return [
        claim
        for claim in uow.claims.for_owner(owner_id)
        if claim.status in BOOKABLE_CLAIMS
        and uow.bookings.open_for_claim(claim.number) is None
        and completed_repair(uow, claim.number) is None
    ]


def completed_repair(uow: UnitOfWork, claim_number: str) -> Booking | None:
    """The claim's repair booking that the owner accepted (then maybe paid and rated)."""
    done = [b for b in uow.bookings.for_claim(claim_number) if b.repair_done]
    return done[-1] if done else None


def claim_for_booking(uow: UnitOfWork, number: str, owner_id: int) -> Claim:
    """The owner's claim, if its repair can be booked (else ClaimNotReady: the same answer
    for a claim that is not theirs). The owner's own withdrawn or rejected claim is named
    as closed (``closed``: its status) rather than "not assessed yet"."""
    claim = uow.claims.get(number.strip().upper())
    if claim is None or claim.owner_id != owner_id:
        raise ClaimNotReady(number=number.strip()[:20], closed=None)
    if claim.status not in BOOKABLE_CLAIMS:
        closed = claim.status.value if claim.closed else None
        raise ClaimNotReady(number=claim.number, closed=closed)
    _refuse_repaired(uow, claim.number)
    return claim


def _refuse_repaired(uow: UnitOfWork, claim_number: str) -> None:
    done = completed_repair(uow, claim_number)
    if done is not None:
        raise RepairComplete(number=claim_number, booking=done.id)


# --- booking -------------------------------------------------------------------------------


def request_booking(
    uow: UnitOfWork, request: BookingRequest, owner_id: int, now: datetime, rules: BookingRules
) -> Booking:
    """Hold the slot (if a bay is free) and ask the shop: the booking is ``held``."""
    shop = shop_by_code(uow, request.shop_code)
    if request.claim_number is not None:
        if uow.bookings.open_for_claim(request.claim_number) is not None:
            raise AlreadyBooked(claim=request.claim_number)
        _refuse_repaired(uow, request.claim_number)
    elif request.plate and uow.bookings.open_for_plate(owner_id, request.plate) is not None:
        raise AlreadyBooked(plate=request.plate)
    slot = _bookable_slot(uow, shop, request.slot_start, now, rules)
    booking = Booking(
        kind=request.kind,
        shop_id=shop.id,
        owner_id=owner_id,
        slot=slot,
        created_at=now,
        claim_number=request.claim_number,
        policy_number=request.policy_number,
        plate=request.plate,
        make=request.make,
        origin=request.origin,
        tow=request.tow,
        pickup=request.pickup if request.tow else None,
    )
    booking.hold(now, rules.hold_until(now, slot), owner_actor(owner_id))
    uow.bookings.add(booking)
    _sync_timers(uow, booking, rules, now)
    return booking


def _store(uow: UnitOfWork, booking: Booking, rules: BookingRules, now: datetime) -> Booking:
    uow.bookings.save(booking)
    _sync_timers(uow, booking, rules, now)
    return booking


def _sync_timers(uow: UnitOfWork, booking: Booking, rules: BookingRules, now: datetime) -> None:
    uow.booking_timers.replace(booking.subject, timer_plans(booking, rules, now), now)


# --- who may act ---------------------------------------------------------------------------


def owner_booking(uow: UnitOfWork, booking_id: int, owner_id: int) -> Booking:
    """The owner's booking, locked; anyone else's is "not found"."""
    booking = uow.bookings.get_for_update(booking_id)
    if booking is None or booking.owner_id != owner_id:
        raise BookingNotFound(booking=f"#{booking_id}")
    return booking


def shop_staff(uow: UnitOfWork, party_id: int) -> ShopStaff:
    staff = uow.shops.staff_for_party(party_id)
    if staff is None:
        raise NotShopStaff()
    return staff


def staff_booking(uow: UnitOfWork, booking_id: int, staff: ShopStaff) -> Booking:
    """A booking of the staff member's own shop, locked; another shop's is "not found"."""
    booking = uow.bookings.get_for_update(booking_id)
    if booking is None or booking.shop_id != staff.shop_id:
        raise BookingNotFound(booking=f"#{booking_id}")
    return booking


# --- the owner's steps ---------------------------------------------------------------------


def accept_proposal(
    uow: UnitOfWork, booking_id: int, owner_id: int, now: datetime, rules: BookingRules
) -> Booking:
    booking = owner_booking(uow, booking_id, owner_id)
    booking.accept_proposal(now, owner_actor(owner_id))
    return _store(uow, booking, rules, now)


def reschedule(
    uow: UnitOfWork,
    booking_id: int,
    owner_id: int,
    start: datetime,
    now: datetime,
    rules: BookingRules,
) -> Booking:
    booking = owner_booking(uow, booking_id, owner_id)
    booking.require(*CHANGEABLE, action="reschedule")
    shop = uow.shops.get(booking.shop_id)
    if shop is None:
        raise ShopUnknown(shop=str(booking.shop_id))
    # The booking's own slots are left out of the count: they are this car's. A confirmed
    # slot stays reserved (kept) until the shop has answered the request.
    slot = _bookable_slot(uow, shop, start, now, rules, exclude=booking.id)
    until = rules.hold_until(now, slot, booking.appointment)
    booking.reschedule(slot, now, until, rules, owner_actor(owner_id))
    return _store(uow, booking, rules, now)


def cancel(
    uow: UnitOfWork, booking_id: int, owner_id: int, now: datetime, rules: BookingRules
) -> Booking:
    booking = owner_booking(uow, booking_id, owner_id)
    booking.cancel(now, rules, owner_actor(owner_id))
    return _store(uow, booking, rules, now)


def accept_repair(
    uow: UnitOfWork, booking_id: int, owner_id: int, now: datetime, rules: BookingRules
) -> Booking:
    """验收. For a direct repair (the agreed settlement pays the shop) the insurer's payment
    of the agreed amount is recorded at once; otherwise the owner records theirs."""
    booking = owner_booking(uow, booking_id, owner_id)
    booking.accept_repair(now, owner_actor(owner_id))
    insurer_pays = direct_repair_amount(uow, booking)
    if insurer_pays is not None:
        booking.record_payment(Payer.INSURER, insurer_pays, now, rules, "insurer")
    return _store(uow, booking, rules, now)


def direct_repair_amount(uow: UnitOfWork, booking: Booking) -> Money | None:
    """The agreed payout when the claim is settled by paying the shop directly (直赔)."""
    figures = direct_repair_figures(uow, booking)
    return None if figures is None else figures.payout


def direct_repair_figures(uow: UnitOfWork, booking: Booking) -> SettlementFigures | None:
    """The agreed settlement's figures when it pays the shop directly (直赔): the owner
    pays the shop the rest of the assessed loss (``loss_total - payout``)."""
    if booking.claim_number is None:
        return None
    claim = uow.claims.get(booking.claim_number)
    agreement = None if claim is None else claim.adjudication.agreement
    if agreement is None or agreement.route is not PaymentRoute.SHOP:
        return None
    return agreement.figures


def report_problem(
    uow: UnitOfWork,
    booking_id: int,
    owner_id: int,
    text: str,
    now: datetime,
    rules: BookingRules,
) -> Booking:
    booking = owner_booking(uow, booking_id, owner_id)
    booking.report_problem(text, now, owner_actor(owner_id))
    return _store(uow, booking, rules, now)


def pay(
    uow: UnitOfWork,
    booking_id: int,
    owner_id: int,
    amount: Money,
    now: datetime,
    rules: BookingRules,
) -> Booking:
    booking = owner_booking(uow, booking_id, owner_id)
    booking.record_payment(Payer.OWNER, amount, now, rules, owner_actor(owner_id))
    return _store(uow, booking, rules, now)


def rate(
    uow: UnitOfWork,
    booking_id: int,
    owner_id: int,
    stars: int,
    now: datetime,
    rules: BookingRules,
) -> Booking:
    """The stars count towards the shop's rating (``Shop.rating``) from now on."""
    booking = owner_booking(uow, booking_id, owner_id)
    booking.rate(stars, now, owner_actor(owner_id))
    return _store(uow, booking, rules, now)


def comment(
    uow: UnitOfWork,
    booking_id: int,
    owner_id: int,
    text: str,
    now: datetime,
    rules: BookingRules,
) -> Booking:
    booking = owner_booking(uow, booking_id, owner_id)
    booking.add_comment(text, now, owner_actor(owner_id))
    return _store(uow, booking, rules, now)


# --- the shop's steps ----------------------------------------------------------------------


def confirm(
    uow: UnitOfWork, booking_id: int, staff: ShopStaff, now: datetime, rules: BookingRules
) -> Booking:
    booking = staff_booking(uow, booking_id, staff)
    booking.confirm(now, staff.actor)
    return _store(uow, booking, rules, now)


def propose(
    uow: UnitOfWork,
    booking_id: int,
    staff: ShopStaff,
    start: datetime,
    now: datetime,
    rules: BookingRules,
) -> Booking:
    """Another time, held for the owner's answer (a free bay is needed for it too)."""
    booking = staff_booking(uow, booking_id, staff)
    booking.require(*WAITING_FOR_SHOP, action="propose")
    shop = uow.shops.get(booking.shop_id)
    if shop is None:
        raise ShopUnknown(shop=str(booking.shop_id))
    slot = _bookable_slot(uow, shop, start, now, rules, exclude=booking.id)
    booking.propose(slot, now, rules.hold_until(now, slot), staff.actor)
    return _store(uow, booking, rules, now)


def decline(
    uow: UnitOfWork,
    booking_id: int,
    staff: ShopStaff,
    reason: str,
    now: datetime,
    rules: BookingRules,
) -> Booking:
    booking = staff_booking(uow, booking_id, staff)
    booking.decline(reason, now, staff.actor)
    return _store(uow, booking, rules, now)


def arrive(
    uow: UnitOfWork, booking_id: int, staff: ShopStaff, now: datetime, rules: BookingRules
) -> Booking:
    booking = staff_booking(uow, booking_id, staff)
    check_arrival(booking, now, rules.arrival_window)
    booking.arrive(now, staff.actor)
    return _store(uow, booking, rules, now)


def start_repair(
    uow: UnitOfWork,
    booking_id: int,
    staff: ShopStaff,
    estimate: datetime,
    now: datetime,
    rules: BookingRules,
    quote: Money | None = None,
) -> Booking:
    booking = staff_booking(uow, booking_id, staff)
    booking.start_repair(estimate, now, rules, staff.actor, quote)
    return _store(uow, booking, rules, now)


def mark_ready(
    uow: UnitOfWork,
    booking_id: int,
    staff: ShopStaff,
    now: datetime,
    rules: BookingRules,
    final: Money | None = None,
) -> Booking:
    """Repair done, with the final amount the shop charges (else its quote stands)."""
    booking = staff_booking(uow, booking_id, staff)
    booking.mark_ready(now, staff.actor, final, rules)
    return _store(uow, booking, rules, now)


# --- the system's ----------------------------------------------------------------------------


def expire_hold(
    uow: UnitOfWork, booking_id: int, now: datetime, rules: BookingRules
) -> Booking | None:
    """Expire a hold whose deadline has passed; None if it was answered meanwhile."""
    booking = uow.bookings.get_for_update(booking_id)
    if booking is None or not booking.hold_lapsed(now):
        return None
    booking.expire(now)
    return _store(uow, booking, rules, now)


def need_of(booking: Booking) -> Need:
    return Need(SERVICE_FOR[booking.kind], booking.origin, booking.make)


def alternatives(
    uow: UnitOfWork, booking: Booking, now: datetime, rules: BookingRules
) -> list[RankedShop]:
    """The next shops to offer when a booking fell through (its own shop left out)."""
    shop = uow.shops.get(booking.shop_id)
    exclude = () if shop is None else (shop.code,)
    found = search_shops(uow, need_of(booking), now, rules, exclude=exclude)
    return [r for r in found if r.earliest is not None][: rules.shops_per_page]


# --- shop staff: one-time invites ----------------------------------------------------------


def create_shop_invite(
    uow: UnitOfWork,
    *,
    shop_code: str,
    name: str,
    now: datetime,
    ttl: timedelta = INVITE_TTL,
    code: str | None = None,
) -> tuple[str, Invite]:
    """A one-time code that makes whoever sends ``/bind CODE`` the shop's staff member
    ``name`` (the adjusters' invites, domain.staff, with the shop's code on them)."""
    shop = uow.shops.by_code(shop_code.strip())
    if shop is None:
        raise ShopUnknown(shop=shop_code.strip()[:40])
    if not name.strip():
        raise ValueError("a name is required")
    plain = code or new_invite_code()
    invite = Invite(
        code_hash=hash_invite_code(plain),
        role=StaffRole.SHOP,
        name=name.strip(),
        created_at=now,
        expires_at=now + ttl,
        shop_code=shop.code,
    )
    uow.staff.add_invite(invite)
    return plain, invite


def bind_shop_staff(uow: UnitOfWork, code: str, party_id: int, now: datetime) -> ShopStaff | None:
    """Bind the sender with a shop invite; None if the code is no shop invite (then it is
    the adjusters' ``/bind`` to judge). Refused codes change nothing."""
    code_hash = hash_invite_code(code)
    invite = uow.staff.invite_for_update(code_hash)
    if invite is None or invite.role is not StaffRole.SHOP:
        return None
    current = uow.shops.staff_for_party(party_id)
    if current is not None:
        shop = uow.shops.get(current.shop_id)
        raise AlreadyShopStaff(name=current.name, shop=shop.name if shop else "")
    adjuster = uow.staff.adjuster_for_party(party_id)
    if adjuster is not None:
        raise AlreadyStaff(name=adjuster.name, code=adjuster.code)
    if not invite.usable(now) or invite.shop_code is None:
        raise InvalidInvite()
    staff = uow.shops.bind_staff(invite.shop_code, invite.name, party_id)
    uow.staff.use_invite(code_hash, party_id, now)
    return staff
