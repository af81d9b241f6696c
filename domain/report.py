"""The accident report (报案) an owner fills in, and the rules on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.evidence import Evidence, has_enough_photos
from domain.geo import GeoPoint
from domain.policy import Policy

LATE_REPORT_AFTER = timedelta(hours=48)
FUTURE_TOLERANCE = timedelta(minutes=5)
# Claims are time-barred two years after the accident (Insurance Law art. 26).
OLDEST_ACCIDENT = timedelta(days=730)

MAX_DESCRIPTION = 2000
MAX_ADDRESS = 200
MAX_SHORT_TEXT = 500
MAX_POLICE_NUMBER = 40
MAX_INSURER = 50
MAX_OTHER_VEHICLES = 5


class ReportItem(StrEnum):
    POLICY = "policy"
    TIME = "time"
    LOCATION = "location"
    DESCRIPTION = "description"
    INJURIES = "injuries"
    DRIVABLE = "drivable"
    OTHER_VEHICLES = "other_vehicles"
    WITNESSES = "witnesses"
    POLICE = "police"
    EVIDENCE = "evidence"


ITEM_ORDER: tuple[ReportItem, ...] = tuple(ReportItem)
OPTIONAL_ITEMS = frozenset({ReportItem.WITNESSES, ReportItem.POLICE})


class AccidentTimeProblem(StrEnum):
    IN_FUTURE = "in_future"
    TOO_OLD = "too_old"


@dataclass(frozen=True)
class OtherVehicle:
    plate: str
    insurer: str | None = None


@dataclass
class ReportDraft:
    """Everything optional: the owner fills it in any order."""

    policy_number: str | None = None
    plate: str | None = None
    accident_at: datetime | None = None
    location: GeoPoint | None = None
    address: str | None = None
    description: str | None = None
    injuries: bool | None = None
    drivable: bool | None = None
    rescue_requested: bool | None = None
    other_vehicles: list[OtherVehicle] | None = None
    witnesses: str | None = None
    police_report_no: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    evidence_done: bool = False
    skipped: set[ReportItem] = field(default_factory=set)
    address_typed: bool = False  # the address is the owner's words, not a channel's label
    # The owner said another vehicle was involved ("被追尾了") without naming it: its
    # plate is asked next, not whether there was one.
    other_vehicle_said: bool = False

    def type_address(self, address: str) -> None:
        self.address = address
        self.address_typed = True

    def share_location(self, point: GeoPoint, label: str | None) -> None:
        """A shared place gives the coordinates for the map; an address the owner typed
        stays the place's name, else the label the channel sent with it (if any) is."""
        self.location = point
        if not self.address_typed:
            self.address = label or None

    def is_answered(self, item: ReportItem) -> bool:
        if item in self.skipped:
            return True
        match item:
            case ReportItem.POLICY:
                return self.policy_number is not None
            case ReportItem.TIME:
                return self.accident_at is not None
            case ReportItem.LOCATION:
                return self.location is not None or bool(self.address)
            case ReportItem.DESCRIPTION:
                return bool(self.description)
            case ReportItem.INJURIES:
                return self.injuries is not None
            case ReportItem.DRIVABLE:
                return self.drivable is True or (
                    self.drivable is False and self.rescue_requested is not None
                )
            case ReportItem.OTHER_VEHICLES:
                return self.other_vehicles is not None
            case ReportItem.WITNESSES:
                return self.witnesses is not None
            case ReportItem.POLICE:
                return self.police_report_no is not None
            case ReportItem.EVIDENCE:
                return self.evidence_done and has_enough_photos(self.evidence)

    def missing(self) -> list[ReportItem]:
        return [item for item in ITEM_ORDER if not self.is_answered(item)]

    def is_complete(self) -> bool:
        return not self.missing()

    @property
    def urgent(self) -> bool:
        """Injuries, or a car that needs towing, put the claim on the urgent path."""
        return bool(self.injuries) or bool(self.rescue_requested)


def accident_time_problem(at: datetime, now: datetime) -> AccidentTimeProblem | None:
    if at > now + FUTURE_TOLERANCE:
        return AccidentTimeProblem.IN_FUTURE
    if now - at > OLDEST_ACCIDENT:
        return AccidentTimeProblem.TOO_OLD
    return None


def in_policy_period(policy: Policy, accident_at: datetime) -> bool:
    """Whether the accident's day (in the time zone the time was given in) is covered."""
    return policy.is_in_force(accident_at.date())


def looks_like_address(text: str) -> bool:
    """An address names something: digits and punctuation alone ("25:99", "1234") are more
    likely the answer to an earlier question (a time, a choice number) than a place."""
    return any(ch.isalpha() for ch in text)


def is_late_report(accident_at: datetime, reported_at: datetime) -> bool:
    """Reports more than 48 hours after the accident are accepted but flagged late."""
    return reported_at - accident_at > LATE_REPORT_AFTER
