"""Real sample media made at test time (no binary fixtures in the repository).

Reusable by any test that needs an upload: ``jpeg_bytes``, ``png_bytes``, ``mp4_bytes``,
``mov_bytes``. Pass a different ``seed`` to get different bytes (hence a different sha256)
for otherwise identical samples.
"""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime, timedelta
from fractions import Fraction

from PIL import Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational

_IFD_EXIF = 0x8769
_IFD_GPS = 0x8825
_SEED_BITS = 32
_BLOCK = 8
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def jpeg_bytes(
    width: int = 800,
    height: int = 600,
    *,
    taken_at: datetime | None = None,
    gps: tuple[float, float] | None = None,
    seed: int = 0,
) -> bytes:
    """A real JPEG. ``taken_at`` goes to DateTimeOriginal (plus OffsetTimeOriginal when it
    is timezone-aware); ``gps`` is (latitude, longitude) in signed decimal degrees."""
    exif = Image.Exif()
    if taken_at is not None:
        exif[_IFD_EXIF] = _exif_time_ifd(taken_at)
    if gps is not None:
        exif[_IFD_GPS] = _gps_ifd(*gps)
    buffer = io.BytesIO()
    _picture(width, height, seed).save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def png_bytes(width: int = 800, height: int = 600, *, seed: int = 0) -> bytes:
    """A real PNG without any metadata."""
    buffer = io.BytesIO()
    _picture(width, height, seed).save(buffer, "PNG")
    return buffer.getvalue()


def webp_bytes(width: int = 800, height: int = 600, *, seed: int = 0) -> bytes:
    buffer = io.BytesIO()
    _picture(width, height, seed).save(buffer, "WEBP", lossless=True)
    return buffer.getvalue()


def mp4_bytes(*, seed: int = 0) -> bytes:
    """A minimal MP4: an `ftyp` box (major brand `isom`), a `moov` box with its movie
    header and an `mdat` box."""
    return _box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2mp41") + movie_boxes(seed)


def mov_bytes(*, seed: int = 0) -> bytes:
    """A minimal QuickTime movie: an `ftyp` box (major brand `qt  `), `moov` and `mdat`."""
    return _box(b"ftyp", b"qt  " + struct.pack(">I", 0x200) + b"qt  ") + movie_boxes(seed)


def movie_boxes(seed: int = 0) -> bytes:
    """What follows `ftyp` in a movie: `moov` (holding an `mvhd`) and `mdat`."""
    mvhd = _box(b"mvhd", bytes(4) + bytes(8) + struct.pack(">II", 600, 600) + bytes(80))
    return _box(b"moov", mvhd) + _mdat(seed)


def box(box_type: bytes, payload: bytes) -> bytes:
    """One ISO-BMFF box (32-bit size)."""
    return _box(box_type, payload)


def png_header_bytes(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming ``width`` x ``height`` (nothing after it)."""
    return _PNG_SIGNATURE + _png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    )


def png_bomb_bytes(width: int, height: int, *, rgba: bool = False) -> bytes:
    """A complete, valid greyscale (or RGBA) PNG of ``width`` x ``height`` black pixels:
    tiny on disk, huge once decoded (made row by row, so building it never holds the pixels)."""
    compressor = zlib.compressobj(9)
    row = bytes(width * (4 if rgba else 1) + 1)  # filter byte 0 + black pixels
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6 if rgba else 0, 0, 0, 0)
    return (
        _PNG_SIGNATURE
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _picture(width: int, height: int, seed: int) -> Image.Image:
    """A gradient with ``seed`` drawn as black/white 8x8 blocks, so seeds give distinct bytes."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    per_row = max(1, width // _BLOCK)
    for bit in range(_SEED_BITS):
        x, y = (bit % per_row) * _BLOCK, (bit // per_row) * _BLOCK
        colour = (255, 255, 255) if seed >> bit & 1 else (0, 0, 0)
        draw.rectangle((x, y, x + _BLOCK - 1, y + _BLOCK - 1), fill=colour)
    return image


def _exif_time_ifd(taken_at: datetime) -> dict[int, str]:
    values = {36867: taken_at.strftime("%Y:%m:%d %H:%M:%S")}
    offset = taken_at.utcoffset()
    if offset is not None:
        values[36881] = _format_offset(offset)
    return values


def _format_offset(offset: timedelta) -> str:
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _gps_ifd(lat: float, lon: float) -> dict[int, object]:
    return {
        1: "N" if lat >= 0 else "S",
        2: _dms(abs(lat)),
        3: "E" if lon >= 0 else "W",
        4: _dms(abs(lon)),
    }


def _dms(degrees: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    whole = int(degrees)
    minutes_float = (degrees - whole) * 60
    minutes = int(minutes_float)
    seconds = Fraction((minutes_float - minutes) * 60).limit_denominator(10_000)
    return (
        IFDRational(whole, 1),
        IFDRational(minutes, 1),
        IFDRational(seconds.numerator, seconds.denominator),
    )


def _png_chunk(chunk_type: bytes, payload: bytes) -> bytes:
    body = chunk_type + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def _box(box_type: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + box_type + payload


def _mdat(seed: int) -> bytes:
    return _box(b"mdat", b"\x00\x00\x00\x00" + seed.to_bytes(8, "big") + bytes(64))
