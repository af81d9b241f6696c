"""A shop's supplement photo is checked against the workshop, not the accident: taken after
the accident and by its upload, near the shop when the shop has coordinates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.claim_supplement import SupplementSource, workshop_facts
from domain.evidence import (
    CheckedAgainst,
    Evidence,
    EvidenceTolerance,
    EvidenceVerdict,
    MediaKind,
    PhotoRole,
    WorkshopFacts,
    check_evidence,
)
from domain.geo import GeoPoint

ACCIDENT_AT = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
ACCIDENT_PLACE = GeoPoint(31.2304, 121.4737)
SHOP = GeoPoint(31.2040, 121.5900)  # 11 km from the accident
SENT_AT = ACCIDENT_AT + timedelta(days=30)
TOLERANCE = EvidenceTolerance()
AT_SHOP = WorkshopFacts(SENT_AT, SHOP)
OK, BAD = EvidenceVerdict.CONSISTENT, EvidenceVerdict.INCONSISTENT
NONE = EvidenceVerdict.NO_METADATA


def supplement(taken: datetime | None, gps: GeoPoint | None) -> Evidence:
    return Evidence(7, MediaKind.PHOTO, PhotoRole.SUPPLEMENT, taken, gps)


@pytest.mark.parametrize(
    ("taken", "gps", "facts", "verdict", "time_ok", "place_ok"),
    [
        (SENT_AT - timedelta(days=1), SHOP, AT_SHOP, OK, True, True),
        (SENT_AT + timedelta(minutes=4), SHOP, AT_SHOP, OK, True, True),
        (SENT_AT + timedelta(hours=2), SHOP, AT_SHOP, BAD, False, True),
        (
            ACCIDENT_AT - timedelta(minutes=1),
            SHOP,
            AT_SHOP,
            BAD,
            False,
            True,
        ),
        (SENT_AT, ACCIDENT_PLACE, AT_SHOP, BAD, True, False),
        (
            SENT_AT,
            ACCIDENT_PLACE,
            WorkshopFacts(SENT_AT, None),
            OK,
            True,
            None,
        ),
        (
            SENT_AT + timedelta(days=9),
            None,
            WorkshopFacts(),
            OK,
            True,
            None,
        ),
        (None, None, AT_SHOP, NONE, None, None),
    ],
)
def test_a_supplement_photo_is_checked_against_the_workshop(
    taken: datetime | None,
    gps: GeoPoint | None,
    facts: WorkshopFacts,
    verdict: EvidenceVerdict,
    time_ok: bool | None,
    place_ok: bool | None,
) -> None:
    check = check_evidence(supplement(taken, gps), ACCIDENT_AT, ACCIDENT_PLACE, TOLERANCE, facts)
    assert (check.verdict, check.time_ok, check.place_ok) == (verdict, time_ok, place_ok)
    assert check.against is CheckedAgainst.WORKSHOP


def test_the_same_photo_from_the_owner_is_checked_against_the_accident() -> None:
    taken = SENT_AT - timedelta(days=1)
    owners = Evidence(7, MediaKind.PHOTO, PhotoRole.EXTRA, taken, SHOP)
    check = check_evidence(owners, ACCIDENT_AT, ACCIDENT_PLACE, TOLERANCE, AT_SHOP)
    assert check.against is CheckedAgainst.ACCIDENT
    assert check.verdict is BAD and check.distance_km is not None
    shops = check_evidence(supplement(taken, SHOP), ACCIDENT_AT, ACCIDENT_PLACE, TOLERANCE, AT_SHOP)
    assert shops.minutes_after_accident == 29 * 24 * 60  # still counted from the accident
    assert shops.distance_km == 0  # to the shop


def test_each_photo_gets_its_senders_upload_time_and_shop() -> None:
    sources = {
        7: SupplementSource("shop_staff:1", SENT_AT, 2),
        8: SupplementSource("shop_staff:9", SENT_AT, 2),  # a shop without coordinates
    }
    facts = workshop_facts(sources, {"shop_staff:1": SHOP})
    assert facts == {7: WorkshopFacts(SENT_AT, SHOP), 8: WorkshopFacts(SENT_AT, None)}
