"""The box (atom) structure of MP4 and QuickTime files, walked without decoding media.

A movie is a sequence of boxes (4-byte size, 4-byte type; size 1: a 64-bit size
follows; size 0: to the end of the file) that covers the file exactly. We accept a file
whose top-level boxes are all known movie boxes, with a movie box (``moov``, holding a
movie header ``mvhd``) and media data (``mdat``), and whose free-space boxes hold no
markup: HTML hidden behind a ``free`` atom of an otherwise valid file is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOP_LEVEL = frozenset(
    {
        b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"meta", b"pdin",
        b"moof", b"mfra", b"styp", b"sidx", b"ssix", b"prft", b"emsg", b"pnot", b"junk",
    }
)  # fmt: skip
FREE_SPACE = frozenset({b"free", b"skip", b"wide", b"junk", b"uuid"})
_MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed|meta|\?xml)\b", re.I
)
_HEADER = 8
_LARGE_HEADER = 16


@dataclass(frozen=True)
class Box:
    type: bytes
    start: int  # of the payload
    end: int


def boxes(data: bytes | memoryview, start: int = 0, end: int | None = None) -> list[Box] | None:
    """The boxes covering ``data[start:end]`` exactly; None if the bytes are no such list."""
    end = len(data) if end is None else end
    found: list[Box] = []
    at = start
    while at < end:
        if end - at < _HEADER:
            return None
        size = int.from_bytes(data[at : at + 4], "big")
        kind = bytes(data[at + 4 : at + 8])
        header = _HEADER
        if size == 1:
            if end - at < _LARGE_HEADER:
                return None
            size = int.from_bytes(data[at + 8 : at + 16], "big")
            header = _LARGE_HEADER
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            return None
        found.append(Box(kind, at + header, at + size))
        at += size
    return found


def is_movie(data: bytes, *, needs_ftyp: bool) -> bool:
    top = boxes(data)
    if not top or any(box.type not in TOP_LEVEL for box in top):
        return False
    if needs_ftyp and top[0].type != b"ftyp":
        return False
    types = {box.type for box in top}
    if b"moov" not in types or b"mdat" not in types:
        return False
    moov = next(box for box in top if box.type == b"moov")
    children = boxes(memoryview(data), moov.start, moov.end)
    if not children or all(child.type != b"mvhd" for child in children):
        return False
    return not any(
        box.type in FREE_SPACE and _MARKUP.search(data, box.start, box.end) for box in top
    )
