"""Copies of stored media without the place they were taken.

The stored original keeps its EXIF GPS: the insurer's evidence check compares it with the
accident's location. Copies served to owners and shops (the web chat, the shops' view of
the dashboard, Telegram and WeChat sends) go through ``without_location``:

- JPEG: the EXIF segment is rewritten without its GPS directory, XMP segments (which may
  repeat the position) are dropped; the compressed pixels are copied untouched.
- PNG and WebP: the same for their ``eXIf`` / ``EXIF`` chunk; XMP chunks dropped.
- HEIF and AVIF: re-encoded as JPEG from the pixels, with the EXIF minus GPS.
- MP4 and QuickTime: ISO 6709 position strings (``©xyz``, the Apple location key) in the
  movie's metadata are blanked in place (same length, so no offset moves); the media
  data is not touched.
"""

from __future__ import annotations

import io
import re
import struct
import zlib

from PIL import Image

EXIF_HEADER = b"Exif\x00\x00"
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
_GPS_IFD = 0x8825
_JPEG_SOS = 0xDA
_JPEG_APP1 = 0xE1
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_XMP_KEYWORD = b"XML:com.adobe.xmp"
_ISO6709 = re.compile(
    rb"[+-]\d{1,2}(?:\.\d+)?[+-]\d{1,3}(?:\.\d+)?(?:[+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?/"
)


def without_location(data: bytes, mime: str) -> tuple[bytes, str]:
    """The bytes to serve and their MIME type: ``data`` with any recorded position removed."""
    if mime == "image/jpeg":
        return _jpeg(data), mime
    if mime == "image/png":
        return _png(data), mime
    if mime == "image/webp":
        return _webp(data), mime
    if mime in ("image/heic", "image/avif"):
        return _reencoded(data), "image/jpeg"
    if mime in ("video/mp4", "video/quicktime"):
        return _movie(data), mime
    return data, mime


def _exif_without_gps(payload: bytes) -> bytes | None:
    """A TIFF-structured EXIF block minus its GPS directory (None: nothing readable left)."""
    exif = Image.Exif()
    try:
        exif.load(payload)
    except Exception:  # malformed EXIF is dropped whole
        return None
    if _GPS_IFD not in exif:
        return payload
    del exif[_GPS_IFD]
    try:
        return exif.tobytes()[len(EXIF_HEADER) :]
    except Exception:
        return None


def _jpeg(data: bytes) -> bytes:
    out = bytearray(data[:2])
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in _STANDALONE_MARKERS or marker == 0xFF:
            out += data[pos : pos + 2]
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos + 4 : pos + 2 + length]
        if marker == _JPEG_SOS:
            break
        pos += 2 + length
        if marker == _JPEG_APP1 and segment.startswith(XMP_HEADER):
            continue
        if marker == _JPEG_APP1 and segment.startswith(EXIF_HEADER):
            kept = _exif_without_gps(segment[len(EXIF_HEADER) :])
            if kept is not None:
                body = EXIF_HEADER + kept
                out += b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
            continue
        out += data[pos - 2 - length : pos]
    return bytes(out + data[pos:])


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _png(data: bytes) -> bytes:
    out = bytearray(data[:8])
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"eXIf":
            kept = _exif_without_gps(body)
            if kept is not None:
                out += _png_chunk(kind, kept)
            continue
        if kind in (b"iTXt", b"tEXt", b"zTXt") and body.startswith(_PNG_XMP_KEYWORD + b"\x00"):
            continue
        out += data[pos - 12 - length : pos]
    return bytes(out)


def _webp(data: bytes) -> bytes:
    chunks = bytearray()
    pos = 12
    while pos + 8 <= len(data):
        kind = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 8 + length + (length & 1)
        if kind == b"XMP ":
            continue
        if kind == b"EXIF":
            kept = _exif_without_gps(body.removeprefix(EXIF_HEADER))
            if kept is None:
                continue
            body = kept
        chunks += kind + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)


def _reencoded(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        exif.pop(_GPS_IFD, None)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def _movie(data: bytes) -> bytes:
    """Blank ISO 6709 strings in every top-level box but the media data."""
    out = bytearray(data)
    pos = 0
    while pos + 8 <= len(data):
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        header = 8
        if size == 1 and pos + 16 <= len(data):
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            header = 16
        end = len(data) if size == 0 else pos + size
        if size < header or end > len(data):
            break
        if kind not in (b"mdat", b"free", b"skip", b"wide"):
            for match in _ISO6709.finditer(data, pos + header, end):
                out[match.start() : match.end()] = b" " * (match.end() - match.start())
        pos = end
    return bytes(out)
