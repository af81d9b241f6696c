"""EXIF GPS stays in the stored original for the insurer's evidence check, and is gone
from every copy served to owners and shops: the web chat, the shops' dashboard, and the
photos sent on WeChat and Telegram."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from bot.bootstrap import Container
from bot.channels.webchat.media_links import MediaLinks
from bot.media_intake import MediaIntake, Upload
from bot.web.app import create_app
from storage import read_models
from storage.db import Database
from storage.media.location import without_location
from storage.media.store import MediaStore
from tests.booking_support import STAFF_USER, WebUser, agree_direct_repair, bind_staff_to_web
from tests.dashboard.support import sign_in, token
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.media_samples import jpeg_bytes, png_bytes
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import TOKEN
from tests.telegram.test_outbound import CHAT, row, send
from tests.wechat.rig import wechat_rig
from tests.wechat.test_outbound_media import push, store

SCENE = (31.2304, 121.4737)
TAKEN = datetime(2026, 11, 25, 9, 55, tzinfo=UTC)
_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 36867


def gps_of(data: bytes) -> dict[int, object]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()  # the copy still decodes
        return dict(image.getexif().get_ifd(_GPS_IFD))


def photos(count: int = 3) -> list[bytes]:
    return [jpeg_bytes(gps=SCENE, taken_at=TAKEN, seed=n) for n in range(count)]


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", clock)
    yield built
    built.close()


@pytest.fixture
def http(container: Container) -> Iterator[httpx.Client]:
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def claim_booked_at_the_shop(container: Container) -> tuple[str, WebUser, list[int]]:
    import_sample(container)
    owner = WebUser(container, "owner-gps-0001")
    bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    owner.report_until_photos()
    owner.photos(photos())
    owner.choose("r:evidence:done")
    owner.choose("r:summary:confirm")
    number = owner.last("report.filed").params["number"]
    agree_direct_repair(container, number)
    owner.text("/book")
    owner.choose(f"b:claim:{number}")
    owner.choose("b:shop:SHOP-PD-01")
    owner.choose(owner.choices("booking.ask.slot")[0])
    assert owner.choose("b:send") == ["booking.requested"]
    with container.database.engine.connect() as conn:
        detail = read_models.claim_detail(conn, number)
    assert detail is not None
    return number, owner, [item.media_id for item in detail.evidence]


def test_the_original_keeps_gps_and_owners_and_shops_get_it_without(
    container: Container, http: httpx.Client
) -> None:
    number, _, media_ids = claim_booked_at_the_shop(container)
    first = media_ids[0]
    with container.database.unit_of_work() as uow:
        stored = uow.media.get(first)
    assert stored is not None and stored.gps_lat == pytest.approx(SCENE[0], abs=1e-4)
    original = container.media.open(stored.relative_path).read_bytes()
    assert gps_of(original)  # the evidence check's input is untouched

    # the owner's web chat
    link = MediaLinks(container.signer, timedelta(minutes=15)).url(first, container.clock.now())
    served = http.get(link)  # the signed link the owner's chat shows
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert gps_of(served.content) == {}
    with Image.open(io.BytesIO(served.content)) as copy:
        assert copy.size == (800, 600)
        assert copy.getexif().get_ifd(_EXIF_IFD)[_DATETIME_ORIGINAL] == "2026:11:25 09:55:00"

    # the shop's dashboard gets the copy, the insurer's the original
    sign_in(http, token(container, "shop", "SHOP-PD-01"))
    shop_copy = http.get(f"/dashboard/claims/{number}/media/{first}")
    assert shop_copy.status_code == 200 and gps_of(shop_copy.content) == {}
    http.post("/dashboard/logout")
    http.cookies.clear()
    sign_in(http, token(container, "insurer"))
    insurer_copy = http.get(f"/dashboard/claims/{number}/media/{first}")
    assert insurer_copy.content == original


def test_photos_sent_on_wechat_carry_no_location(sqlite_database: Database, tmp_path: Path) -> None:
    with wechat_rig(sqlite_database, tmp_path / "media") as rig:
        openid = "oADJ_gps_000000000000000001"
        rig.say(openid, "/help")  # opens the customer-service window
        media = store(rig, [Upload(data, "photo") for data in photos(2)])
        push(rig, openid, media)
        sent = rig.api.images(openid)
        assert len(sent) == 2 and all(gps_of(data) == {} for data in sent)


def test_photos_sent_on_telegram_carry_no_location(
    sqlite_database: Database, tmp_path: Path
) -> None:
    api = FakeBotApi(TOKEN)
    with api.running():
        intake = MediaIntake(MediaStore(tmp_path / "media"), sqlite_database, FixedClock())
        ids = [item.media_id for item in intake.accept([Upload(photos(1)[0], "photo")]).items]
        payload = {"key": "report.started", "attachments": ids}
        send(api, [row(payload)], database=sqlite_database, media_dir=tmp_path / "media")
        [image] = api.messages(CHAT)[0].media
    assert gps_of(image) == {}
    assert gps_of(photos(1)[0])  # the sample had it


def test_png_and_webp_copies_lose_their_exif_gps() -> None:
    exif = Image.Exif()
    exif[_GPS_IFD] = {1: "N", 2: (31.0, 13.0, 48.0), 3: "E", 4: (121.0, 28.0, 12.0)}
    with Image.open(io.BytesIO(png_bytes())) as picture:
        for fmt, mime in (("PNG", "image/png"), ("WEBP", "image/webp")):
            buffer = io.BytesIO()
            picture.save(buffer, fmt, exif=exif)
            data = buffer.getvalue()
            assert gps_of(data)
            copy, served_mime = without_location(data, mime)
            assert served_mime == mime and gps_of(copy) == {}


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def test_a_movie_copy_has_its_iso6709_position_blanked() -> None:
    position = b"+31.2304+121.4737/"
    udta = _box(b"udta", _box(b"\xa9xyz", struct.pack(">HH", len(position), 0) + position))
    mdat = _box(b"mdat", b"+31.2304+121.4737/ frame bytes")
    movie = _box(b"ftyp", b"isom\x00\x00\x02\x00isom") + _box(b"moov", udta) + mdat
    copy, mime = without_location(movie, "video/mp4")
    assert mime == "video/mp4" and len(copy) == len(movie)
    assert position not in copy[: len(movie) - len(mdat)]
    assert copy.endswith(mdat)  # the media data is not touched
