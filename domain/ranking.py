"""Which shops to propose first: a documented score, deterministic for equal inputs.

Each shop gets five partial scores between 0 and 1, weighted and summed:

    distance     0.35 × 1 / (1 + d / 5 km)      d from the owner's location (or the
                                                accident location); 0 when unknown
    make         0.20 × 1 if certified for the vehicle's make, else 0
    service      0.15 × 1 if the shop offers the service needed (collision repair for
                                                a claim, maintenance otherwise), else 0
    rating       0.15 × rating / 5              (unrated shops count as 3.0)
    availability 0.15 × 1 / (1 + h / 24 h)      h hours from now to its earliest free
                                                slot; 0 with no free slot in the horizon

So a certified shop 5 km away with a 4.5 rating, offering the service and free in 24 h,
scores 0.175 + 0.20 + 0.15 + 0.135 + 0.075 = 0.735. Shops with equal scores are ordered
by distance, then by shop code, so the order never depends on the order of the input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.geo import GeoPoint
from domain.shop import NEUTRAL_RATING, Shop

WEIGHT_DISTANCE = 0.35
WEIGHT_MAKE = 0.20
WEIGHT_SERVICE = 0.15
WEIGHT_RATING = 0.15
WEIGHT_AVAILABILITY = 0.15
DISTANCE_SCALE_KM = 5.0
AVAILABILITY_SCALE_HOURS = 24.0
SCORE_DIGITS = 9  # scores are rounded, so float noise cannot reorder equal shops


@dataclass(frozen=True)
class Need:
    """What the owner needs: where from, for which make, which service."""

    service: str  # "collision" for a claim repair, "maintenance" otherwise
    origin: GeoPoint | None = None
    make: str | None = None


@dataclass(frozen=True)
class ShopFilter:
    certified_only: bool = False  # only shops certified for the make
    max_km: float | None = None  # only shops within this distance of the origin

    def admits(self, ranked: RankedShop) -> bool:
        if self.certified_only and not ranked.certified:
            return False
        if self.max_km is not None:
            return ranked.distance_km is not None and ranked.distance_km <= self.max_km
        return True


@dataclass(frozen=True)
class RankedShop:
    shop: Shop
    score: float
    distance_km: float | None
    certified: bool
    service_match: bool
    rating: float | None
    earliest: datetime | None  # its earliest free slot's start


def score_shop(shop: Shop, need: Need, earliest: datetime | None, now: datetime) -> RankedShop:
    distance = None if need.origin is None else need.origin.distance_km(shop.location)
    certified = shop.certified_for(need.make)
    service_match = shop.offers(need.service)
    rating = shop.rating
    parts = (
        WEIGHT_DISTANCE * (0.0 if distance is None else 1 / (1 + distance / DISTANCE_SCALE_KM)),
        WEIGHT_MAKE * certified,
        WEIGHT_SERVICE * service_match,
        WEIGHT_RATING * (NEUTRAL_RATING if rating is None else rating) / 5,
        WEIGHT_AVAILABILITY * _availability(earliest, now),
    )
    return RankedShop(
        shop=shop,
        score=round(sum(parts), SCORE_DIGITS),
        distance_km=distance,
        certified=certified,
        service_match=service_match,
        rating=rating,
        earliest=earliest,
    )


def _availability(earliest: datetime | None, now: datetime) -> float:
    if earliest is None:
        return 0.0
    hours = max((earliest - now).total_seconds() / 3600, 0.0)
    return 1 / (1 + hours / AVAILABILITY_SCALE_HOURS)


def rank(
    candidates: Iterable[tuple[Shop, datetime | None]],
    need: Need,
    now: datetime,
    shop_filter: ShopFilter | None = None,
) -> list[RankedShop]:
    """Shops with their earliest free slot, best first (see the module docstring)."""
    ranked = [score_shop(shop, need, earliest, now) for shop, earliest in candidates]
    if shop_filter is not None:
        ranked = [r for r in ranked if shop_filter.admits(r)]
    return sorted(ranked, key=_order)


def _order(ranked: RankedShop) -> tuple[float, float, str]:
    distance = ranked.distance_km if ranked.distance_km is not None else float("inf")
    return (-ranked.score, distance, ranked.shop.code)
