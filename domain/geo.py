"""Points on the map and the coordinate system they are expressed in."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

MAP_URL = "https://uri.amap.com/marker?position={lon},{lat}&coordinate={system}&callnative=0"


class CoordinateSystem(StrEnum):
    WGS84 = "wgs84"  # GPS, browsers, Telegram
    GCJ02 = "gcj02"  # Chinese map services, WeChat


class InvalidCoordinates(ValueError):
    """Latitude or longitude out of range."""


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float
    system: CoordinateSystem = CoordinateSystem.WGS84

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and math.isfinite(self.lon)):
            raise InvalidCoordinates(f"{self.lat},{self.lon}")
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise InvalidCoordinates(f"{self.lat},{self.lon}")

    def distance_km(self, other: GeoPoint) -> float:
        """Great-circle distance; the datum shift between systems (< 1 km) is ignored."""
        r = 6371.0088
        p1, p2 = math.radians(self.lat), math.radians(other.lat)
        dp, dl = p2 - p1, math.radians(other.lon - self.lon)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * r * math.asin(math.sqrt(a))


def map_url(point: GeoPoint) -> str:
    """An Amap (Gaode) marker link; Amap takes WGS-84 or its own GCJ-02 ("gaode")."""
    system = "gaode" if point.system is CoordinateSystem.GCJ02 else "wgs84"
    return MAP_URL.format(lon=round(point.lon, 6), lat=round(point.lat, 6), system=system)


def place_fields(address: str | None, point: GeoPoint | None) -> dict[str, str | float | None]:
    """A reported place as message parameters: the address, the rounded coordinates and
    the map link (the handoff card, ``/case``, re-page and escalation cards)."""
    return {
        "address": address,
        "lat": round(point.lat, 6) if point else None,
        "lon": round(point.lon, 6) if point else None,
        "map_url": map_url(point) if point else None,
    }
