"""Real photos of distinct scenes, made at test time, for perceptual-hash tests.

``scene_jpeg(n)`` draws scene ``n`` (shapes, bands and a horizon that differ per scene), so
two scenes look different to a perceptual hash while ``resized_copy`` of one looks the same.
Seeded pixel noise (tests/media_samples.py) changes bytes, not what a picture shows.
"""

from __future__ import annotations

import io
import random
from datetime import datetime

from PIL import Image, ImageDraw

from tests.media_samples import jpeg_bytes


def scene(n: int, width: int = 800, height: int = 600) -> Image.Image:
    rng = random.Random(n)
    image = Image.new("RGB", (width, height), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randrange(60, 400), y0 + rng.randrange(60, 300)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
    return image


def scene_jpeg(
    n: int,
    *,
    taken_at: datetime | None = None,
    gps: tuple[float, float] | None = None,
    width: int = 800,
    height: int = 600,
) -> bytes:
    """Scene ``n`` as a JPEG with EXIF time and GPS, like a phone photo."""
    base = jpeg_bytes(width, height, taken_at=taken_at, gps=gps)
    exif = Image.open(io.BytesIO(base)).getexif()
    buffer = io.BytesIO()
    scene(n, width, height).save(buffer, "JPEG", quality=88, exif=exif)
    return buffer.getvalue()


def resized_copy(data: bytes, scale: float = 0.6, quality: int = 70) -> bytes:
    """The same picture sent again: scaled down and re-compressed (new bytes, new sha256)."""
    with Image.open(io.BytesIO(data)) as image:
        size = (int(image.width * scale), int(image.height * scale))
        buffer = io.BytesIO()
        image.convert("RGB").resize(size).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
