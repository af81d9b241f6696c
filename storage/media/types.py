"""What the media store records about one stored file (photo or video)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class MediaRejection(StrEnum):
    """Why an upload was refused; each has a localized answer (media.rejected.<value>)."""

    TOO_LARGE = "too_large"
    EMPTY = "empty"
    NOT_AN_IMAGE = "not_an_image"
    NOT_A_VIDEO = "not_a_video"
    UNSUPPORTED_TYPE = "unsupported_type"
    IMAGE_TOO_SMALL = "image_too_small"
    IMAGE_TOO_BIG = "image_too_big"  # too many pixels to decode safely
    QUOTA_EXCEEDED = "quota_exceeded"  # the sender's upload allowance is used up


class MediaRejected(Exception):
    def __init__(self, reason: MediaRejection) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class StoredMedia:
    sha256: str
    kind: str  # "photo" | "video"
    mime: str
    size: int
    relative_path: str  # under the media directory, e.g. "ab/cd/abcd....jpg"
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None  # EXIF DateTimeOriginal, timezone-aware
    gps_lat: float | None = None  # EXIF GPS, WGS84 decimal degrees
    gps_lon: float | None = None
    phash: str | None = None  # photos: 64-bit perceptual hash, 16 hex digits
