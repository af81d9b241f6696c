"""Shop ranking: the documented score, its parts, filters, and determinism."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.geo import GeoPoint
from domain.ranking import Need, ShopFilter, rank, score_shop
from domain.shop import Shop, parse_hours

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
ORIGIN = GeoPoint(31.2304, 121.4737)


def shop(code: str, **changes: object) -> Shop:
    base = Shop(
        id=hash(code) % 1000,
        code=code,
        name=code,
        address="A",
        location=ORIGIN,
        makes=("Volkswagen",),
        services=("collision", "maintenance"),
        bays=2,
        slot_minutes=60,
        hours=parse_hours({"daily": "08:00-18:00"}),
        directory_rating=4.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def km_east(km: float) -> GeoPoint:
    """A point about ``km`` east of the origin."""
    return GeoPoint(ORIGIN.lat, ORIGIN.lon + km / 95.1)


def test_the_documented_example_scores_0_735() -> None:
    s = shop("S", location=km_east(5), directory_rating=4.5)
    ranked = score_shop(s, Need("collision", ORIGIN, "Volkswagen"), NOW + timedelta(hours=24), NOW)
    assert ranked.distance_km == pytest.approx(5, abs=0.05)
    assert ranked.score == pytest.approx(0.735, abs=0.002)


def test_each_part_counts() -> None:
    need = Need("collision", ORIGIN, "Toyota")
    soon = NOW + timedelta(hours=3)
    base = score_shop(shop("A"), need, soon, NOW).score
    assert score_shop(shop("A", makes=("Toyota",)), need, soon, NOW).score > base
    assert score_shop(shop("A", location=km_east(8)), need, soon, NOW).score < base
    assert score_shop(shop("A", services=("paint",)), need, soon, NOW).score < base
    assert score_shop(shop("A", directory_rating=4.9), need, soon, NOW).score > base
    assert score_shop(shop("A"), need, NOW + timedelta(days=3), NOW).score < base
    assert score_shop(shop("A"), need, None, NOW).score < base  # no free slot at all


def test_an_unrated_shop_counts_as_three_stars_and_owners_ratings_count() -> None:
    need = Need("collision")
    unrated = score_shop(shop("U", directory_rating=None), need, None, NOW)
    three = score_shop(shop("T", directory_rating=3.0), need, None, NOW)
    assert unrated.score == three.score and unrated.rating is None
    rated = shop("R", directory_rating=4.0, ratings_count=5, ratings_sum=5)  # five 1-star
    assert rated.rating == pytest.approx(2.5)
    assert shop("O", directory_rating=None, ratings_count=2, ratings_sum=9).rating == 4.5


def test_without_a_location_distance_does_not_count() -> None:
    near, far = shop("NEAR"), shop("FAR", location=km_east(30))
    ranked = rank([(far, None), (near, None)], Need("collision"), NOW)
    assert [r.distance_km for r in ranked] == [None, None]
    assert ranked[0].score == ranked[1].score
    assert [r.shop.code for r in ranked] == ["FAR", "NEAR"]  # equal: by code


def test_the_order_does_not_depend_on_the_input_order() -> None:
    shops = [
        (shop(f"S{n:02d}", location=km_east(n % 4), directory_rating=3 + n % 3), None)
        for n in range(12)
    ]
    need = Need("maintenance", ORIGIN, "Volkswagen")
    expected = [r.shop.code for r in rank(shops, need, NOW)]
    for seed in range(5):
        shuffled = list(shops)
        random.Random(seed).shuffle(shuffled)
        assert [r.shop.code for r in rank(shuffled, need, NOW)] == expected
    scores = [r.score for r in rank(shops, need, NOW)]
    assert scores == sorted(scores, reverse=True)


def test_filters_keep_certified_or_near_shops() -> None:
    certified, other = shop("VW"), shop("TY", makes=("Toyota",), location=km_east(20))
    need = Need("collision", ORIGIN, "Volkswagen")
    both = [(certified, None), (other, None)]
    assert [r.shop.code for r in rank(both, need, NOW, ShopFilter(certified_only=True))] == ["VW"]
    assert [r.shop.code for r in rank(both, need, NOW, ShopFilter(max_km=10))] == ["VW"]
    assert len(rank(both, need, NOW, ShopFilter())) == 2
