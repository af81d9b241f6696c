"""Read models of the shared platform: claims and bookings as the dashboard and the API show
them, filtered by who is looking.

Plain SQLAlchemy Core on the existing tables, read-only. Every query takes ``shop_code``:
``None`` is the insurer (everything); a shop code restricts to that shop's bookings and
the claims linked to them (a claim is linked when one of the shop's bookings carries its
number). Money is integer fen; times are aware UTC datetimes as stored. SLA states are
not computed here: they need the clock (see ``domain.sla.take_sla_state``).

The claims' and bookings' read models are importable from this package; the other modules
(``accident``, ``settlement``, ``analytics``, ``fraud``, ``clocks``, ``escalations``,
``monitoring``, ``personal_data``, ``pushed_choices``) by their own names.
"""

from storage.read_models.bookings import (
    StatusPageOwner,
    booking_detail,
    booking_timeline,
    bookings_of_claim,
    change_marker,
    claim_by_status_token,
    count_bookings_by_status,
    list_bookings,
    list_shops,
)
from storage.read_models.claims import (
    EARLIEST_DAY,
    LATEST_DAY,
    claim_detail,
    claim_id_of,
    claim_timeline,
    count_claims_by_stage,
    list_claims,
    open_claims_for_sla,
)
from storage.read_models.views import (
    ASSIGNED,
    DEFAULT_TZ,
    MAX_LIMIT,
    TAKE_ACTION,
    BookingDetail,
    BookingSummary,
    BookingTimelineEntry,
    ClaimDetail,
    ClaimSummary,
    EvidenceItem,
    LiabilityInfo,
    LossLine,
    OtherVehicleInfo,
    PaymentInfo,
    SettlementInfo,
    ShopInfo,
    SurveyInfo,
    TimelineEntry,
    linked_to_shop,
    shop_id_of,
)

__all__ = [
    "ASSIGNED",
    "DEFAULT_TZ",
    "EARLIEST_DAY",
    "LATEST_DAY",
    "MAX_LIMIT",
    "TAKE_ACTION",
    "BookingDetail",
    "BookingSummary",
    "BookingTimelineEntry",
    "ClaimDetail",
    "ClaimSummary",
    "EvidenceItem",
    "LiabilityInfo",
    "LossLine",
    "OtherVehicleInfo",
    "PaymentInfo",
    "SettlementInfo",
    "ShopInfo",
    "StatusPageOwner",
    "SurveyInfo",
    "TimelineEntry",
    "booking_detail",
    "booking_timeline",
    "bookings_of_claim",
    "change_marker",
    "claim_by_status_token",
    "claim_detail",
    "claim_id_of",
    "claim_timeline",
    "count_bookings_by_status",
    "count_claims_by_stage",
    "linked_to_shop",
    "list_bookings",
    "list_claims",
    "list_shops",
    "open_claims_for_sla",
    "shop_id_of",
]
