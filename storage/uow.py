"""The unit of work: one connection, one transaction, the repositories on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from domain.ports import UnitOfWork
from storage.media.repository import MediaRepository
from storage.repositories.attempts import SqlAttemptStore
from storage.repositories.bookings import SqlBookingRepository, SqlBookingTimers
from storage.repositories.claims import SqlClaimRepository
from storage.repositories.consents import ConsentRepository, DataViewLog
from storage.repositories.conversations import ConversationRepository
from storage.repositories.handoffs import HandoffRepository
from storage.repositories.inbound import InboundLog
from storage.repositories.outbox import Outbox
from storage.repositories.parties import PartyRepository
from storage.repositories.policies import SqlPolicyRepository
from storage.repositories.quick_deals import SqlQuickDealRepository
from storage.repositories.recipients import RecipientDirectory
from storage.repositories.reminders import ReminderRepository
from storage.repositories.shops import SqlShopRepository
from storage.repositories.staff import SqlStaffRepository
from storage.repositories.timers import TimerRepository


class SqlUnitOfWork(UnitOfWork):
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

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self.read_only = read_only
        self._conn: Connection | None = None
        self._session: Session | None = None

    def __enter__(self) -> Self:
        if self._conn is not None:
            raise RuntimeError("a unit of work is entered once")
        conn = self._engine.connect()
        try:
            if self.read_only and conn.dialect.name == "postgresql":
                conn = conn.execution_options(postgresql_readonly=True)
            conn.begin()
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self.policies = SqlPolicyRepository(conn)
        self.claims = SqlClaimRepository(conn)
        self.parties = PartyRepository(conn)
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
        self.consents = ConsentRepository(conn)
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
            conn.close()  # rolls back what was not committed

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

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a reading unit of work has nothing to commit")
        conn = self.connection
        if self._session is not None:
            self._session.flush()
        conn.commit()

    def rollback(self) -> None:
        conn = self.connection
        if self._session is not None:
            self._session.expunge_all()
        conn.rollback()
