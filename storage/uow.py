"""The unit of work: one connection, one transaction, the repositories on it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import cached_property
from types import TracebackType
from typing import Self, TypeVar

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from domain.outbox import OutboxStats
from domain.retention import Removed
from domain.scheduler_ports import SchedulerUnitOfWork
from domain.timers import TimerStats
from storage.media.repository import MediaRepository
from storage.media.uploads import MediaUploads
from storage.read_models.clocks import ClockQueries
from storage.read_models.escalations import EscalationQueries
from storage.read_models.fraud import FraudQueries
from storage.read_models.monitoring import outbox_stats, timer_stats
from storage.read_models.personal_data import FullIdentifiers, full_identifiers
from storage.read_models.pushed_choices import PushedChoices
from storage.records import ConversationRecord, OutboxItem, PartyRecord
from storage.repositories.api_tokens import ApiTokenRepository
from storage.repositories.attempts import SqlAttemptStore
from storage.repositories.bookings import SqlBookingRepository, SqlBookingTimers
from storage.repositories.claims import SqlClaimRepository
from storage.repositories.consents import ConsentRepository, DataViewLog
from storage.repositories.conversations import ConversationRepository
from storage.repositories.fastlane_decisions import FastLaneDecisions
from storage.repositories.handoffs import HandoffRepository
from storage.repositories.inbound import InboundLog
from storage.repositories.outbox import Outbox
from storage.repositories.parties import PartyRepository
from storage.repositories.party_data import Erasure, erase
from storage.repositories.payment_instructions import PaymentInstructions
from storage.repositories.policies import SqlPolicyRepository
from storage.repositories.price_list import PriceListRepository
from storage.repositories.quick_deals import SqlQuickDealRepository
from storage.repositories.recipients import RecipientDirectory
from storage.repositories.reminders import ReminderRepository
from storage.repositories.retention import purge
from storage.repositories.server_secrets import shared_secret
from storage.repositories.shops import SqlShopRepository
from storage.repositories.staff import SqlStaffRepository
from storage.repositories.status_links import with_status_links
from storage.repositories.timers import TimerRepository
from storage.repositories.turn_start import read_turn_start
from storage.repositories.web_sessions import WebSessionRepository

Store = TypeVar("Store")


class WriterQueue:
    """This process's writers of one SQLite database, one at a time.

    SQLite lets one transaction write; the others wait in its busy handler, which sleeps
    and retries (1, 2, 5, 10 … 100 ms): under a burst of turns a waiter slept through many
    commits and delivery→reply p99 reached seconds. Here a writer waits on a lock and
    starts as soon as the one before it commits. Other processes (`claimbot import`, a
    second worker) still meet the busy handler. A writer that cannot get its turn within
    the busy timeout goes on to SQLite's own wait, as before, instead of failing here.
    """

    def __init__(self, timeout_s: float) -> None:
        self._lock = threading.Lock()
        self._timeout_s = timeout_s

    def enter(self) -> bool:
        return self._lock.acquire(timeout=self._timeout_s)

    def leave(self) -> None:
        self._lock.release()


class SqlUnitOfWork(SchedulerUnitOfWork):
    """``with db.unit_of_work() as uow: ...; uow.commit()``.

    Entering opens a connection and begins the transaction (``BEGIN IMMEDIATE`` on
    SQLite; a deferred, query-only ``BEGIN`` for ``Database.reading()``). Leaving the block
    without ``commit()`` rolls back. The repositories speak
    SQLAlchemy Core on the one connection; ``session`` offers the ORM on the same
    transaction for the few places that want it.
    """

    policies: SqlPolicyRepository
    claims: SqlClaimRepository
    parties: PartyRepository
    conversations: ConversationRepository
    inbound: InboundLog
    outbox: Outbox
    media: MediaRepository
    staff: SqlStaffRepository
    recipients: RecipientDirectory
    timers: TimerRepository
    reminders: ReminderRepository
    handoffs: HandoffRepository
    shops: SqlShopRepository
    bookings: SqlBookingRepository
    booking_timers: SqlBookingTimers
    attempts: SqlAttemptStore
    consents: ConsentRepository
    data_views: DataViewLog
    quick_deals: SqlQuickDealRepository

    def __init__(
        self,
        engine: Engine,
        *,
        read_only: bool = False,
        writers: WriterQueue | None = None,
    ) -> None:
        self._engine = engine
        self.read_only = read_only
        self._writers = writers
        self._queued = False  # holds its place at the head of the writers' queue
        self._conn: Connection | None = None
        self._session: Session | None = None
        self._agreed: dict[int, str | None] = {}

    def __enter__(self) -> Self:
        if self._conn is not None:
            raise RuntimeError("a unit of work is entered once")
        if self._writers is not None:
            self._queued = self._writers.enter()
        try:
            conn = self._engine.connect()
        except BaseException:
            self._leave_queue()
            raise
        try:
            if self.read_only and conn.dialect.name == "postgresql":
                conn = conn.execution_options(postgresql_readonly=True)
            conn.begin()
        except BaseException:
            conn.close()
            self._leave_queue()
            raise
        self._conn = conn
        self.policies = SqlPolicyRepository(conn)
        self.claims = SqlClaimRepository(conn)
        agreed: dict[int, str | None] = {}  # privacy notice versions read with the parties
        self._agreed = agreed
        self.parties = PartyRepository(conn, agreed)
        self.conversations = ConversationRepository(conn)
        self.inbound = InboundLog(conn)
        self.outbox = Outbox(conn)
        self.media = MediaRepository(conn)
        self.staff = SqlStaffRepository(conn)
        self.recipients = RecipientDirectory(conn)
        self.timers = TimerRepository(conn)
        self.reminders = ReminderRepository(conn)
        self.handoffs = HandoffRepository(conn)
        self.shops = SqlShopRepository(conn)
        self.bookings = SqlBookingRepository(conn)
        self.booking_timers = SqlBookingTimers(conn, self.timers)
        self.attempts = SqlAttemptStore(conn)
        self.consents = ConsentRepository(conn, agreed)
        self.data_views = DataViewLog(conn)
        self.quick_deals = SqlQuickDealRepository(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            if self._session is not None:
                self._session.close()
        finally:
            try:
                conn.close()  # rolls back what was not committed
            finally:
                self._leave_queue()

    def _leave_queue(self) -> None:
        if self._queued and self._writers is not None:
            self._queued = False
            self._writers.leave()

    @property
    def connection(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not entered")
        return self._conn

    @property
    def session(self) -> Session:
        """An ORM session joined to this unit of work's transaction."""
        if self._session is None:
            self._session = Session(bind=self.connection, autoflush=True)
        return self._session

    # --- what the adapters and the scheduler reach beyond the domain's port, on this
    # transaction (they never see its connection) --------------------------------------

    def channel_store(self, kind: Callable[[Connection], Store]) -> Store:
        """A chat channel's own store (``storage/channels/<channel>/``) on this transaction."""
        return kind(self.connection)

    @cached_property
    def web_sessions(self) -> WebSessionRepository:
        return WebSessionRepository(self.connection)

    @cached_property
    def api_tokens(self) -> ApiTokenRepository:
        return ApiTokenRepository(self.connection)

    @cached_property
    def media_uploads(self) -> MediaUploads:
        return MediaUploads(self.connection)

    @cached_property
    def pushed_choices(self) -> PushedChoices:
        return PushedChoices(self.connection)

    @cached_property
    def fraud(self) -> FraudQueries:
        return FraudQueries(self.connection)

    @cached_property
    def price_list(self) -> PriceListRepository:
        return PriceListRepository(self.connection)

    @cached_property
    def fastlane_decisions(self) -> FastLaneDecisions:
        return FastLaneDecisions(self.connection)

    @cached_property
    def payment_instructions(self) -> PaymentInstructions:
        return PaymentInstructions(self.connection)

    @cached_property
    def clock_queries(self) -> ClockQueries:
        return ClockQueries(self.connection)

    @cached_property
    def escalation_queries(self) -> EscalationQueries:
        return EscalationQueries(self.connection)

    def shared_secret(self, name: str, now: datetime) -> str:
        """A signing key every worker shares (``storage.repositories.server_secrets``)."""
        return shared_secret(self.connection, name, now)

    def with_status_links(self, items: Sequence[OutboxItem], base_url: str) -> list[OutboxItem]:
        """The rows, with links to the status pages of the claims they name."""
        return with_status_links(self.connection, items, base_url)

    def turn_start(
        self, channel: str, user_id: str, chat_id: str, *, locale: str | None
    ) -> tuple[PartyRecord, ConversationRecord | None]:
        """On SQLite one statement (``storage.repositories.turn_start``); else, and for a
        sender seen for the first time, the two reads."""
        if self.connection.dialect.name == "sqlite":
            known = read_turn_start(self.connection, channel, user_id, chat_id)
            if known is not None:
                party, agreed, conversation = known
                self._agreed[party.id] = agreed
                return party, conversation
        return super().turn_start(channel, user_id, chat_id, locale=locale)

    def schema_revision(self) -> str | None:
        """The migration the database is at."""
        return MigrationContext.configure(self.connection).get_current_revision()

    def outbox_stats(self, now: datetime) -> OutboxStats:
        return outbox_stats(self.connection, now)

    def timer_stats(self, now: datetime) -> TimerStats:
        return timer_stats(self.connection, now)

    def full_identifiers(self, claim_number: str) -> FullIdentifiers | None:
        return full_identifiers(self.connection, claim_number)

    def purge(self, now: datetime, retention: timedelta, *, dry_run: bool) -> Removed:
        """The retention purge (``storage.repositories.retention``)."""
        return purge(self.connection, now, retention, dry_run=dry_run)

    def erase_party(self, party_id: int, now: datetime, *, dry_run: bool) -> Erasure:
        """One person's erasure (``storage.repositories.party_data``)."""
        return erase(self.connection, party_id, now, dry_run=dry_run)

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a reading unit of work has nothing to commit")
        conn = self.connection
        if self._session is not None:
            self._session.flush()
        conn.commit()
        self._leave_queue()

    def rollback(self) -> None:
        conn = self.connection
        if self._session is not None:
            self._session.expunge_all()
        conn.rollback()
        self._leave_queue()
