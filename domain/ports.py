"""What the domain needs from storage: small repositories behind one unit of work.

The caller that opened the unit of work owns the transaction: services record changes
and never commit, so that a dialog turn, its state and its outbox land together.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

from domain.agreement import Agreement
from domain.attempts import AttemptStore
from domain.booking import Booking
from domain.booking_timers import TimerPlan
from domain.claim import Claim
from domain.fraud_signals import PhotoMatch
from domain.outbox import OutboxItem, OutboxRow
from domain.policy import Policy
from domain.quick_deal import IssuedAgreement, QuickDeal
from domain.records import ConversationRecord, PartyRecord, Recipient
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


# --- what a turn needs: dedupe, who is writing, the conversation, and the outbox ---------


class ProcessedInbound(abc.ABC):
    """The log of processed inbound messages: each (channel, message id) is handled once."""

    @abc.abstractmethod
    def first_time(self, channel: str, message_id: str, at: datetime) -> bool:
        """Record the message; False if it was recorded before (a redelivery). A duplicate
        does not raise, so the transaction stays usable."""


class PartyDirectory(abc.ABC):
    """Parties (owners, adjusters, shop staff) behind channel identities."""

    @abc.abstractmethod
    def resolve(
        self,
        channel: str,
        external_id: str,
        *,
        kind: str = "owner",
        locale: str | None = None,
        name: str | None = None,
    ) -> PartyRecord:
        """The party behind a channel identity; created (with the identity) on first
        contact. ``kind``, ``locale`` and ``name`` only apply to a party created here."""

    @abc.abstractmethod
    def get(self, party_id: int) -> PartyRecord | None: ...

    @abc.abstractmethod
    def set_locale(self, party_id: int, locale: str | None) -> None: ...


class ConversationStore(abc.ABC):
    """Conversation state (dialog, state, slots, locale), persisted every turn."""

    @abc.abstractmethod
    def get_for_update(self, channel: str, chat_id: str) -> ConversationRecord | None:
        """The conversation, locked until the end of the transaction."""

    @abc.abstractmethod
    def save(
        self, record: ConversationRecord, *, loaded: ConversationRecord | None = None
    ) -> ConversationRecord:
        """Insert (``id`` None) or update the conversation; returns it with its id.
        ``loaded``: the row as read in this transaction, so an update can leave alone what
        did not change (on SQLite an assigned indexed column rewrites its index page)."""


class Recipients(abc.ABC):
    """Where a party is reached: its channel identities, and the locale it reads."""

    @abc.abstractmethod
    def of_party(self, party_id: int) -> list[Recipient]:
        """Every channel identity of the party, in a stable order."""

    def of_parties(self, party_ids: Sequence[int]) -> dict[int, list[Recipient]]:
        """``of_party`` for each of the parties (a store may read them at once)."""
        return {party: self.of_party(party) for party in dict.fromkeys(party_ids)}

    @abc.abstractmethod
    def party_of(self, channel: str, external_id: str) -> int | None:
        """The party behind a channel identity, if known (never creates one)."""


class PushedChoiceLog(abc.ABC):
    """The choices a chat was last shown from outside its own turns (another party's card,
    a timer's reminder), read back from the delivered outbox rows of the chat."""

    @abc.abstractmethod
    def latest(self, channel: str, chat_id: str, since: datetime | None) -> tuple[str, ...]:
        """The choice values of the newest delivered row with choices created after
        ``since`` (None: ever), or () when there is none."""


class OutboxStore(abc.ABC):
    """The outbox: rows queued in the transaction that caused them, claimed and marked by
    the dispatcher."""

    @abc.abstractmethod
    def add(self, items: Sequence[OutboxItem], now: datetime | None = None) -> int:
        """Queue messages; an item whose idempotency key exists is skipped silently.
        Returns how many rows were inserted."""

    @abc.abstractmethod
    def mark_sent(self, ids: Iterable[int], at: datetime) -> int: ...

    @abc.abstractmethod
    def claim_chats(
        self, channel: str, chat_ids: Sequence[str], worker: str, now: datetime, limit: int
    ) -> list[OutboxRow]:
        """The due rows of a few chats of one channel, claimed for ``worker`` (status
        sending, the attempt counted), in id order; two workers never get the same row."""

    @abc.abstractmethod
    def claim_due(
        self, channel: str | None, worker: str, now: datetime, limit: int
    ) -> list[OutboxRow]:
        """Up to ``limit`` due rows (of one channel, or all) claimed for ``worker`` (status
        sending, the attempt counted), in id order; two workers never get the same row,
        and no row is taken while an earlier row of its chat is being sent or waits for
        its retry."""

    @abc.abstractmethod
    def renew(self, worker: str, now: datetime) -> list[int]:
        """Renew every lease ``worker`` holds; the ids it still holds."""

    @abc.abstractmethod
    def release_stale(self, older_than: datetime) -> int:
        """Give claims whose lease was last renewed before ``older_than`` back to the queue."""

    @abc.abstractmethod
    def release(self, ids: Iterable[int], worker: str | None = None) -> int:
        """Hand claimed rows back untried (their attempt is not counted); with ``worker``,
        only those that worker still holds."""

    @abc.abstractmethod
    def mark_failed(self, row_id: int, error: str, retry_at: datetime | None) -> None:
        """A send failed: retry at ``retry_at``, or (None) give up on the row."""

    @abc.abstractmethod
    def next_due(self, channels: Sequence[str]) -> datetime | None:
        """When the earliest pending row of these channels is due (None: none pending)."""


class HandoffDesk(abc.ABC):
    """The queue of conversations handed to a person, as a turn uses it."""

    @abc.abstractmethod
    def open(
        self, party_id: int, channel: str, chat_id: str, locale: str, reason: str, now: datetime
    ) -> int:
        """Open a handoff for the party (or return the one already open); its id."""

    @abc.abstractmethod
    def add_message(
        self, handoff_id: int, now: datetime, text: str, *, from_owner: bool, author: str | None
    ) -> None: ...

    @abc.abstractmethod
    def close(self, handoff_id: int, now: datetime, by: str) -> bool:
        """Close an open handoff; False when it was not open."""


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
    inbound: ProcessedInbound
    parties: PartyDirectory
    conversations: ConversationStore
    recipients: Recipients
    outbox: OutboxStore
    handoffs: HandoffDesk | None  # None: no people to hand to (the hotline is named instead)

    @property
    @abc.abstractmethod
    def pushed_choices(self) -> PushedChoiceLog: ...

    @abc.abstractmethod
    def with_status_links(self, items: Sequence[OutboxItem], base_url: str) -> list[OutboxItem]:
        """The rows, with links to the status pages of the claims they name (rows to a
        claim's owner whose parameters name that claim)."""

    def turn_start(
        self, channel: str, user_id: str, chat_id: str, *, locale: str | None
    ) -> tuple[PartyRecord, ConversationRecord | None]:
        """A turn's first reads: the party behind the sender (created on first contact,
        with ``locale``) and the chat's conversation, locked for the turn. A store may
        read both at once."""
        party = self.parties.resolve(channel, user_id, locale=locale)
        return party, self.conversations.get_for_update(channel, chat_id)

    @abc.abstractmethod
    def commit(self) -> None: ...


Uow_co = TypeVar("Uow_co", bound=UnitOfWork, covariant=True)


class UnitOfWorkFactory(Protocol[Uow_co]):
    """Opens a unit of work: ``with factory.unit_of_work() as uow: ...; uow.commit()``;
    leaving the block without ``commit()`` rolls back."""

    def unit_of_work(self) -> AbstractContextManager[Uow_co]: ...
