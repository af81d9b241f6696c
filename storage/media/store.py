"""Content-addressed store for uploaded photos and videos.

The kind of an upload is decided from its bytes alone; whatever the client declared
only chooses which rejection reason to give when the bytes are of no accepted kind.

Decompression bombs: Pillow's global ``Image.MAX_IMAGE_PIXELS`` and the warnings filters
are left untouched. Each store has its own ``max_photo_pixels`` and ``max_decoded_bytes``
(width x height x bytes per pixel as Pillow holds them, 4 for RGB and RGBA, at the scale
actually decoded: JPEGs are read at 1/8), both
checked from the header, before any pixel is decoded, and answered ``IMAGE_TOO_BIG``;
Pillow's own check stays as a backstop (its DecompressionBombError means the same). At
most ``max_concurrent_decodes`` images are decoded at a time, so a burst of uploads
cannot add up their pixel buffers.

Videos: the ISO-BMFF / QuickTime box structure is walked from the first byte to the
last (``storage.media.boxes``): a file that is not a sequence of well-formed boxes with a
movie header and media data, or that hides markup in a free-space box, is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import re
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import imagehash
from PIL import Image, ImageOps

from domain.evidence import MediaKind
from storage.media.boxes import is_movie
from storage.media.location import without_location
from storage.media.types import MediaRejected, MediaRejection, StoredMedia

DEFAULT_TZ: tzinfo = ZoneInfo("Asia/Shanghai")
DEFAULT_MAX_PHOTO_PIXELS = 64_000_000  # below Pillow's default warning threshold (~89 Mpx)
DEFAULT_MAX_DECODED_BYTES = 64 * 1024 * 1024  # one decode's pixel buffer
DEFAULT_MAX_CONCURRENT_DECODES = 2
_JPEG_DRAFT_SCALE = 8  # the JPEG decoder reads at 1/8 of the size (see _decode_pixels)

# EXIF tags and IFD pointers.
_IFD_EXIF = 0x8769
_IFD_GPS = 0x8825
_TAG_ORIENTATION = 0x0112
_TAG_DATETIME = 306
_TAG_DATETIME_ORIGINAL = 36867
_TAG_OFFSET_TIME = 36880
_TAG_OFFSET_TIME_ORIGINAL = 36881
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4
_ROTATED_ORIENTATIONS = frozenset({5, 6, 7, 8})

_EXIF_DATETIME_FORMAT = "%Y:%m:%d %H:%M:%S"
_EXIF_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")

# ISO-BMFF brands (the major brand of the `ftyp` box at offset 0).
_QUICKTIME_BRAND = "qt  "
_MP4_BRAND_PREFIXES = ("iso", "mp4", "avc1", "M4V", "3g", "MSNV", "dash", "mmp4", "f4v", "XAVC")
_HEIF_BRANDS = frozenset({"heic", "heix", "heim", "heis", "mif1"})
_AVIF_BRANDS = frozenset({"avif"})
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free"})

_RELATIVE_PATH = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{60})\.[a-z0-9]{2,5}")


@dataclass(frozen=True)
class _Format:
    kind: MediaKind
    name: str  # Pillow format for photos; container family for videos
    mime: str
    ext: str


_JPEG = _Format(MediaKind.PHOTO, "JPEG", "image/jpeg", ".jpg")
_PNG = _Format(MediaKind.PHOTO, "PNG", "image/png", ".png")
_WEBP = _Format(MediaKind.PHOTO, "WEBP", "image/webp", ".webp")
_HEIF = _Format(MediaKind.PHOTO, "HEIF", "image/heic", ".heic")
_AVIF = _Format(MediaKind.PHOTO, "AVIF", "image/avif", ".avif")
_MP4 = _Format(MediaKind.VIDEO, "mp4", "video/mp4", ".mp4")
_QUICKTIME = _Format(MediaKind.VIDEO, "quicktime", "video/quicktime", ".mov")


@dataclass(frozen=True)
class _DecodeLimits:
    pixels: int
    decoded_bytes: int


@dataclass(frozen=True)
class _PhotoInfo:
    width: int
    height: int
    taken_at: datetime | None
    gps: tuple[float, float] | None
    phash: str


class MediaStore:
    """Validates uploads and stores them under ``root/<sha[:2]>/<sha[2:4]>/<sha><ext>``."""

    def __init__(
        self,
        root: Path,
        *,
        max_photo_bytes: int = 10 * 1024 * 1024,
        max_video_bytes: int = 20 * 1024 * 1024,
        min_photo_side: int = 200,
        max_photo_pixels: int = DEFAULT_MAX_PHOTO_PIXELS,
        max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES,
        max_concurrent_decodes: int = DEFAULT_MAX_CONCURRENT_DECODES,
        tz: tzinfo = DEFAULT_TZ,
    ) -> None:
        self.root = Path(root)
        self.max_photo_bytes = max_photo_bytes
        self.max_video_bytes = max_video_bytes
        self.min_photo_side = min_photo_side
        self.max_photo_pixels = max_photo_pixels
        self.max_decoded_bytes = max_decoded_bytes
        self._decoding = threading.BoundedSemaphore(max_concurrent_decodes)
        self.tz = tz

    @staticmethod
    def warm_up() -> None:
        """Load what the first photo would otherwise wait for: the perceptual hash imports
        SciPy's FFT on its first use (about 0.2 s)."""
        imagehash.phash(Image.new("L", (32, 32)))

    def save(
        self,
        data: bytes,
        *,
        declared_kind: str | None = None,
        filename: str | None = None,  # accepted for callers' convenience; never trusted
    ) -> StoredMedia:
        if not data:
            raise MediaRejected(MediaRejection.EMPTY)
        fmt = _sniff_photo(data) or _sniff_video(data)
        if fmt is None:
            raise MediaRejected(_type_rejection(declared_kind))
        if len(data) > self._max_bytes(fmt.kind):
            raise MediaRejected(MediaRejection.TOO_LARGE)
        photo = self._inspect_photo(data, fmt) if fmt.kind is MediaKind.PHOTO else None
        sha = hashlib.sha256(data).hexdigest()
        relative_path = f"{sha[:2]}/{sha[2:4]}/{sha}{fmt.ext}"
        self._store(self.root / relative_path, data)
        return _stored_media(sha, fmt, len(data), relative_path, photo)

    def open(self, relative_path: str) -> Path:
        """Absolute path of a stored file; ValueError for anything not a media path under root."""
        if not _RELATIVE_PATH.fullmatch(relative_path):
            raise ValueError("not a media path")
        root = self.root.resolve()
        path = (root / relative_path).resolve()
        if not path.is_relative_to(root):
            raise ValueError("path escapes the media root")
        if not path.is_file():
            raise FileNotFoundError(relative_path)
        return path

    @property
    def _limits(self) -> _DecodeLimits:
        return _DecodeLimits(self.max_photo_pixels, self.max_decoded_bytes)

    def remove(self, relative_path: str) -> bool:
        """Delete a stored file (retention, erasure); False if it was not there."""
        try:
            self.open(relative_path).unlink()
        except (ValueError, FileNotFoundError):
            return False
        return True

    def served_copy(self, relative_path: str, mime: str) -> tuple[bytes, str]:
        """The file as owners and shops are served it: without the place it was taken
        (``storage/media/location.py``); the stored original keeps its EXIF GPS."""
        return without_location(self.open(relative_path).read_bytes(), mime)

    def _max_bytes(self, kind: MediaKind) -> int:
        return self.max_photo_bytes if kind is MediaKind.PHOTO else self.max_video_bytes

    def _inspect_photo(self, data: bytes, fmt: _Format) -> _PhotoInfo:
        width, height, exif, phash = _decode_photo(data, fmt.name, self._limits, self._decoding)
        if min(width, height) < self.min_photo_side:
            raise MediaRejected(MediaRejection.IMAGE_TOO_SMALL)
        return _PhotoInfo(
            width, height, _read_exif_time(exif, self.tz), _read_exif_gps(exif), phash
        )

    @staticmethod
    def _store(target: Path, data: bytes) -> None:
        if target.is_file() and target.stat().st_size == len(data):
            return  # same content, same name: already stored
        _write_atomically(target, data)


def _stored_media(
    sha: str, fmt: _Format, size: int, relative_path: str, photo: _PhotoInfo | None
) -> StoredMedia:
    gps = photo.gps if photo else None
    return StoredMedia(
        sha256=sha,
        kind=fmt.kind.value,
        mime=fmt.mime,
        size=size,
        relative_path=relative_path,
        width=photo.width if photo else None,
        height=photo.height if photo else None,
        taken_at=photo.taken_at if photo else None,
        gps_lat=gps[0] if gps else None,
        gps_lon=gps[1] if gps else None,
        phash=photo.phash if photo else None,
    )


def _type_rejection(declared_kind: str | None) -> MediaRejection:
    if declared_kind == MediaKind.PHOTO:
        return MediaRejection.NOT_AN_IMAGE
    if declared_kind == MediaKind.VIDEO:
        return MediaRejection.NOT_A_VIDEO
    return MediaRejection.UNSUPPORTED_TYPE


# --- sniffing --------------------------------------------------------------------------


def _sniff_photo(data: bytes) -> _Format | None:
    if data.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _WEBP
    brand = _ftyp_major_brand(data)
    if brand in _HEIF_BRANDS and _pillow_can_open(_HEIF.name):
        return _HEIF
    if brand in _AVIF_BRANDS and _pillow_can_open(_AVIF.name):
        return _AVIF
    return None


def _sniff_video(data: bytes) -> _Format | None:
    """The container by its brand (or, for old QuickTime files, its first atom), if the
    whole file is a well-formed movie (``media_boxes.is_movie``)."""
    brand = _ftyp_major_brand(data)
    if brand == _QUICKTIME_BRAND:
        fmt = _QUICKTIME
    elif brand is not None and brand.startswith(_MP4_BRAND_PREFIXES):
        fmt = _MP4
    elif brand is None and _starts_with_quicktime_atom(data):
        fmt = _QUICKTIME
    else:
        return None
    return fmt if is_movie(data, needs_ftyp=brand is not None) else None


def _ftyp_major_brand(data: bytes) -> str | None:
    """Major brand of an ISO-BMFF `ftyp` box at offset 0, if there is a well-formed one."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return None
    size = int.from_bytes(data[:4], "big")
    if size < 16 or size > len(data) or (size - 16) % 4:
        return None
    return data[8:12].decode("latin-1")


def _starts_with_quicktime_atom(data: bytes) -> bool:
    if len(data) < 8 or data[4:8] not in _QUICKTIME_ATOMS:
        return False
    size = int.from_bytes(data[:4], "big")
    if size == 1:  # 64-bit size follows the type
        return len(data) >= 16 and int.from_bytes(data[8:16], "big") >= 16
    return size == 0 or size >= 8  # 0: the atom runs to the end of the file


def _pillow_can_open(format_name: str) -> bool:
    Image.init()
    return format_name in Image.OPEN


# --- photos ----------------------------------------------------------------------------


def _decode_photo(
    data: bytes, format_name: str, limits: _DecodeLimits, decoding: threading.BoundedSemaphore
) -> tuple[int, int, Image.Exif, str]:
    """(width, height as displayed, EXIF, perceptual hash) of a fully decodable image, else
    NOT_AN_IMAGE (IMAGE_TOO_BIG when its header promises more pixels than we decode)."""
    try:
        with Image.open(io.BytesIO(data), formats=[format_name]) as probe:  # header only
            _check_size(probe, limits)
            probe.verify()
        with decoding, Image.open(io.BytesIO(data), formats=[format_name]) as image:
            width, height = image.size
            exif = _safe_exif(image)
            _decode_pixels(image)
            phash = _perceptual_hash(image)
    except MediaRejected:
        raise
    except Image.DecompressionBombError as error:
        raise MediaRejected(MediaRejection.IMAGE_TOO_BIG) from error
    except Exception as error:  # untrusted bytes: any decoder failure (OSError, SyntaxError,
        # struct.error, Image.DecompressionBombError/Warning, ...) means "not an image"
        raise MediaRejected(MediaRejection.NOT_AN_IMAGE) from error
    if exif.get(_TAG_ORIENTATION) in _ROTATED_ORIENTATIONS:
        width, height = height, width
    return width, height, exif, phash


def _perceptual_hash(image: Image.Image) -> str:
    """The 64-bit pHash (16 hex digits) of the picture as displayed: a re-encoded, resized or
    re-compressed copy of a photo hashes within a few bits of it (domain.fraud_signals)."""
    return str(imagehash.phash(ImageOps.exif_transpose(image)))


def _check_size(image: Image.Image, limits: _DecodeLimits) -> None:
    """Refuse from the header what would take too many pixels or bytes to decode."""
    width, height = image.size
    if width * height > limits.pixels:
        raise MediaRejected(MediaRejection.IMAGE_TOO_BIG)
    if image.format == "JPEG":
        width = -(-width // _JPEG_DRAFT_SCALE)
        height = -(-height // _JPEG_DRAFT_SCALE)
    if width * height * _bytes_per_pixel(image.mode) > limits.decoded_bytes:
        raise MediaRejected(MediaRejection.IMAGE_TOO_BIG)


def _bytes_per_pixel(mode: str) -> int:
    """What Pillow allocates per pixel: one byte for 1/L/P, two for I;16, else four
    (RGB is held padded to four bytes, like RGBA)."""
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _decode_pixels(image: Image.Image) -> None:
    """Decode the whole image (verify() does not catch a truncated JPEG), cheaply if we can."""
    if image.format == "JPEG":
        # The JPEG decoder can scale by 1/8 while reading: every scan is still read.
        scale = _JPEG_DRAFT_SCALE
        image.draft(image.mode, (max(1, image.width // scale), max(1, image.height // scale)))
    image.load()


def _safe_exif(image: Image.Image) -> Image.Exif:
    try:
        exif = image.getexif()
        exif.get_ifd(_IFD_EXIF)
        exif.get_ifd(_IFD_GPS)
    except Exception:  # malformed EXIF is ignored, not a reason to refuse the photo
        return Image.Exif()
    return exif


def _read_exif_time(exif: Image.Exif, tz: tzinfo) -> datetime | None:
    """DateTimeOriginal (else DateTime), aware: its EXIF offset if any, else ``tz``."""
    exif_ifd = exif.get_ifd(_IFD_EXIF)
    candidates = (
        (exif_ifd.get(_TAG_DATETIME_ORIGINAL), exif_ifd.get(_TAG_OFFSET_TIME_ORIGINAL)),
        (exif.get(_TAG_DATETIME), exif_ifd.get(_TAG_OFFSET_TIME)),
    )
    for raw_time, raw_offset in candidates:
        local = _parse_exif_datetime(raw_time)
        if local is not None:
            return local.replace(tzinfo=_parse_exif_offset(raw_offset) or tz)
    return None


def _parse_exif_datetime(value: object) -> datetime | None:
    text = _exif_text(value)
    if text is None:
        return None
    try:
        return datetime.strptime(text[:19], _EXIF_DATETIME_FORMAT)
    except ValueError:
        return None


def _parse_exif_offset(value: object) -> tzinfo | None:
    text = _exif_text(value)
    match = _EXIF_OFFSET.fullmatch(text) if text else None
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14) or int(minutes) >= 60:
        return None
    return timezone(-delta if sign == "-" else delta)


def _exif_text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    if not isinstance(value, str):
        return None
    return value.strip("\x00 \t\r\n") or None


def _read_exif_gps(exif: Image.Exif) -> tuple[float, float] | None:
    """(latitude, longitude) in signed decimal degrees; None when absent or malformed."""
    gps = exif.get_ifd(_IFD_GPS)
    lat = _gps_coordinate(gps, _GPS_LAT, _GPS_LAT_REF, ("N", "S"), 90.0)
    lon = _gps_coordinate(gps, _GPS_LON, _GPS_LON_REF, ("E", "W"), 180.0)
    if lat is None or lon is None:
        return None
    return lat, lon


def _gps_coordinate(
    gps: Mapping[int, Any], tag: int, ref_tag: int, refs: tuple[str, str], limit: float
) -> float | None:
    ref = _exif_text(gps.get(ref_tag))
    degrees = _dms_to_degrees(gps.get(tag))
    if ref is None or ref.upper() not in refs or degrees is None or degrees > limit:
        return None
    return -degrees if ref.upper() == refs[1] else degrees


def _dms_to_degrees(value: object) -> float | None:
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    try:
        parts = [float(part) for part in value]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not all(math.isfinite(part) and part >= 0 for part in parts):
        return None
    degrees, minutes, seconds = parts
    return degrees + minutes / 60 + seconds / 3600


# --- files -----------------------------------------------------------------------------


def _write_atomically(target: Path, data: bytes) -> None:
    """Write to a temp file next to ``target``, then rename it into place."""
    if not target.parent.is_dir():  # one stat; mkdir on an existing folder raises inside
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
