"""Domain rules: money, plates and policy checks, report completeness, the claim lifecycle."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.claim import (
    ALLOWED_TRANSITIONS,
    TERMINAL_STATUSES,
    Claim,
    ClaimStatus,
    IncompleteReport,
    InvalidTransition,
    PolicyNotInForce,
    format_claim_number,
)
from domain.events import ClaimReported, ClaimStatusChanged
from domain.evidence import (
    Evidence,
    MediaKind,
    PhotoRole,
    distinct,
    has_enough_photos,
    missing_photo_roles,
    next_photo_role,
)
from domain.geo import GeoPoint, InvalidCoordinates
from domain.money import InvalidAmount, Money
from domain.policy import looks_like_plate, normalize_plate
from domain.report import (
    AccidentTimeProblem,
    ReportDraft,
    ReportItem,
    accident_time_problem,
    in_policy_period,
    is_late_report,
    looks_like_address,
)
from domain.services import UnknownPolicy, file_claim
from tests.fakes import SAMPLE_POLICY, FakeUnitOfWork

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def complete_draft(**changes: object) -> ReportDraft:
    draft = ReportDraft(
        policy_number="PDAA20260001",
        plate="沪A12345",
        accident_at=NOW - timedelta(hours=1),
        location=GeoPoint(31.23, 121.47),
        description="rear-ended at a light",
        injuries=False,
        drivable=True,
        other_vehicles=[],
        witnesses=None,
        police_report_no=None,
        evidence=[
            Evidence(1, MediaKind.PHOTO, PhotoRole.OVERVIEW),
            Evidence(2, MediaKind.PHOTO, PhotoRole.DAMAGE),
            Evidence(3, MediaKind.PHOTO, PhotoRole.PLATE_VIN),
        ],
        evidence_done=True,
        skipped={ReportItem.WITNESSES, ReportItem.POLICE},
    )
    return replace(draft, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "fen"), [("180000.00", 18_000_000), ("0.5", 50), ("1,234.56", 123_456), ("7", 700)]
)
def test_money_from_yuan(text: str, fen: int) -> None:
    assert Money.from_yuan(text).fen == fen


@pytest.mark.parametrize("text", ["1.234", "abc", "NaN", "Infinity", ""])
def test_money_refuses_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(InvalidAmount):
        Money.from_yuan(text)


def test_money_arithmetic_and_display() -> None:
    assert (Money(150) + Money(275)).yuan() == "4.25"
    assert (Money(100) - Money(250)).yuan() == "-1.50"


@pytest.mark.parametrize("plate", ["沪A12345", "沪a 12345", "沪A·12345", "粤B-D12345"])
def test_plates(plate: str) -> None:
    assert looks_like_plate(plate)


@pytest.mark.parametrize("plate", ["A12345", "沪12345", "沪A1234", "hello", ""])
def test_not_plates(plate: str) -> None:
    assert not looks_like_plate(plate)


def test_policy_check_by_number_or_phone_tail() -> None:
    assert normalize_plate("沪a 12345") == "沪A12345"
    assert SAMPLE_POLICY.accepts_check("8001")
    assert SAMPLE_POLICY.accepts_check("pdaa20260001")
    assert not SAMPLE_POLICY.accepts_check("0001")
    assert not SAMPLE_POLICY.accepts_check("001")
    assert not SAMPLE_POLICY.accepts_check("")
    assert SAMPLE_POLICY.is_in_force(date(2026, 3, 1))
    assert not SAMPLE_POLICY.is_in_force(date(2027, 3, 1))


def test_coordinates_out_of_range() -> None:
    with pytest.raises(InvalidCoordinates):
        GeoPoint(91, 0)
    with pytest.raises(InvalidCoordinates):
        GeoPoint(0, float("nan"))
    assert GeoPoint(31.2304, 121.4737).distance_km(GeoPoint(31.2040, 121.5900)) == pytest.approx(
        11.4, abs=0.3
    )


def test_report_completeness_in_order() -> None:
    assert ReportDraft().missing()[0] is ReportItem.POLICY
    assert complete_draft().is_complete()
    assert complete_draft(drivable=False).missing() == [ReportItem.DRIVABLE]
    assert complete_draft(drivable=False, rescue_requested=False).is_complete()
    assert complete_draft(evidence_done=False).missing() == [ReportItem.EVIDENCE]
    assert complete_draft(skipped=set()).missing() == [ReportItem.WITNESSES, ReportItem.POLICE]


def test_photos_need_every_role() -> None:
    two = [Evidence(1, MediaKind.PHOTO, PhotoRole.OVERVIEW), Evidence(2, MediaKind.VIDEO)]
    assert missing_photo_roles(two) == [PhotoRole.DAMAGE, PhotoRole.PLATE_VIN]
    assert next_photo_role(two) is PhotoRole.DAMAGE
    assert complete_draft(evidence=two).missing() == [ReportItem.EVIDENCE]


def test_a_photo_sent_twice_fills_one_role() -> None:
    again = [
        Evidence(1, MediaKind.PHOTO, PhotoRole.OVERVIEW),
        Evidence(2, MediaKind.PHOTO, PhotoRole.DAMAGE),
        Evidence(1, MediaKind.PHOTO, PhotoRole.PLATE_VIN),  # stored before the fix
    ]
    assert distinct(again) == again[:2]
    assert missing_photo_roles(again) == [PhotoRole.PLATE_VIN]
    assert not has_enough_photos(again)
    assert next_photo_role(again) is PhotoRole.PLATE_VIN
    assert complete_draft(evidence=again).missing() == [ReportItem.EVIDENCE]


@pytest.mark.parametrize("text", ["25:99", "1234", "12-03 08.30", "  ,  "])
def test_digits_and_punctuation_are_not_an_address(text: str) -> None:
    assert not looks_like_address(text)


@pytest.mark.parametrize("text", ["南京东路 100 号", "88 Zhangjiang Rd", "G60 沪昆高速 K23"])
def test_addresses(text: str) -> None:
    assert looks_like_address(text)


def test_urgency_from_injuries_or_rescue() -> None:
    assert not complete_draft().urgent
    assert complete_draft(injuries=True).urgent
    assert complete_draft(drivable=False, rescue_requested=True).urgent


def test_accident_time_rules() -> None:
    assert accident_time_problem(NOW + timedelta(minutes=4), NOW) is None
    assert accident_time_problem(NOW + timedelta(hours=1), NOW) is AccidentTimeProblem.IN_FUTURE
    assert accident_time_problem(NOW - timedelta(days=731), NOW) is AccidentTimeProblem.TOO_OLD
    assert not is_late_report(NOW - timedelta(hours=48), NOW)
    assert is_late_report(NOW - timedelta(hours=48, seconds=1), NOW)


def test_filing_a_claim_records_the_report_event_and_timeline() -> None:
    claim = Claim.file("BA2026112500001", complete_draft(), SAMPLE_POLICY, 7, NOW, "party:7")
    assert claim.status is ClaimStatus.REPORTED
    assert claim.events == [ClaimReported(NOW, "BA2026112500001", False, False)]
    assert claim.timeline[0].to_status is ClaimStatus.REPORTED


def test_an_incomplete_report_cannot_be_filed() -> None:
    with pytest.raises(IncompleteReport) as info:
        Claim.file("N", complete_draft(description=None), SAMPLE_POLICY, 7, NOW, "a")
    assert info.value.missing == [ReportItem.DESCRIPTION]


def test_an_accident_outside_the_policy_period_cannot_be_filed() -> None:
    draft = complete_draft(accident_at=datetime(2026, 2, 1, tzinfo=UTC))
    with pytest.raises(PolicyNotInForce):
        Claim.file("N", draft, SAMPLE_POLICY, 7, NOW, "a")


def test_lifecycle_allows_only_listed_transitions() -> None:
    claim = Claim.file("N", complete_draft(), SAMPLE_POLICY, 7, NOW, "a")
    with pytest.raises(InvalidTransition):
        claim.change_status(ClaimStatus.PAID, NOW, "adjuster:1")
    claim.change_status(ClaimStatus.ASSIGNED, NOW, "adjuster:1")
    assert isinstance(claim.events[-1], ClaimStatusChanged)
    assert {ClaimStatus.PAID, ClaimStatus.WITHDRAWN, ClaimStatus.REJECTED} == TERMINAL_STATUSES
    assert set(ALLOWED_TRANSITIONS) == set(ClaimStatus)


def test_claim_numbers_count_per_local_day() -> None:
    uow = FakeUnitOfWork()
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    late_evening_utc = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # 01:00 on the 26th locally
    first = file_claim(uow, complete_draft(), 7, NOW, tz, "a")
    second = file_claim(uow, complete_draft(), 7, NOW, tz, "a")
    third = file_claim(uow, complete_draft(), 7, late_evening_utc, tz, "a")
    assert [first.number, second.number, third.number] == [
        "BA2026112500001",
        "BA2026112500002",
        "BA2026112600001",
    ]
    assert format_claim_number(date(2026, 1, 2), 42) == "BA2026010200042"
    with pytest.raises(UnknownPolicy):
        file_claim(uow, complete_draft(policy_number="NOPE"), 7, NOW, tz, "a")


def test_a_refused_report_uses_no_claim_number() -> None:
    uow = FakeUnitOfWork()
    tz = ZoneInfo("Asia/Shanghai")
    outside = complete_draft(accident_at=datetime(2026, 2, 1, 2, 0, tzinfo=UTC))
    with pytest.raises(PolicyNotInForce):
        file_claim(uow, outside, 7, NOW, tz, "a")
    with pytest.raises(IncompleteReport):
        file_claim(uow, complete_draft(description=None), 7, NOW, tz, "a")
    assert file_claim(uow, complete_draft(), 7, NOW, tz, "a").number == "BA2026112500001"


def test_the_policy_period_is_read_on_the_local_day_of_the_accident() -> None:
    first_day_local = datetime(2026, 3, 1, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert first_day_local.astimezone(UTC).date() == date(2026, 2, 28)
    assert in_policy_period(SAMPLE_POLICY, first_day_local)
    assert not in_policy_period(SAMPLE_POLICY, first_day_local - timedelta(hours=2))


def test_a_filed_claim_holds_each_photo_once() -> None:
    evidence = [
        Evidence(1, MediaKind.PHOTO, PhotoRole.OVERVIEW),
        Evidence(2, MediaKind.PHOTO, PhotoRole.DAMAGE),
        Evidence(1, MediaKind.PHOTO, PhotoRole.EXTRA),
        Evidence(3, MediaKind.PHOTO, PhotoRole.PLATE_VIN),
    ]
    claim = file_claim(FakeUnitOfWork(), complete_draft(evidence=evidence), 7, NOW, UTC, "a")
    assert [item.media_id for item in claim.report.evidence] == [1, 2, 3]
