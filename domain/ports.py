"""What the domain needs from storage: small repositories behind one unit of work.

The caller that opened the unit of work owns the transaction: services record changes
and never commit, so that a dialog turn, its state and its outbox land together.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from domain.agreement import Agreement
from domain.attempts import AttemptStore
from domain.booking import Booking
from domain.booking_timers import TimerPlan
from domain.claim import Claim
from domain.fraud_signals import PhotoMatch
from domain.policy import Policy
from domain.quick_deal import IssuedAgreement, QuickDeal
from domain.shop import Shop, ShopStaff
from domain.slots import TimeSlot
from domain.staff import Adjuster, Invite


class PolicyRepository(abc.ABC):
    @abc.abstractmethod
    def by_plate(self, plate: str) -> Policy | None: ...

    @abc.abstractmethod
    def by_number(self, number: str) -> Policy | None: ...


class ClaimRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, claim: Claim) -> None: ...

    @abc.abstractmethod
    def get(self, number: str) -> Claim | None: ...

    @abc.abstractmethod
    def get_for_update(self, number: str) -> Claim | None:
        """The claim, locked against concurrent changes until the transaction ends."""

    @abc.abstractmethod
    def save(self, claim: Claim) -> None:
        """Store the changes made to a claim loaded with ``get_for_update``."""

    @abc.abstractmethod
    def for_owner(self, party_id: int) -> list[Claim]:
        """The owner's claims, oldest report first."""

    @abc.abstractmethod
    def open_for_adjuster(self, adjuster_id: int) -> list[Claim]:
        """Claims assigned to the adjuster and not closed, urgent first, then oldest."""

    @abc.abstractmethod
    def unassigned(self, limit: int) -> list[Claim]:
        """Reported claims nobody has taken yet, urgent first, then oldest."""

    @abc.abstractmethod
    def owners_of_media(self, media_id: int) -> set[int]:
        """The owners of the claims a stored photo or video is evidence of."""

    @abc.abstractmethod
    def next_sequence(self, day: date) -> int:
        """The next claim sequence number of a (local) day, starting at 1."""

    @abc.abstractmethod
    def photo_reuse(self, number: str, since: datetime, max_distance: int) -> list[PhotoMatch]:
        """The claim's photos whose perceptual hash lies within ``max_distance`` bits of a
        photo in another claim reported since ``since`` (or that are the same file)."""


class StaffRepository(abc.ABC):
    @abc.abstractmethod
    def adjuster_for_party(self, party_id: int) -> Adjuster | None: ...

    @abc.abstractmethod
    def adjuster(self, adjuster_id: int) -> Adjuster | None: ...

    @abc.abstractmethod
    def adjuster_by_code(self, code: str) -> Adjuster | None: ...

    @abc.abstractmethod
    def adjusters(self) -> list[Adjuster]:
        """Every adjuster, bound or not."""

    @abc.abstractmethod
    def bind_adjuster(self, code: str, name: str, region: str | None, party_id: int) -> Adjuster:
        """Make ``party_id`` the adjuster ``code``: created if new, its name and region
        updated (a region of None keeps the one on record); a party bound to the code
        before loses it."""

    @abc.abstractmethod
    def region_of_policy(self, policy_number: str) -> str | None: ...

    @abc.abstractmethod
    def add_invite(self, invite: Invite) -> None: ...

    @abc.abstractmethod
    def invite_for_update(self, code_hash: str) -> Invite | None: ...

    @abc.abstractmethod
    def use_invite(self, code_hash: str, party_id: int, at: datetime) -> None: ...


class ShopRepository(abc.ABC):
    """Shops from the directory, with the owners' ratings summed up, and their staff."""

    @abc.abstractmethod
    def all(self) -> list[Shop]: ...

    @abc.abstractmethod
    def get(self, shop_id: int) -> Shop | None: ...

    @abc.abstractmethod
    def by_code(self, code: str) -> Shop | None: ...

    @abc.abstractmethod
    def staff(self, shop_id: int) -> list[ShopStaff]:
        """Everyone who answers for the shop, bound or not."""

    @abc.abstractmethod
    def staff_for_party(self, party_id: int) -> ShopStaff | None: ...

    @abc.abstractmethod
    def bind_staff(self, shop_code: str, name: str, party_id: int) -> ShopStaff:
        """Make ``party_id`` the shop's staff member ``name`` (created if new)."""


class BookingRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, booking: Booking) -> None:
        """Store a new booking; sets ``booking.id``."""

    @abc.abstractmethod
    def get(self, booking_id: int) -> Booking | None: ...

    @abc.abstractmethod
    def get_for_update(self, booking_id: int) -> Booking | None:
        """The booking, locked against concurrent changes until the transaction ends."""

    @abc.abstractmethod
    def save(self, booking: Booking) -> None:
        """Store the changes made to a booking loaded with ``get_for_update``."""

    @abc.abstractmethod
    def lock_shop(self, shop_id: int) -> None:
        """Serialise capacity decisions for one shop until the transaction ends."""

    @abc.abstractmethod
    def overlapping(self, shop_id: int, slot: TimeSlot, exclude: int | None = None) -> int:
        """How many bookings holding a bay overlap ``slot`` (``exclude``: one booking id)."""

    @abc.abstractmethod
    def taken(
        self,
        shop_ids: Sequence[int],
        start: datetime,
        end: datetime,
        exclude: int | None = None,
    ) -> dict[int, list[TimeSlot]]:
        """The slots held by bookings of these shops that overlap ``[start, end)``
        (``exclude``: leave one booking out, the one being rescheduled)."""

    @abc.abstractmethod
    def for_owner(self, party_id: int) -> list[Booking]:
        """The owner's open bookings, soonest slot first."""

    @abc.abstractmethod
    def for_shop(self, shop_id: int) -> list[Booking]:
        """The shop's open bookings, soonest slot first."""

    @abc.abstractmethod
    def open_for_claim(self, claim_number: str) -> Booking | None: ...

    @abc.abstractmethod
    def for_claim(self, claim_number: str) -> list[Booking]:
        """Every booking made for a claim, open or not, oldest first."""

    @abc.abstractmethod
    def open_for_plate(self, owner_id: int, plate: str) -> Booking | None: ...


class BookingTimers(abc.ABC):
    """Durable timers of bookings (reminders, hold expiry), kept in step with each change."""

    @abc.abstractmethod
    def replace(self, subject: str, plans: Sequence[TimerPlan], now: datetime) -> None:
        """Arm ``plans`` (unchanged ones stay as they are) and cancel the subject's other
        pending timers."""


class ReminderSettings(abc.ABC):
    """A party's reminder preferences (``/mute``, ``/unmute``)."""

    @abc.abstractmethod
    def set_muted(self, party_id: int, muted: bool, at: datetime) -> None:
        """Reminders (not progress updates) stop, or resume, for the party."""


class ConsentLog(abc.ABC):
    """Which version of the privacy notice each party agreed to (PIPL)."""

    @abc.abstractmethod
    def agreed_version(self, party_id: int) -> str | None:
        """The notice version the party last agreed to; None: never."""

    @abc.abstractmethod
    def record(self, party_id: int, version: str, channel: str, at: datetime) -> None:
        """The party agreed to ``version`` on ``channel`` at ``at``."""


class QuickDealRepository(abc.ABC):
    """快处快赔 cases, one per claim, found by the invitation code's hash."""

    @abc.abstractmethod
    def add(self, deal: QuickDeal) -> None:
        """A new invitation; it replaces the claim's earlier one if that never started
        (``domain.quick_deal.REPLACEABLE``)."""

    @abc.abstractmethod
    def by_code_for_update(self, code_hash: str) -> QuickDeal | None: ...

    @abc.abstractmethod
    def for_claim_for_update(self, number: str) -> QuickDeal | None: ...

    @abc.abstractmethod
    def joined_by(self, party_id: int) -> QuickDeal | None:
        """The open case the party joined as the other driver (the latest), if any."""

    @abc.abstractmethod
    def save(self, deal: QuickDeal) -> None: ...

    @abc.abstractmethod
    def viewers_of_media(self, media_id: int) -> set[int]:
        """Both drivers of every case the photo belongs to: the owner's report photos, the
        other driver's photos, the invitation's QR code."""


class QuickDealServices(abc.ABC):
    """What a 快处快赔 turn needs beyond data: the invitation's lifetime and QR code, our
    name on the agreement, and the agreement's documents (HTML and PDF)."""

    invite_lifetime: timedelta
    insurer: str  # how the agreement names us as the owner's insurer
    public_url: str  # the base of the web chat link in an invitation

    @abc.abstractmethod
    def invitation_qr(self, url: str) -> int:
        """A QR code (PNG) of ``url``, stored as a photo: its media id."""

    @abc.abstractmethod
    def issue(self, agreement: Agreement, locale: str, now: datetime) -> IssuedAgreement:
        """Render the agreement (HTML and PDF) in ``locale``, keep both with the claim;
        their links."""

    def locale_of(self, party_id: int) -> str:
        """The locale a party chose (""): their copy of the agreement is in it."""
        return ""


class UnitOfWork(abc.ABC):
    """Every repository a dialog turn or a domain service may use; test fakes implement
    all of it (tests/fakes.py), and tests/test_port_contract.py runs the same cases against
    the fake and the SQL unit of work."""

    policies: PolicyRepository
    claims: ClaimRepository
    staff: StaffRepository
    shops: ShopRepository
    bookings: BookingRepository
    booking_timers: BookingTimers
    attempts: AttemptStore
    reminders: ReminderSettings
    consents: ConsentLog
    quick_deals: QuickDealRepository
