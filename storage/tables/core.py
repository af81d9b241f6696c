"""The database schema: sqlmodel tables.

Table classes describe rows; they are not the domain model. Repositories map rows to
domain objects (and mostly use the tables through SQLAlchemy Core, see ``*_t`` below).
Every datetime column is ``UTCDateTime``: aware datetimes in, aware UTC datetimes out,
on SQLite too. Money columns hold integer fen.
"""

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Index,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    inspect,
)
from sqlmodel import Field, SQLModel

# Stable constraint names, so that later (batch) migrations can address them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PARTY_KINDS = ("owner", "adjuster", "shop_staff")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PartyRow(SQLModel, table=True):
    __tablename__ = "party"
    __table_args__ = (CheckConstraint(_in("kind", PARTY_KINDS), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=30)
    locale: str | None = Field(default=None, max_length=16)
    created_at: datetime


class ChannelIdentityRow(SQLModel, table=True):
    __tablename__ = "channel_identity"
    __table_args__ = (PrimaryKeyConstraint("channel", "external_id"),)

    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=128)
    party_id: int = Field(foreign_key="party.id", ondelete="CASCADE", index=True)


class PolicyRow(SQLModel, table=True):
    __tablename__ = "policy"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=40, unique=True)
    plate: str = Field(max_length=16, index=True)  # normalised, see domain.policy
    holder: str = Field(max_length=100)
    phone: str = Field(max_length=30)
    valid_from: date
    valid_to: date
    # 商业险 bought (NULL: not bought; a policy with none is "交强险 only")
    own_damage_fen: int | None = Field(default=None, sa_type=BigInteger)  # 车损险 sum insured
    third_party_fen: int | None = Field(default=None, sa_type=BigInteger)  # 三者险 limit
    deductible_fen: int = Field(sa_type=BigInteger)
    deductible_rate: int = 0
    seat_driver_fen: int | None = Field(default=None, sa_type=BigInteger)  # 车上人员险
    seat_passenger_fen: int | None = Field(default=None, sa_type=BigInteger)
    jiaoqiang: bool = True
    insurer: str | None = Field(default=None, max_length=40)
    region: str | None = Field(default=None, max_length=100)  # whose adjusters are paged


class VehicleRow(SQLModel, table=True):
    __tablename__ = "vehicle"

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(foreign_key="policy.id", ondelete="CASCADE", unique=True)
    make: str = Field(max_length=60)
    model: str = Field(max_length=60)
    year: int
    vin: str = Field(max_length=32)


class AdjusterRow(SQLModel, table=True):
    __tablename__ = "adjuster"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=100)
    region: str | None = Field(default=None, max_length=100)
    party_id: int | None = Field(default=None, foreign_key="party.id", ondelete="SET NULL")


class ShopRow(SQLModel, table=True):
    __tablename__ = "shop"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=100)
    address: str = Field(max_length=200)
    lat: float
    lon: float
    makes: list[str] = Field(sa_type=JSON)
    services: list[str] = Field(sa_type=JSON)
    rating: float | None = None
    bays: int
    slot_minutes: int
    hours: dict[str, Any] = Field(sa_type=JSON)  # as given, e.g. {"mon-fri": "08:30-18:00"}
    timezone: str = Field(max_length=64)


class ShopStaffRow(SQLModel, table=True):
    __tablename__ = "shop_staff"
    __table_args__ = (UniqueConstraint("shop_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = Field(foreign_key="shop.id", ondelete="CASCADE")
    party_id: int | None = Field(
        default=None, foreign_key="party.id", ondelete="SET NULL", index=True
    )
    name: str = Field(max_length=100)


class MediaRow(SQLModel, table=True):
    __tablename__ = "media"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=10)
    mime: str = Field(max_length=100)
    size: int = Field(sa_type=BigInteger)
    relative_path: str = Field(max_length=255)
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    created_at: datetime
    phash: str | None = Field(default=None, max_length=16, index=True)  # photos: 64-bit pHash


class MediaPhashBandRow(SQLModel, table=True):
    """A 16-bit band of a photo's pHash (``domain.fraud_signals.phash_bands``): near photos
    are found by band value (storage/read_models/fraud.py) rather than by a scan."""

    __tablename__ = "media_phash_band"
    __table_args__ = (Index("ix_media_phash_band_band_value", "band", "value", "media_id"),)

    media_id: int = Field(foreign_key="media.id", ondelete="CASCADE", primary_key=True)
    band: int = Field(primary_key=True)  # 0 = the most significant 16 bits
    value: int


class ClaimRow(SQLModel, table=True):
    __tablename__ = "claim"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    policy_number: str = Field(max_length=40, index=True)
    plate: str | None = Field(default=None, max_length=16)
    owner_party_id: int = Field(foreign_key="party.id", index=True)
    status: str = Field(max_length=30, index=True)
    urgent: bool
    late: bool
    reported_at: datetime = Field(index=True)
    accident_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    coord_system: str | None = Field(default=None, max_length=10)
    address: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, sa_type=Text)
    injuries: bool | None = None
    drivable: bool | None = None
    rescue_requested: bool | None = None
    other_vehicles: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)
    witnesses: str | None = Field(default=None, sa_type=Text)
    police_report_no: str | None = Field(default=None, max_length=40)
    evidence_done: bool
    skipped: list[str] = Field(sa_type=JSON)
    status_token: str = Field(max_length=64, unique=True)
    adjuster_id: int | None = Field(
        default=None, foreign_key="adjuster.id", ondelete="SET NULL", index=True
    )


class ClaimEvidenceRow(SQLModel, table=True):
    __tablename__ = "claim_evidence"
    __table_args__ = (UniqueConstraint("claim_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", ondelete="CASCADE")
    media_id: int = Field(foreign_key="media.id", index=True)
    kind: str = Field(max_length=10)
    role: str | None = Field(default=None, max_length=20)
    position: int


class ClaimStatusChangeRow(SQLModel, table=True):
    __tablename__ = "claim_status_change"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", ondelete="CASCADE", index=True)
    at: datetime
    from_status: str | None = Field(default=None, max_length=30)
    to_status: str = Field(max_length=30)
    actor: str = Field(max_length=100)
    note: str = Field(default="", sa_type=Text)
    action: str | None = Field(default=None, max_length=20)  # domain.claim.Action


class ClaimCounterRow(SQLModel, table=True):
    __tablename__ = "claim_counter"

    day: date = Field(primary_key=True)
    value: int


class ConversationRow(SQLModel, table=True):
    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=128)
    party_id: int = Field(foreign_key="party.id", ondelete="CASCADE", index=True)
    dialog: str | None = Field(default=None, max_length=40)
    state: str = Field(max_length=60)
    slots: dict[str, Any] = Field(sa_type=JSON)
    locale: str = Field(max_length=16)
    last_activity: datetime | None = None
    updated_at: datetime


class ProcessedInboundRow(SQLModel, table=True):
    __tablename__ = "processed_inbound"
    __table_args__ = (PrimaryKeyConstraint("channel", "message_id"),)

    channel: str = Field(max_length=20)
    message_id: str = Field(max_length=200)
    processed_at: datetime = Field(index=True)


class OutboxMessageRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        Index("ix_outbox_status_available_at", "status", "available_at"),
        Index("ix_outbox_channel_chat_id_id", "channel", "chat_id", "id"),
        {"sqlite_autoincrement": True},  # ids are cursors (for_chat): never reuse one
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=128)
    party_id: int | None = Field(default=None, foreign_key="party.id", ondelete="SET NULL")
    locale: str = Field(max_length=16)
    payload: dict[str, Any] = Field(sa_type=JSON)
    created_at: datetime
    available_at: datetime
    status: str = Field(max_length=10)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = Field(default=None, sa_type=Text)


def table_of(model: type[SQLModel]) -> Table:
    return cast(Table, inspect(model).local_table)


# Core handles on the tables, used by the repositories.
party_t = table_of(PartyRow)
identity_t = table_of(ChannelIdentityRow)
policy_t = table_of(PolicyRow)
vehicle_t = table_of(VehicleRow)
adjuster_t = table_of(AdjusterRow)
shop_t = table_of(ShopRow)
shop_staff_t = table_of(ShopStaffRow)
media_t = table_of(MediaRow)
media_phash_band_t = table_of(MediaPhashBandRow)
claim_t = table_of(ClaimRow)
claim_evidence_t = table_of(ClaimEvidenceRow)
claim_status_change_t = table_of(ClaimStatusChangeRow)
claim_counter_t = table_of(ClaimCounterRow)
conversation_t = table_of(ConversationRow)
processed_inbound_t = table_of(ProcessedInboundRow)
outbox_t = table_of(OutboxMessageRow)

ALL_TABLES: tuple[Table, ...] = (
    party_t,
    identity_t,
    policy_t,
    vehicle_t,
    adjuster_t,
    shop_t,
    shop_staff_t,
    media_t,
    media_phash_band_t,
    claim_t,
    claim_evidence_t,
    claim_status_change_t,
    claim_counter_t,
    conversation_t,
    processed_inbound_t,
    outbox_t,
)

# Feature and channel tables live in their own modules; importing them registers them on the
# metadata (a new channel's tables: one more line here).
import storage.channels.telegram.tables  # noqa: E402
import storage.channels.wechat.tables  # noqa: E402
import storage.tables.abuse  # noqa: E402
import storage.tables.adjudication  # noqa: E402
import storage.tables.api  # noqa: E402
import storage.tables.booking  # noqa: E402
import storage.tables.escalation  # noqa: E402
import storage.tables.fastlane  # noqa: E402
import storage.tables.handoff  # noqa: E402
import storage.tables.privacy  # noqa: E402
import storage.tables.quickdeal  # noqa: E402
import storage.tables.security  # noqa: E402
import storage.tables.timers  # noqa: E402, F401
