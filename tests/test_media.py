from __future__ import annotations

import hashlib
import io
import os
import struct
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from storage.media.store import MediaStore
from storage.media.types import MediaRejected, MediaRejection, StoredMedia
from tests.media_samples import (
    box,
    jpeg_bytes,
    mov_bytes,
    movie_boxes,
    mp4_bytes,
    pdf_bytes,
    png_bomb_bytes,
    png_bytes,
    png_header_bytes,
    webp_bytes,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def rejection(store: MediaStore, data: bytes, declared_kind: str | None = None) -> MediaRejection:
    with pytest.raises(MediaRejected) as caught:
        store.save(data, declared_kind=declared_kind)
    return caught.value.reason


# --- photos ----------------------------------------------------------------------------


def test_jpeg_with_exif_time_and_gps(store: MediaStore) -> None:
    taken = datetime(2024, 5, 1, 14, 30, 5, tzinfo=timezone(timedelta(hours=2)))
    data = jpeg_bytes(1024, 768, taken_at=taken, gps=(-33.8568, -151.2153))

    media = store.save(data, declared_kind="photo", filename="IMG_0001.jpg")

    assert media.kind == "photo"
    assert media.mime == "image/jpeg"
    assert (media.width, media.height) == (1024, 768)
    assert media.size == len(data)
    assert media.taken_at is not None and media.taken_at.utcoffset() is not None
    assert media.taken_at == datetime(2024, 5, 1, 12, 30, 5, tzinfo=UTC)
    assert media.gps_lat == pytest.approx(-33.8568, abs=1e-6)
    assert media.gps_lon == pytest.approx(-151.2153, abs=1e-6)


def test_exif_time_without_offset_uses_store_timezone(tmp_path: Path) -> None:
    data = jpeg_bytes(taken_at=datetime(2024, 5, 1, 14, 30), gps=(31.2304, 121.4737))

    default = MediaStore(tmp_path / "a").save(data)
    utc_store = MediaStore(tmp_path / "b", tz=UTC).save(data)

    assert default.taken_at == datetime(2024, 5, 1, 14, 30, tzinfo=SHANGHAI)
    assert default.taken_at == datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
    assert utc_store.taken_at == datetime(2024, 5, 1, 14, 30, tzinfo=UTC)
    assert default.gps_lat == pytest.approx(31.2304)
    assert default.gps_lon == pytest.approx(121.4737)


def test_exif_datetime_fallback_and_malformed_gps_is_ignored(store: MediaStore) -> None:
    exif = Image.Exif()
    exif[306] = "2023:12:31 23:59:59"
    exif[0x8825] = {1: "N", 2: (1.0, 2.0), 3: "Q", 4: (1.0, 2.0, 3.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "grey").save(buffer, "JPEG", exif=exif)

    media = store.save(buffer.getvalue())

    assert media.taken_at == datetime(2023, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)
    assert (media.gps_lat, media.gps_lon) == (None, None)


def test_png_without_metadata(store: MediaStore) -> None:
    data = png_bytes(640, 480)

    media = store.save(data, declared_kind="video")  # the bytes decide, not the declaration

    assert (media.kind, media.mime) == ("photo", "image/png")
    assert (media.width, media.height) == (640, 480)
    assert (media.taken_at, media.gps_lat, media.gps_lon) == (None, None, None)
    assert media.relative_path.endswith(".png")


def test_webp_is_accepted(store: MediaStore) -> None:
    media = store.save(webp_bytes(300, 300))

    assert (media.mime, media.width, media.height) == ("image/webp", 300, 300)


def test_rotated_exif_orientation_reports_displayed_size(store: MediaStore) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(buffer, "JPEG", exif=exif)

    media = store.save(buffer.getvalue())

    assert (media.width, media.height) == (600, 800)


def test_seed_gives_distinct_samples() -> None:
    assert jpeg_bytes(seed=1) != jpeg_bytes(seed=2)
    assert png_bytes(seed=1) != png_bytes(seed=2)
    assert mp4_bytes(seed=1) != mp4_bytes(seed=2)
    assert jpeg_bytes() == jpeg_bytes()


# --- content addressing ----------------------------------------------------------------


def test_sha256_and_path_layout(store: MediaStore) -> None:
    data = jpeg_bytes()
    sha = hashlib.sha256(data).hexdigest()

    media = store.save(data)

    assert media.sha256 == sha
    assert media.relative_path == f"{sha[:2]}/{sha[2:4]}/{sha}.jpg"
    assert (store.root / media.relative_path).read_bytes() == data
    assert files_under(store.root) == [store.root / media.relative_path]


def test_same_bytes_twice_is_written_once(store: MediaStore) -> None:
    data = png_bytes()
    first = store.save(data)
    path = store.root / first.relative_path
    written_at = path.stat().st_mtime_ns
    os.utime(path, ns=(written_at - 10**9, written_at - 10**9))

    second = store.save(data, declared_kind="photo", filename="other-name.png")

    assert second == first
    assert isinstance(second, StoredMedia)
    assert files_under(store.root) == [path]
    assert path.stat().st_mtime_ns == written_at - 10**9  # not rewritten


def test_no_temp_file_left_behind(store: MediaStore) -> None:
    store.save(jpeg_bytes(seed=1))
    store.save(mp4_bytes())

    names = [path.name for path in files_under(store.root)]
    assert len(names) == 2
    assert not [name for name in names if name.startswith(".")]


def test_open_returns_absolute_path(store: MediaStore) -> None:
    media = store.save(mov_bytes())

    path = store.open(media.relative_path)

    assert path.is_absolute()
    assert path.read_bytes() == mov_bytes()


@pytest.mark.parametrize(
    "relative_path",
    [
        "../secret.txt",
        "../../etc/passwd",
        "/etc/passwd",
        "ab/cd/../../../outside.jpg",
        "ab\\cd\\x.jpg",
        "",
        ".",
        "ab/cd/" + "a" * 64 + ".jpg",  # prefix does not match the name
        "ab/cd/abcd" + "0" * 60 + ".jpg/../../../../x",
    ],
)
def test_open_refuses_paths_outside_the_layout(store: MediaStore, relative_path: str) -> None:
    with pytest.raises(ValueError):
        store.open(relative_path)


def test_open_refuses_symlink_escaping_root(store: MediaStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"secret")
    name = "ab" + "cd" + "0" * 60
    link = store.root / "ab" / "cd" / f"{name}.jpg"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)

    with pytest.raises(ValueError):
        store.open(f"ab/cd/{name}.jpg")


def test_open_missing_file(store: MediaStore) -> None:
    with pytest.raises(FileNotFoundError):
        store.open("ab/cd/abcd" + "0" * 60 + ".jpg")


# --- videos ----------------------------------------------------------------------------


def test_minimal_mp4(store: MediaStore) -> None:
    data = mp4_bytes()

    media = store.save(data, declared_kind="photo")

    assert (media.kind, media.mime, media.size) == ("video", "video/mp4", len(data))
    assert media.relative_path.endswith(".mp4")
    assert (media.width, media.height, media.taken_at) == (None, None, None)


def test_mov_by_ftyp_brand(store: MediaStore) -> None:
    media = store.save(mov_bytes())

    assert (media.kind, media.mime) == ("video", "video/quicktime")
    assert media.relative_path.endswith(".mov")


@pytest.mark.parametrize("atom", [b"moov", b"mdat", b"wide", b"free"])
def test_legacy_quicktime_atom_at_offset_zero(store: MediaStore, atom: bytes) -> None:
    first = box(atom, bytes(8)) if atom != b"moov" else b""
    data = first + movie_boxes()

    assert store.save(data).mime == "video/quicktime"


def test_3gp_is_mp4_family(store: MediaStore) -> None:
    data = struct.pack(">I", 20) + b"ftyp3gp4" + bytes(4) + b"3gp4" + mp4_bytes()[28:]

    assert store.save(data).mime == "video/mp4"


# --- rejections ------------------------------------------------------------------------


def test_empty(store: MediaStore) -> None:
    assert rejection(store, b"", "photo") is MediaRejection.EMPTY


def test_pdf_posing_as_jpeg(store: MediaStore) -> None:
    assert rejection(store, pdf_bytes(), "photo") is MediaRejection.NOT_AN_IMAGE
    assert rejection(store, pdf_bytes(), "video") is MediaRejection.NOT_A_VIDEO
    assert rejection(store, pdf_bytes()) is MediaRejection.UNSUPPORTED_TYPE


def test_text_as_photo(store: MediaStore) -> None:
    assert rejection(store, "车头被撞了".encode(), "photo") is MediaRejection.NOT_AN_IMAGE


def test_random_bytes_as_video(store: MediaStore) -> None:
    data = bytes((index * 7919 + 13) % 251 for index in range(4096))

    assert rejection(store, data, "video") is MediaRejection.NOT_A_VIDEO


def test_unsupported_image_format(store: MediaStore) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400)).save(buffer, "GIF")

    assert rejection(store, buffer.getvalue()) is MediaRejection.UNSUPPORTED_TYPE


def test_truncated_jpeg(store: MediaStore) -> None:
    data = jpeg_bytes(1600, 1200)

    assert rejection(store, data[: len(data) // 2], "photo") is MediaRejection.NOT_AN_IMAGE


def test_corrupt_png(store: MediaStore) -> None:
    data = bytearray(png_bytes())
    data[len(data) // 2] ^= 0xFF

    assert rejection(store, bytes(data), "photo") is MediaRejection.NOT_AN_IMAGE


def test_jpeg_signature_only(store: MediaStore) -> None:
    assert rejection(store, b"\xff\xd8\xff\xe0garbage", "photo") is MediaRejection.NOT_AN_IMAGE


def test_image_too_small(store: MediaStore) -> None:
    assert rejection(store, jpeg_bytes(320, 150)) is MediaRejection.IMAGE_TOO_SMALL
    assert store.save(jpeg_bytes(200, 200)).width == 200


def test_nothing_written_for_rejections(store: MediaStore) -> None:
    for data in (b"", pdf_bytes(), jpeg_bytes(100, 100)):
        with pytest.raises(MediaRejected):
            store.save(data)

    assert files_under(store.root) == []


def test_decompression_bomb_header_beyond_pillow_limit(store: MediaStore) -> None:
    data = png_header_bytes(50_000, 50_000)  # 2.5 Gpx: Pillow refuses it while opening

    assert rejection(store, data, "photo") is MediaRejection.NOT_AN_IMAGE
    assert Image.MAX_IMAGE_PIXELS == 89_478_485  # global state untouched


def test_decompression_bomb_over_store_pixel_limit(tmp_path: Path) -> None:
    data = png_bomb_bytes(9_000, 9_000)  # 81 Mpx in ~80 KB: above the store default of 64 Mpx
    assert len(data) < 200_000
    with Image.open(io.BytesIO(data)) as image:
        image.verify()  # a well-formed PNG: only the pixel limit can refuse it

    assert rejection(MediaStore(tmp_path), data) is MediaRejection.IMAGE_TOO_BIG
    small_limit = MediaStore(tmp_path, max_photo_pixels=100_000)
    assert rejection(small_limit, png_bytes(800, 600)) is MediaRejection.IMAGE_TOO_BIG


def test_too_large_is_checked_before_decoding(tmp_path: Path) -> None:
    store = MediaStore(tmp_path, max_photo_bytes=1_000, max_video_bytes=100)
    truncated_big_jpeg = jpeg_bytes(1600, 1200)[:5_000]

    assert rejection(store, truncated_big_jpeg, "photo") is MediaRejection.TOO_LARGE
    assert rejection(store, mp4_bytes(), "video") is MediaRejection.TOO_LARGE  # > 100 bytes
    assert rejection(store, png_header_bytes(50_000, 50_000)) is not MediaRejection.TOO_LARGE


def test_limits_are_per_kind(tmp_path: Path) -> None:
    data = png_bytes()
    store = MediaStore(tmp_path, max_photo_bytes=len(data), max_video_bytes=10)

    assert store.save(data).size == len(data)
    assert rejection(store, mp4_bytes()) is MediaRejection.TOO_LARGE
