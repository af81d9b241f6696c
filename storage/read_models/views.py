"""The records the read models return (claims, bookings, shops), and their limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, select

from domain.claim_supplement import SupplementSource
from domain.evidence import (
    EvidenceCheck,
)
from storage.read_models.accident import AccidentInfo, PaymentsInfo
from storage.read_models.settlement import OwnItemInfo, ReceivableInfo, SettlementLineInfo
from storage.tables.booking import booking_change_t, booking_t
from storage.tables.core import (
    claim_status_change_t,
    claim_t,
    shop_t,
)

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
MAX_LIMIT = 500
TAKE_ACTION = "take"
ASSIGNED = "assigned"


# --- the records ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimSummary:
    number: str
    stage: str  # domain.claim.ClaimStatus value
    reported_at: datetime
    accident_at: datetime | None
    taken_at: datetime | None  # when an adjuster took it (the SLA's end)
    urgent: bool
    late: bool
    plate: str | None
    make: str | None
    model: str | None
    holder: str | None
    region: str | None
    adjuster_code: str | None
    adjuster_name: str | None
    address: str | None
    booking_id: int | None  # the latest linked booking (the viewer's own, for a shop)
    shop_code: str | None
    updated_at: datetime  # the last timeline entry


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str | None  # domain.claim.Action value; None for entries without one
    actor: str
    reason: str  # the note recorded with the change ("" when none)
    from_stage: str | None
    to_stage: str


@dataclass(frozen=True)
class EvidenceItem:
    media_id: int
    kind: str  # photo | video
    role: str | None  # overview | damage | plate ...
    captured_at: datetime | None  # EXIF capture time, when present
    lat: float | None
    lon: float | None
    check: EvidenceCheck  # capture time and place against the report
    source: SupplementSource | None = None  # a shop's supplement photo: who, when, version


@dataclass(frozen=True)
class OtherVehicleInfo:
    plate: str | None
    insurer: str | None


@dataclass(frozen=True)
class LossLine:
    name: str
    kind: str
    amount_fen: int


@dataclass(frozen=True)
class LiabilityInfo:
    grade: str  # domain.adjudication.Liability value
    share: int | None  # percent
    note: str | None


@dataclass(frozen=True)
class SurveyInfo:
    mode: str
    at: datetime | None
    place: str | None


@dataclass(frozen=True)
class SettlementInfo:
    version: int
    route: str  # owner | shop
    loss_total_fen: int
    share: int
    own_portion_fen: int
    covered_fen: int
    other_share_fen: int
    deductible_fen: int
    payout_fen: int
    outcome: str  # pending | accepted | disputed | superseded
    proposed_at: datetime
    answered_at: datetime | None
    dispute_reason: str | None
    # The statement; a proposal recorded before statements has no lines, and its owner's
    # part is what the recorded own portion leaves after the payout.
    lines: tuple[SettlementLineInfo, ...]  # every payer's, every victim's (version 2)
    owner_pays_fen: int
    receivables: tuple[ReceivableInfo, ...]
    party: str | None  # the owner's vehicle in the lines; None before version 2
    own_items: tuple[OwnItemInfo, ...]  # what each party bears (deductibles, shares)


@dataclass(frozen=True)
class PaymentInfo:
    amount_fen: int
    reference: str
    recorded_at: datetime


@dataclass(frozen=True)
class BookingSummary:
    id: int
    reference: str  # how chats name it: "#42"
    kind: str  # repair | maintenance
    status: str  # domain.booking status value
    shop_code: str
    shop_name: str
    slot_start: datetime
    slot_end: datetime
    claim_number: str | None
    plate: str | None
    updated_at: datetime


@dataclass(frozen=True)
class BookingTimelineEntry:
    at: datetime
    from_status: str | None
    to_status: str
    actor: str
    note: str


@dataclass(frozen=True)
class BookingDetail:
    summary: BookingSummary
    timeline: list[BookingTimelineEntry]
    make: str | None
    decline_reason: str | None
    estimated_done_at: datetime | None
    quote_fen: int | None  # the shop's 报价, stated before the repair started
    final_fen: int | None  # what the shop charged, stated at ready
    tow: bool  # 拖车到店
    pickup: str | None
    problem: str | None
    accepted_at: datetime | None
    payer: str | None
    paid_fen: int | None
    rating: int | None
    comment: str | None
    reschedules: int
    created_at: datetime


@dataclass(frozen=True)
class ClaimDetail:
    summary: ClaimSummary
    timeline: list[TimelineEntry]
    evidence: list[EvidenceItem]
    lat: float | None
    lon: float | None
    coord_system: str | None
    description: str | None
    injuries: bool | None
    drivable: bool | None
    rescue_requested: bool | None
    other_vehicles: list[OtherVehicleInfo]
    police_report_no: str | None
    witnesses: str | None  # names and phones, as the owner typed them
    initial_assessment: str | None
    survey: SurveyInfo | None
    loss_items: list[LossLine]
    loss_total_fen: int
    liability: LiabilityInfo | None
    settlement: SettlementInfo | None  # the latest proposal
    payment: PaymentInfo | None
    bookings: list[BookingSummary]
    accident: AccidentInfo | None = None  # parties and victims' losses as recorded
    payments: PaymentsInfo | None = None  # paid and due, once agreed


@dataclass(frozen=True)
class ShopInfo:
    code: str
    name: str
    address: str
    lat: float
    lon: float
    makes: list[str]
    services: list[str]
    rating: float | None
    bays: int


# --- shared pieces of the queries ---------------------------------------------------------

_c = claim_t.c
_b = booking_t.c
_s = claim_status_change_t.c
_bc = booking_change_t.c


def shop_id_of(shop_code: str) -> ColumnElement[Any]:
    return select(shop_t.c.id).where(shop_t.c.code == shop_code).scalar_subquery()


def linked_to_shop(shop_code: str) -> ColumnElement[bool]:
    """The claim has a booking at the shop."""
    return exists().where(_b.claim_number == _c.number, _b.shop_id == shop_id_of(shop_code))
