"""Evidence attached to a report: photos (with the role each plays) and short videos."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.geo import GeoPoint


class MediaKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"


class PhotoRole(StrEnum):
    OVERVIEW = "overview"  # the whole scene / car
    DAMAGE = "damage"  # close-up of the damage
    PLATE_VIN = "plate_vin"  # licence plate or VIN
    EXTRA = "extra"


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


def missing_photo_roles(evidence: Sequence[Evidence]) -> list[PhotoRole]:
    have = {item.role for item in photos(evidence)}
    return [role for role in REQUIRED_PHOTO_ROLES if role not in have]


def next_photo_role(evidence: Sequence[Evidence]) -> PhotoRole:
    """The role the next photo fills: the first required one still missing, else extra."""
    missing = missing_photo_roles(evidence)
    return missing[0] if missing else PhotoRole.EXTRA


def has_enough_photos(evidence: Sequence[Evidence]) -> bool:
    return not missing_photo_roles(evidence) and len(photos(evidence)) >= MIN_PHOTOS
