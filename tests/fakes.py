"""Hand-written fakes of the domain's ports, for tests that need no database."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from dialogs.consent import NOTICE_VERSION
from domain.attempts import CLEAR, AttemptRule, AttemptState, AttemptStore, current
from domain.booking import HOLDING, OPEN, Booking
from domain.booking_timers import TimerPlan
from domain.claim import Claim, ClaimStatus
from domain.fraud_signals import PhotoMatch
from domain.money import Money
from domain.outbox import OutboxItem
from domain.policy import Coverage, Policy, Vehicle, normalize_plate
from domain.ports import (
    BookingRepository,
    BookingTimers,
    ClaimRepository,
    ConsentLog,
    HandoffDesk,
    PolicyRepository,
    QuickDealRepository,
    ReminderSettings,
    ShopRepository,
    StaffRepository,
    UnitOfWork,
)
from domain.quick_deal import OPEN_STATES, QuickDeal
from domain.shop import Shop, ShopStaff
from domain.slots import TimeSlot
from domain.staff import Adjuster, Invite
from tests.fakes_turn import (
    FakeConversationStore,
    FakeOutbox,
    FakePartyDirectory,
    FakeProcessedInbound,
    FakePushedChoices,
    FakeRecipients,
)

SAMPLE_POLICY = Policy(
    number="PDAA20260001",
    plate="沪A12345",
    holder="张伟",
    phone="13800138001",
    vehicle=Vehicle("Volkswagen", "Passat", 2021, "LSVAA4180M2000001"),
    coverage=Coverage(Money.from_yuan("180000.00"), Money.from_yuan("2000000.00"), Money(0)),
    valid_from=date(2026, 3, 1),
    valid_to=date(2027, 2, 28),
)


class FakePolicyRepository(PolicyRepository):
    def __init__(self, policies: list[Policy]) -> None:
        self._policies = list(policies)

    def by_plate(self, plate: str) -> Policy | None:
        wanted = normalize_plate(plate)
        return next((p for p in self._policies if p.plate == wanted), None)

    def by_number(self, number: str) -> Policy | None:
        wanted = number.strip().upper()
        return next((p for p in self._policies if p.number == wanted), None)


class FakeClaimRepository(ClaimRepository):
    def __init__(self) -> None:
        self.claims: dict[str, Claim] = {}
        self._sequences: defaultdict[date, int] = defaultdict(int)

    def add(self, claim: Claim) -> None:
        self.claims[claim.number] = claim

    def get(self, number: str) -> Claim | None:
        return self.claims.get(number)

    def get_for_update(self, number: str) -> Claim | None:
        return self.claims.get(number)

    def save(self, claim: Claim) -> None:
        self.claims[claim.number] = claim

    def photo_reuse(self, number: str, since: datetime, max_distance: int) -> list[PhotoMatch]:
        return []  # no perceptual hashes here: see the storage tests

    def for_owner(self, party_id: int) -> list[Claim]:
        mine = [c for c in self.claims.values() if c.owner_id == party_id]
        return sorted(mine, key=lambda c: c.reported_at)

    def open_for_adjuster(self, adjuster_id: int) -> list[Claim]:
        mine = [c for c in self.claims.values() if c.adjuster_id == adjuster_id and not c.closed]
        return sorted(mine, key=lambda c: (not c.urgent, c.reported_at))

    def unassigned(self, limit: int) -> list[Claim]:
        waiting = [
            c
            for c in self.claims.values()
            if c.adjuster_id is None and c.status is ClaimStatus.REPORTED
        ]
        return sorted(waiting, key=lambda c: (not c.urgent, c.reported_at))[:limit]

    def owners_of_media(self, media_id: int) -> set[int]:
        return {
            c.owner_id
            for c in self.claims.values()
            if any(item.media_id == media_id for item in c.report.evidence)
        }

    def next_sequence(self, day: date) -> int:
        self._sequences[day] += 1
        return self._sequences[day]


class FakeStaffRepository(StaffRepository):
    def __init__(
        self, adjusters: list[Adjuster] | None = None, regions: dict[str, str] | None = None
    ) -> None:
        self.by_id: dict[int, Adjuster] = {a.id: a for a in adjusters or []}
        self.regions = dict(regions or {})  # policy number -> region
        self.invites: dict[str, Invite] = {}
        self.used_by: dict[str, int] = {}

    def adjuster_for_party(self, party_id: int) -> Adjuster | None:
        return next((a for a in self.by_id.values() if a.party_id == party_id), None)

    def adjuster(self, adjuster_id: int) -> Adjuster | None:
        return self.by_id.get(adjuster_id)

    def adjuster_by_code(self, code: str) -> Adjuster | None:
        return next((a for a in self.by_id.values() if a.code == code), None)

    def adjusters(self) -> list[Adjuster]:
        return sorted(self.by_id.values(), key=lambda a: a.id)

    def bind_adjuster(self, code: str, name: str, region: str | None, party_id: int) -> Adjuster:
        current = self.adjuster_by_code(code)
        adjuster_id = current.id if current else max(self.by_id, default=0) + 1
        kept = current.region if current and region is None else region
        self.by_id[adjuster_id] = Adjuster(adjuster_id, code, name, kept, party_id)
        return self.by_id[adjuster_id]

    def region_of_policy(self, policy_number: str) -> str | None:
        return self.regions.get(policy_number)

    def add_invite(self, invite: Invite) -> None:
        self.invites[invite.code_hash] = invite

    def invite_for_update(self, code_hash: str) -> Invite | None:
        return self.invites.get(code_hash)

    def use_invite(self, code_hash: str, party_id: int, at: datetime) -> None:
        self.invites[code_hash] = replace(self.invites[code_hash], used_at=at)
        self.used_by[code_hash] = party_id


class FakeAttemptStore(AttemptStore):
    def __init__(self) -> None:
        self.rows: dict[str, tuple[datetime, AttemptState]] = {}

    def state(self, key: str, rule: AttemptRule, now: datetime) -> AttemptState:
        if key not in self.rows:
            return CLEAR
        start, stored = self.rows[key]
        return current(stored, start, rule, now)

    def fail(self, key: str, rule: AttemptRule, now: datetime) -> AttemptState:
        start, stored = self.rows.get(key, (now, CLEAR))
        if now - start >= rule.window:
            start, stored = now, CLEAR
        failures = stored.failures + 1
        blocked = now + rule.cooldown if failures >= rule.limit else stored.blocked_until
        self.rows[key] = (start, AttemptState(failures, blocked))
        return current(self.rows[key][1], start, rule, now)


class FakeShopRepository(ShopRepository):
    def __init__(self, shops: Sequence[Shop], staff: Sequence[ShopStaff]) -> None:
        self.shops = {shop.id: shop for shop in shops}
        self.members = list(staff)

    def all(self) -> list[Shop]:
        return sorted(self.shops.values(), key=lambda s: s.code)

    def get(self, shop_id: int) -> Shop | None:
        return self.shops.get(shop_id)

    def by_code(self, code: str) -> Shop | None:
        return next((s for s in self.shops.values() if s.code == code), None)

    def staff(self, shop_id: int) -> list[ShopStaff]:
        return [m for m in self.members if m.shop_id == shop_id]

    def staff_for_party(self, party_id: int) -> ShopStaff | None:
        return next((m for m in self.members if m.party_id == party_id), None)

    def bind_staff(self, shop_code: str, name: str, party_id: int) -> ShopStaff:
        shop = self.by_code(shop_code)
        assert shop is not None
        member = ShopStaff(len(self.members) + 1, shop.id, name, party_id)
        self.members.append(member)
        return member


class FakeBookingRepository(BookingRepository):
    """Stores copies, as a database would: a change counts only once saved."""

    def __init__(self) -> None:
        self.rows: dict[int, Booking] = {}
        self.locked_shops: list[int] = []

    def add(self, booking: Booking) -> None:
        booking.id = len(self.rows) + 1
        self.rows[booking.id] = copy.deepcopy(booking)

    def get(self, booking_id: int) -> Booking | None:
        found = self.rows.get(booking_id)
        return copy.deepcopy(found) if found else None

    def get_for_update(self, booking_id: int) -> Booking | None:
        return self.get(booking_id)

    def save(self, booking: Booking) -> None:
        assert booking.id in self.rows
        self.rows[booking.id] = copy.deepcopy(booking)

    def lock_shop(self, shop_id: int) -> None:
        self.locked_shops.append(shop_id)

    def _holding(self, shop_id: int, exclude: int | None) -> list[Booking]:
        return [
            b
            for b in self.rows.values()
            if b.shop_id == shop_id and b.status in HOLDING and b.id != exclude
        ]

    @staticmethod
    def _slots(booking: Booking) -> list[TimeSlot]:
        """Its slot, and the confirmed slot it keeps while a move is asked (one car)."""
        kept = booking.kept_slot
        if kept is None:
            return [booking.slot]
        if not kept.overlaps(booking.slot):
            return [booking.slot, kept]
        start, end = min(kept.start, booking.slot.start), max(kept.end, booking.slot.end)
        return [TimeSlot(start, end)]

    def overlapping(self, shop_id: int, slot: TimeSlot, exclude: int | None = None) -> int:
        return sum(
            1
            for b in self._holding(shop_id, exclude)
            if any(s.overlaps(slot) for s in self._slots(b))
        )

    def taken(
        self,
        shop_ids: Sequence[int],
        start: datetime,
        end: datetime,
        exclude: int | None = None,
    ) -> dict[int, list[TimeSlot]]:
        window = TimeSlot(start, end)
        return {
            shop_id: [
                s
                for b in self._holding(shop_id, exclude)
                for s in self._slots(b)
                if s.overlaps(window)
            ]
            for shop_id in shop_ids
        }

    def _open(self) -> list[Booking]:
        found = [copy.deepcopy(b) for b in self.rows.values() if b.status in OPEN]
        return sorted(found, key=lambda b: (b.slot.start, b.id or 0))

    def for_owner(self, party_id: int) -> list[Booking]:
        return [b for b in self._open() if b.owner_id == party_id]

    def for_shop(self, shop_id: int) -> list[Booking]:
        return [b for b in self._open() if b.shop_id == shop_id]

    def open_for_claim(self, claim_number: str) -> Booking | None:
        return next((b for b in self._open() if b.claim_number == claim_number), None)

    def for_claim(self, claim_number: str) -> list[Booking]:
        found = [copy.deepcopy(b) for b in self.rows.values() if b.claim_number == claim_number]
        return sorted(found, key=lambda b: b.id or 0)

    def open_for_plate(self, owner_id: int, plate: str) -> Booking | None:
        return next((b for b in self._open() if b.owner_id == owner_id and b.plate == plate), None)


class FakeBookingTimers(BookingTimers):
    def __init__(self) -> None:
        self.armed: dict[str, list[TimerPlan]] = {}

    def replace(self, subject: str, plans: Sequence[TimerPlan], now: datetime) -> None:
        self.armed[subject] = list(plans)


class FakeReminderSettings(ReminderSettings):
    def __init__(self) -> None:
        self.muted: dict[int, bool] = {}

    def set_muted(self, party_id: int, muted: bool, at: datetime) -> None:
        self.muted[party_id] = muted


class FakeConsentLog(ConsentLog):
    """Dialog tests start from owners who agreed to the privacy notice (the notice itself
    is tested through the engine: tests/test_consent_notice.py)."""

    def __init__(self) -> None:
        self.versions: dict[int, str] = {}

    def agreed_version(self, party_id: int) -> str | None:
        return self.versions.get(party_id, NOTICE_VERSION)

    def record(self, party_id: int, version: str, channel: str, at: datetime) -> None:
        self.versions[party_id] = version


class FakeQuickDealRepository(QuickDealRepository):
    def __init__(self, claims: dict[str, Claim]) -> None:
        self.deals: dict[str, QuickDeal] = {}  # by claim number
        self.claims = claims

    def add(self, deal: QuickDeal) -> None:
        self.deals[deal.claim_number] = copy.deepcopy(deal)

    def by_code_for_update(self, code_hash: str) -> QuickDeal | None:
        found = (d for d in self.deals.values() if d.code_hash == code_hash)
        return copy.deepcopy(next(found, None))

    def for_claim_for_update(self, number: str) -> QuickDeal | None:
        return copy.deepcopy(self.deals.get(number))

    def joined_by(self, party_id: int) -> QuickDeal | None:
        mine = [d for d in self.deals.values() if d.other_id == party_id and d.state in OPEN_STATES]
        latest = max(mine, key=lambda d: d.created_at, default=None)
        return copy.deepcopy(latest)

    def save(self, deal: QuickDeal) -> None:
        self.deals[deal.claim_number] = copy.deepcopy(deal)

    def viewers_of_media(self, media_id: int) -> set[int]:
        viewers: set[int] = set()
        for deal in self.deals.values():
            claim = self.claims.get(deal.claim_number)
            evidence = [item.media_id for item in claim.report.evidence] if claim else []
            if media_id in (*deal.media, *evidence):
                viewers |= {deal.owner_id, *([deal.other_id] if deal.other_id else [])}
        return viewers


class FakeUnitOfWork(UnitOfWork):
    """The whole port: no shops or bookings unless a test adds them."""

    def __init__(
        self, policies: list[Policy] | None = None, adjusters: list[Adjuster] | None = None
    ) -> None:
        self.policies = FakePolicyRepository(policies if policies is not None else [SAMPLE_POLICY])
        self.claims = FakeClaimRepository()
        self.staff = FakeStaffRepository(adjusters)
        self.attempts = FakeAttemptStore()
        self.shops = FakeShopRepository((), ())
        self.bookings = FakeBookingRepository()
        self.booking_timers = FakeBookingTimers()
        self.reminders = FakeReminderSettings()
        self.consents = FakeConsentLog()
        self.quick_deals = FakeQuickDealRepository(self.claims.claims)
        self.inbound = FakeProcessedInbound()
        self.parties = FakePartyDirectory()
        self.conversations = FakeConversationStore()
        self.recipients = FakeRecipients(self.parties)
        self.outbox = FakeOutbox()
        self.handoffs: HandoffDesk | None = None  # no queue of people: the hotline
        self._pushed_choices = FakePushedChoices(self.outbox)
        self.commits = 0

    @property
    def pushed_choices(self) -> FakePushedChoices:
        return self._pushed_choices

    def with_status_links(self, items: Sequence[OutboxItem], base_url: str) -> list[OutboxItem]:
        """The fake issues no status-page tokens, so no row gains a link."""
        return list(items)

    def commit(self) -> None:
        self.commits += 1


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta
