"""Evidence attached to a report: photos (with the role each plays) and short videos."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.geo import GeoPoint, InvalidCoordinates


class MediaKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"


class PhotoRole(StrEnum):
    OVERVIEW = "overview"  # the whole scene / car
    DAMAGE = "damage"  # close-up of the damage
    PLATE_VIN = "plate_vin"  # licence plate or VIN
    EXTRA = "extra"
    SUPPLEMENT = "supplement"  # a repair shop's photo for a supplement (追加定损)


REQUIRED_PHOTO_ROLES: tuple[PhotoRole, ...] = (
    PhotoRole.OVERVIEW,
    PhotoRole.DAMAGE,
    PhotoRole.PLATE_VIN,
)
MIN_PHOTOS = 3


@dataclass(frozen=True)
class Evidence:
    media_id: int
    kind: MediaKind
    role: PhotoRole | None = None
    taken_at: datetime | None = None
    gps: GeoPoint | None = None


def photos(evidence: Sequence[Evidence]) -> list[Evidence]:
    return [item for item in evidence if item.kind is MediaKind.PHOTO]


def videos(evidence: Sequence[Evidence]) -> list[Evidence]:
    return [item for item in evidence if item.kind is MediaKind.VIDEO]


def distinct(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Each stored file once, where it first came: the media store is content-addressed, so
    the same photo sent again has the same media id and must not fill a second role."""
    seen: set[int] = set()
    kept = []
    for item in evidence:
        if item.media_id not in seen:
            seen.add(item.media_id)
            kept.append(item)
    return kept


def already_received(evidence: Sequence[Evidence], media_id: int) -> bool:
    return any(item.media_id == media_id for item in evidence)


def missing_photo_roles(evidence: Sequence[Evidence]) -> list[PhotoRole]:
    have = {item.role for item in photos(distinct(evidence))}
    return [role for role in REQUIRED_PHOTO_ROLES if role not in have]


def next_photo_role(evidence: Sequence[Evidence]) -> PhotoRole:
    """The role the next photo fills: the first required one still missing, else extra."""
    missing = missing_photo_roles(evidence)
    return missing[0] if missing else PhotoRole.EXTRA


def has_enough_photos(evidence: Sequence[Evidence]) -> bool:
    return not missing_photo_roles(evidence) and len(photos(distinct(evidence))) >= MIN_PHOTOS


def evidence_from_metadata(
    media_id: int,
    kind: MediaKind,
    role: PhotoRole | None,
    taken_at: datetime | None,
    gps_lat: float | None,
    gps_lon: float | None,
) -> Evidence:
    """Evidence from a stored file's metadata; GPS values out of range are dropped."""
    gps = None
    if gps_lat is not None and gps_lon is not None:
        try:
            gps = GeoPoint(gps_lat, gps_lon)
        except InvalidCoordinates:
            gps = None
    return Evidence(media_id, kind, role, taken_at, gps)


# --- does a photo's metadata agree with the report? ------------------------------------


class EvidenceVerdict(StrEnum):
    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    NO_METADATA = "no_metadata"  # nothing to compare: no EXIF time, no comparable GPS


@dataclass(frozen=True)
class EvidenceTolerance:
    """How far a photo's EXIF capture time and GPS may lie from the reported accident.

    A photo may be taken a little before the reported time (camera clocks drift, owners
    round the time) and some while after it (photos at the roadside, at home, at the
    garage), but not days before: that is a recycled photo.
    """

    before: timedelta = timedelta(hours=1)
    after: timedelta = timedelta(hours=48)
    distance_km: float = 2.0  # also absorbs the WGS-84/GCJ-02 datum shift (< 1 km)


@dataclass(frozen=True)
class EvidenceCheck:
    verdict: EvidenceVerdict
    minutes_after_accident: int | None  # negative: taken before the reported time
    distance_km: float | None
    time_ok: bool | None  # None: not comparable
    place_ok: bool | None


def check_evidence(
    item: Evidence,
    accident_at: datetime | None,
    location: GeoPoint | None,
    tolerance: EvidenceTolerance,
) -> EvidenceCheck:
    """Compare a photo's capture time and GPS with the reported time and place."""
    minutes = time_ok = None
    if item.taken_at is not None and accident_at is not None:
        offset = item.taken_at - accident_at
        minutes = int(offset.total_seconds() // 60)
        time_ok = -tolerance.before <= offset <= tolerance.after
    distance = place_ok = None
    if item.gps is not None and location is not None:
        distance = round(item.gps.distance_km(location), 2)
        place_ok = distance <= tolerance.distance_km
    if time_ok is None and place_ok is None:
        verdict = EvidenceVerdict.NO_METADATA
    elif time_ok is False or place_ok is False:
        verdict = EvidenceVerdict.INCONSISTENT
    else:
        verdict = EvidenceVerdict.CONSISTENT
    return EvidenceCheck(verdict, minutes, distance, time_ok, place_ok)
