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


class CheckedAgainst(StrEnum):
    """What a photo's capture time and place are compared with."""

    ACCIDENT = "accident"  # the reported time and place
    WORKSHOP = "workshop"  # a shop's supplement photo: after the accident, at the shop


@dataclass(frozen=True)
class WorkshopFacts:
    """What a shop's supplement photo is compared with (None: not known)."""

    uploaded_at: datetime | None = None  # when the shop sent it
    location: GeoPoint | None = None  # the shop's, when it has coordinates


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
    upload_drift: timedelta = timedelta(minutes=5)  # a camera clock a little ahead of ours


@dataclass(frozen=True)
class EvidenceCheck:
    verdict: EvidenceVerdict
    minutes_after_accident: int | None  # negative: taken before the reported time
    distance_km: float | None
    time_ok: bool | None  # None: not comparable
    place_ok: bool | None
    against: CheckedAgainst = CheckedAgainst.ACCIDENT  # distance_km: to the shop for WORKSHOP


def check_evidence(
    item: Evidence,
    accident_at: datetime | None,
    location: GeoPoint | None,
    tolerance: EvidenceTolerance,
    workshop: WorkshopFacts | None = None,
) -> EvidenceCheck:
    """Compare a photo's capture time and GPS with the reported time and place; a shop's
    supplement photo with the workshop instead (``check_workshop_photo``)."""
    if item.role is PhotoRole.SUPPLEMENT:
        return check_workshop_photo(item, accident_at, workshop or WorkshopFacts(), tolerance)
    minutes = time_ok = None
    if item.taken_at is not None and accident_at is not None:
        offset = item.taken_at - accident_at
        minutes = int(offset.total_seconds() // 60)
        time_ok = -tolerance.before <= offset <= tolerance.after
    distance = place_ok = None
    if item.gps is not None and location is not None:
        distance = round(item.gps.distance_km(location), 2)
        place_ok = distance <= tolerance.distance_km
    return EvidenceCheck(_verdict(time_ok, place_ok), minutes, distance, time_ok, place_ok)


def check_workshop_photo(
    item: Evidence,
    accident_at: datetime | None,
    workshop: WorkshopFacts,
    tolerance: EvidenceTolerance,
) -> EvidenceCheck:
    """A shop's supplement photo is taken at the workshop, days after the accident: it must
    be taken after the accident and by its upload (give or take ``upload_drift`` of camera
    clock), and near the shop when the shop has coordinates (else its place is not judged).
    ``minutes_after_accident`` still counts from the accident."""
    minutes = time_ok = None
    if item.taken_at is not None and (accident_at, workshop.uploaded_at) != (None, None):
        after = accident_at is None or item.taken_at >= accident_at
        by_upload = (
            workshop.uploaded_at is None
            or item.taken_at <= workshop.uploaded_at + tolerance.upload_drift
        )
        time_ok = after and by_upload
        if accident_at is not None:
            minutes = int((item.taken_at - accident_at).total_seconds() // 60)
    distance = place_ok = None
    if item.gps is not None and workshop.location is not None:
        distance = round(item.gps.distance_km(workshop.location), 2)
        place_ok = distance <= tolerance.distance_km
    verdict = _verdict(time_ok, place_ok)
    return EvidenceCheck(verdict, minutes, distance, time_ok, place_ok, CheckedAgainst.WORKSHOP)


def _verdict(time_ok: bool | None, place_ok: bool | None) -> EvidenceVerdict:
    if time_ok is None and place_ok is None:
        return EvidenceVerdict.NO_METADATA
    if time_ok is False or place_ok is False:
        return EvidenceVerdict.INCONSISTENT
    return EvidenceVerdict.CONSISTENT
