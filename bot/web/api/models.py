"""The JSON API's response models (they are what /openapi.json documents).

Money is integer fen (fields end in ``_fen``); times are ISO 8601 with their UTC offset.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.sla import SlaState
from storage import read_models as rm


class Out(BaseModel):
    """Response models read the read models' dataclasses by attribute name."""

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(Out):
    detail: str


class ClaimOut(Out):
    number: str = Field(description="the claim number, e.g. BA2026112500001")
    stage: str = Field(description="reported, assigned, surveying, assessed, ...")
    reported_at: datetime
    accident_at: datetime | None
    taken_at: datetime | None = Field(description="when an adjuster took the claim")
    sla: SlaState = Field(description="response-time promise: on_time, at_risk, breached")
    urgent: bool
    late: bool = Field(description="reported later than the policy asks")
    plate: str | None
    make: str | None
    model: str | None
    holder: str | None
    region: str | None
    adjuster_code: str | None
    adjuster_name: str | None
    address: str | None
    booking_id: int | None = Field(description="the latest linked booking visible to you")
    shop_code: str | None
    updated_at: datetime

    @classmethod
    def of(cls, summary: rm.ClaimSummary, sla: SlaState) -> ClaimOut:
        return cls.model_validate({**asdict(summary), "sla": sla})


class ClaimPage(Out):
    items: list[ClaimOut]
    limit: int
    offset: int


class TimelineEntryOut(Out):
    at: datetime
    action: str | None = Field(description="take, survey, loss, settle, accept, pay, ...")
    actor: str
    reason: str = Field(description="the note recorded with the change")
    from_stage: str | None
    to_stage: str


class TimelineOut(Out):
    number: str
    items: list[TimelineEntryOut]


class EvidenceOut(Out):
    media_id: int
    kind: str = Field(description="photo or video")
    role: str | None = Field(description="overview, damage, plate_vin, ...")
    captured_at: datetime | None = Field(description="EXIF capture time")
    lat: float | None
    lon: float | None
    check: str = Field(description="consistent, inconsistent or no_metadata")
    checked_against: str = Field(
        description="accident: the reported time and place; workshop: a shop's supplement "
        "photo, taken after the accident and by its upload, at the shop"
    )
    minutes_after_accident: int | None
    distance_km: float | None = Field(description="to the reported place, or to the shop")

    @classmethod
    def of(cls, item: rm.EvidenceItem) -> EvidenceOut:
        return cls(
            media_id=item.media_id,
            kind=item.kind,
            role=item.role,
            captured_at=item.captured_at,
            lat=item.lat,
            lon=item.lon,
            check=item.check.verdict.value,
            checked_against=item.check.against.value,
            minutes_after_accident=item.check.minutes_after_accident,
            distance_km=item.check.distance_km,
        )


class OtherVehicleOut(Out):
    plate: str | None
    insurer: str | None


class LossItemOut(Out):
    name: str
    kind: str
    amount_fen: int


class LiabilityOut(Out):
    grade: str = Field(description="full, major, equal, minor, none")
    share: int | None = Field(description="percent")
    note: str | None


class SurveyOut(Out):
    mode: str = Field(description="onsite or remote")
    at: datetime | None
    place: str | None


class SettlementLineOut(Out):
    payer: str = Field(description="the vehicle whose policy pays (its plate)")
    coverage: str = Field(
        description="jiaoqiang_disability_death, jiaoqiang_medical, jiaoqiang_property, "
        "third_party, own_damage, seats or rescue"
    )
    victim: str
    kind: str = Field(description="vehicle, property, medical, disability_death or rescue")
    amount_fen: int
    rule: str = Field(description="the allocation rule that produced it (docs/settlement.md)")
    person: str | None
    handled_by: str | None = Field(
        description="the vehicle whose insurer pays it for the no-fault payer"
    )


class OwnItemOut(Out):
    party: str = Field(description="who bears it (a deductible, an uncovered share)")
    victim: str
    kind: str
    amount_fen: int
    rule: str = Field(description="the rule that left it to the party (docs/settlement.md)")
    person: str | None


class ReceivableOut(Out):
    creditor: str = Field(description="the vehicle whose insurer recovers")
    debtor: str
    amount_fen: int


class SettlementOut(Out):
    version: int
    route: str = Field(description="owner (paid to the owner) or shop (direct repair)")
    loss_total_fen: int
    share: int
    own_portion_fen: int
    covered_fen: int
    other_share_fen: int
    deductible_fen: int
    payout_fen: int
    outcome: str = Field(description="pending, accepted, disputed, superseded")
    proposed_at: datetime
    answered_at: datetime | None
    dispute_reason: str | None
    lines: list[SettlementLineOut] = Field(
        description="the settlement statement's lines, every payer's and every victim's "
        "(the owner's car, the other vehicles, property, injured persons); proposals "
        "stored before the whole statement was kept have the owner's car's lines only, "
        "and proposals recorded before statements none"
    )
    owner_pays_fen: int = Field(description="the owner's out-of-pocket")
    receivables: list[ReceivableOut]
    party: str | None = Field(
        description="the owner's vehicle among the lines' victims and payers (null on "
        "proposals stored with the owner's lines only)"
    )
    own_items: list[OwnItemOut] = Field(
        description="what each party bears itself: deductibles, uncovered shares"
    )


class PaymentOut(Out):
    amount_fen: int
    reference: str
    recorded_at: datetime


class AccidentPartyOut(Out):
    label: str = Field(description="a plate for a vehicle, a name otherwise")
    kind: str = Field(description="vehicle, non_motor, pedestrian or property")
    insurer: str
    insured: bool
    jiaoqiang: bool
    third_party_fen: int | None = Field(description="third-party cover limit; null: unknown")
    share: int | None = Field(description="liability percent; null when no ratios recorded")


class VictimLossOut(Out):
    victim: str
    kind: str = Field(description="vehicle, property, medical or disability_death")
    amount_fen: int
    person: str
    role: str | None = Field(description="driver, passenger or third_party")


class AccidentOut(Out):
    parties: list[AccidentPartyOut] = Field(description="the other parties recorded")
    losses: list[VictimLossOut] = Field(description="the victims' losses besides the own car")
    source: str | None = Field(description="police, agreement or insurer: the ratios' source")
    reference: str
    subrogation: bool
    total_loss_value_fen: int | None
    salvage_fen: int | None
    insurer_takes_salvage: bool
    rescue_fen: int


class PartPaymentOut(Out):
    amount_fen: int
    reference: str
    recorded_at: datetime


class PaymentsOut(Out):
    agreed_fen: int
    paid_fen: int = Field(description="paid so far: parts first, then the rest")
    due_fen: int
    parts: list[PartPaymentOut]


class BookingOut(Out):
    id: int
    reference: str = Field(description="how chats name it, e.g. #42")
    kind: str = Field(description="repair or maintenance")
    status: str
    shop_code: str
    shop_name: str
    slot_start: datetime
    slot_end: datetime
    claim_number: str | None
    plate: str | None
    updated_at: datetime


class BookingPage(Out):
    items: list[BookingOut]
    limit: int
    offset: int


class BookingChangeOut(Out):
    at: datetime
    from_status: str | None
    to_status: str
    actor: str
    note: str


class BookingDetailOut(BookingOut):
    make: str | None
    decline_reason: str | None
    estimated_done_at: datetime | None
    quote_fen: int | None = Field(description="the shop's quote, stated before the repair")
    final_fen: int | None = Field(description="the final amount the shop stated at ready")
    tow: bool = Field(description="the car comes to the shop by tow (拖车到店)")
    pickup: str | None = Field(description="where the tow fetches it: the accident's place")
    problem: str | None
    accepted_at: datetime | None
    payer: str | None = Field(description="insurer (direct repair) or owner")
    paid_fen: int | None
    rating: int | None
    comment: str | None
    reschedules: int
    created_at: datetime
    timeline: list[BookingChangeOut]

    @classmethod
    def of_detail(cls, detail: rm.BookingDetail) -> BookingDetailOut:
        fields = asdict(detail)
        return cls.model_validate({**fields.pop("summary"), **fields})


class ClaimDetailOut(ClaimOut):
    lat: float | None
    lon: float | None
    coord_system: str | None = Field(description="wgs84 or gcj02")
    description: str | None
    injuries: bool | None
    drivable: bool | None
    rescue_requested: bool | None
    other_vehicles: list[OtherVehicleOut]
    police_report_no: str | None
    witnesses: str | None = Field(description="witness names and phones, as the owner typed them")
    initial_assessment: str | None
    survey: SurveyOut | None
    evidence: list[EvidenceOut]
    loss_items: list[LossItemOut]
    loss_total_fen: int
    liability: LiabilityOut | None
    settlement: SettlementOut | None = Field(description="the latest proposal")
    payment: PaymentOut | None = Field(description="the payment that closed the claim")
    bookings: list[BookingOut]
    timeline: list[TimelineEntryOut]
    accident: AccidentOut | None = Field(description="parties and losses recorded in chat")
    payments: PaymentsOut | None = Field(description="paid and due, once agreed")

    @classmethod
    def of_detail(cls, detail: rm.ClaimDetail, sla: SlaState) -> ClaimDetailOut:
        fields = asdict(detail)
        fields["evidence"] = [EvidenceOut.of(item) for item in detail.evidence]
        return cls.model_validate({**fields.pop("summary"), **fields, "sla": sla})


class ShopOut(Out):
    code: str
    name: str
    address: str
    lat: float
    lon: float
    makes: list[str]
    services: list[str]
    rating: float | None
    bays: int


class ShopList(Out):
    items: list[ShopOut]


class OutboxMetricsOut(Out):
    backlog: int = Field(description="messages due and not yet sent")
    oldest_due_age_seconds: float | None
    failed: int


class TimerMetricsOut(Out):
    due: int
    oldest_due_age_seconds: float | None
    oldest_due_at: datetime | None
    firing: int
    failed: int


class MetricsOut(Out):
    now: datetime
    claims_by_stage: dict[str, int]
    sla: dict[str, int] = Field(description="open claims by SLA state")
    bookings_by_status: dict[str, int]
    outbox: OutboxMetricsOut | None = Field(description="insurer tokens only")
    timers: TimerMetricsOut | None = Field(description="insurer tokens only")
