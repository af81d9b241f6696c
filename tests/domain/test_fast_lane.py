"""Fast-lane eligibility and the fraud signals: every failing reason, never a rejection."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.evidence import Evidence, MediaKind, PhotoRole
from domain.fast_lane import FastLaneCase, FastLaneRules, Reason, assess, sampled_for_review
from domain.fraud_signals import (
    FraudFacts,
    FraudRules,
    FraudSignal,
    OtherClaim,
    PhotoMatch,
    SignalKind,
    fraud_signals,
    hamming,
)
from domain.geo import GeoPoint
from domain.money import Money

ACCIDENT = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
REPORTED = ACCIDENT + timedelta(hours=1)
PLACE = GeoPoint(31.2304, 121.4737)

CLEAN = FastLaneCase(
    injuries=False,
    drivable=True,
    outside_property=False,
    vehicles=2,
    liability_agreed=True,
    accident_on=date(2026, 11, 25),
    policy_valid_from=date(2026, 1, 1),
    policy_valid_to=date(2026, 12, 31),
    estimate=Money.from_yuan("1860.00"),
)
RULES = FastLaneRules()


def test_a_clean_small_claim_is_eligible_and_records_its_inputs() -> None:
    decision = assess(CLEAN, RULES)
    assert decision.eligible and decision.route == "auto" and decision.reasons == ()
    assert decision.rule_version
    assert decision.inputs["estimate_fen"] == 186_000
    assert decision.inputs["max_amount_fen"] == 500_000


def test_a_single_car_accident_needs_no_agreement() -> None:
    assert assess(replace(CLEAN, vehicles=1, liability_agreed=False), RULES).eligible


def test_every_failing_reason_is_returned_at_once() -> None:
    case = replace(
        CLEAN,
        injuries=True,
        drivable=None,
        outside_property=True,
        liability_agreed=False,
        policy_valid_from=date(2026, 11, 1),
        estimate=Money.from_yuan("5000.00"),
        fraud_signals=(FraudSignal(SignalKind.SAME_PLATE, other_claim="BA2026111000001"),),
    )
    decision = assess(case, RULES)
    assert not decision.eligible and decision.route == "adjuster"
    assert decision.reasons == (
        Reason.INJURIES,
        Reason.DRIVABLE_UNKNOWN,
        Reason.OUTSIDE_PROPERTY,
        Reason.POLICY_TOO_NEW,
        Reason.LIABILITY_NOT_AGREED,
        Reason.ESTIMATE_TOO_HIGH,
        Reason.FRAUD_SIGNAL,
    )
    assert decision.inputs["fraud_signals"][0]["kind"] == "same_plate"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"vehicles": 3}, Reason.TOO_MANY_VEHICLES),
        ({"estimate": None}, Reason.NO_ESTIMATE),
        ({"accident_on": date(2027, 1, 2)}, Reason.NOT_IN_FORCE),
        ({"policy_valid_from": date(2026, 10, 26)}, Reason.POLICY_TOO_NEW),  # 30 days exactly
        ({"injuries": None}, Reason.INJURIES_UNKNOWN),
    ],
)
def test_each_condition_on_its_own(change: dict[str, object], reason: Reason) -> None:
    assert assess(replace(CLEAN, **change), RULES).reasons == (reason,)  # type: ignore[arg-type]


def test_the_limits_are_settings() -> None:
    rules = FastLaneRules(max_amount=Money.from_yuan("1000"), min_policy_days=400)
    assert assess(CLEAN, rules).reasons == (Reason.POLICY_TOO_NEW, Reason.ESTIMATE_TOO_HIGH)
    assert assess(replace(CLEAN, estimate=Money.from_yuan("4999.99")), RULES).eligible
    with pytest.raises(ValueError):
        FastLaneRules(max_amount=Money.zero())


def _photo(media_id: int, taken_at: datetime | None, gps: GeoPoint | None) -> Evidence:
    return Evidence(media_id, MediaKind.PHOTO, PhotoRole.DAMAGE, taken_at, gps)


def _facts(**changes: object) -> FraudFacts:
    facts = FraudFacts(
        reported_at=REPORTED,
        accident_at=ACCIDENT,
        location=PLACE,
        evidence=[_photo(1, ACCIDENT + timedelta(minutes=5), PLACE)],
        policy_valid_from=date(2026, 1, 1),
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def test_no_signal_on_a_clean_report() -> None:
    assert fraud_signals(_facts(), FraudRules()) == []


def test_a_photo_taken_days_before_or_far_away_is_a_signal() -> None:
    evidence = [
        _photo(1, ACCIDENT - timedelta(days=3), PLACE),
        _photo(2, ACCIDENT, GeoPoint(39.9, 116.4)),  # Beijing
        _photo(3, None, None),  # nothing to compare: no signal
    ]
    signals = fraud_signals(_facts(evidence=evidence), FraudRules())
    assert [(s.kind, s.media_id) for s in signals] == [
        (SignalKind.PHOTO_INCONSISTENT, 1),
        (SignalKind.PHOTO_INCONSISTENT, 2),
    ]


def test_a_near_photo_hash_in_another_claim_is_a_signal_within_the_distance() -> None:
    matches = [
        PhotoMatch(1, "BA2026110100001", 4),
        PhotoMatch(1, "BA2026110100001", 2),  # the same pair twice: one signal
        PhotoMatch(1, "BA2026110200002", 20),  # a different picture
    ]
    signals = fraud_signals(_facts(photo_matches=matches), FraudRules())
    assert [(s.kind, s.other_claim) for s in signals] == [
        (SignalKind.PHOTO_REUSED, "BA2026110100001")
    ]


def test_the_same_plate_or_phone_within_30_days() -> None:
    others = [
        OtherClaim("BA2026110100001", REPORTED - timedelta(days=29), True, False),
        OtherClaim("BA2026110200002", REPORTED - timedelta(days=10), False, True),
        OtherClaim("BA2026100100003", REPORTED - timedelta(days=31), True, True),  # too old
    ]
    signals = fraud_signals(_facts(other_claims=others), FraudRules())
    assert [(s.kind, s.other_claim) for s in signals] == [
        (SignalKind.SAME_PLATE, "BA2026110100001"),
        (SignalKind.SAME_PHONE, "BA2026110200002"),
    ]


def test_a_report_within_days_of_the_policy_start() -> None:
    signals = fraud_signals(_facts(policy_valid_from=date(2026, 11, 20)), FraudRules())
    assert [(s.kind, s.days) for s in signals] == [(SignalKind.NEW_POLICY, 5)]
    assert fraud_signals(_facts(policy_valid_from=date(2026, 11, 17)), FraudRules()) == []


def test_hamming_distance_of_hex_hashes() -> None:
    assert hamming("ffff0000ffff0000", "ffff0000ffff0000") == 0
    assert hamming("ffff0000ffff0000", "fffe0000ffff0001") == 2
    with pytest.raises(ValueError):
        hamming("ff", "ffff")


def test_sampling_picks_about_the_percentage_and_always_the_same_claims() -> None:
    numbers = [f"BA20261125{n:05d}" for n in range(4000)]
    picked = [n for n in numbers if sampled_for_review(n, 10)]
    assert 320 <= len(picked) <= 480
    assert picked == [n for n in numbers if sampled_for_review(n, 10)]
    assert set(picked) <= {n for n in numbers if sampled_for_review(n, 20)}
    assert not any(sampled_for_review(n, 0) for n in numbers[:100])
    assert all(sampled_for_review(n, 100) for n in numbers[:100])
    with pytest.raises(ValueError):
        sampled_for_review(numbers[0], 101)
