"""Uploads an attacker or a careless sender makes: decompression bombs, HTML posing as a
video, and more files than anyone needs; each is answered and nothing is stored."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from bot.bootstrap import Container, build
from bot.settings import Settings
from bot.web.app import create_app
from storage.db import Database
from storage.tables.core import media_t
from tests.engine_harness import database_url, import_sample
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.media_samples import box, jpeg_bytes, movie_boxes, png_bomb_bytes
from tests.web_chat_client import ChatBrowser

HTML = b"<!doctype html><html><body><script>fetch('/chat/api/messages')</script></body></html>"
FTYP = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")


def upload(browser: ChatBrowser, files: list[tuple[str, bytes, str]]) -> str:
    """What the chat answers a browser's upload (its session is the sender)."""
    return "\n".join(message["text"] for message in browser.upload(files))


def stored_files(container: Container) -> int:
    with container.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(media_t)).scalar_one())


@pytest.fixture
def browser(base_url: str) -> Iterator[ChatBrowser]:
    opened = ChatBrowser(base_url)
    yield opened
    opened.close()


def test_a_png_bomb_is_refused_from_its_header(
    browser: ChatBrowser, container: Container
) -> None:
    bomb = png_bomb_bytes(7_999, 7_999, rgba=True)  # ~250 KB that decode to 244 MiB
    assert len(bomb) < 400_000
    answer = upload(browser, [("bomb.png", bomb, "image/png")])
    assert "像素尺寸过大" in answer
    assert stored_files(container) == 0


@pytest.mark.parametrize(
    "video",
    [
        FTYP + box(b"free", HTML),  # HTML behind a free atom, no movie at all
        FTYP + movie_boxes() + box(b"free", HTML),  # a movie that also carries a page
        FTYP + box(b"mdat", b"\0" * 64),  # no movie box
        FTYP + movie_boxes()[:-10],  # truncated
        FTYP + movie_boxes() + HTML,  # a page glued after the last box
    ],
)
def test_only_well_formed_movies_are_taken(
    browser: ChatBrowser, container: Container, video: bytes
) -> None:
    answer = upload(browser, [("clip.mp4", video, "video/mp4")])
    assert "不是 MP4/MOV 视频" in answer
    assert stored_files(container) == 0


@pytest.fixture
def quota_client(
    sqlite_database: Database, tmp_path: Path
) -> Iterator[tuple[str, Container]]:
    settings = Settings(
        database_url=database_url(sqlite_database),
        media_dir=tmp_path / "media",
        upload_quota_files=3,
        upload_quota_mb=1,
    )
    built = build(settings, clock=FixedClock())
    import_sample(built)
    with serve(create_app(built)) as base:
        yield base, built
    built.close()


def test_each_sender_has_an_upload_quota(quota_client: tuple[str, Container]) -> None:
    base, container = quota_client
    http = ChatBrowser(base)
    photos = [("p.jpg", jpeg_bytes(seed=seed), "image/jpeg") for seed in range(4)]
    assert "已达上限" not in upload(http, photos[:2])
    answer = upload(http, photos[2:])  # the third is the last one allowed, the fourth is not
    assert answer.count("已达上限") == 1
    assert stored_files(container) == 3
    again = upload(http, photos[:1])  # the same file again counts again
    assert "已达上限" in again
    other = upload(ChatBrowser(base), photos[3:])  # another sender
    assert "已达上限" not in other
    big = upload(ChatBrowser(base), [("big.jpg", noise_jpeg(), "image/jpeg")])
    assert "已达上限" in big  # over 1 MB in one file


def noise_jpeg() -> bytes:
    """A photo of noise: a JPEG that does not compress, well over 1 MB."""
    buffer = io.BytesIO()
    Image.effect_noise((1600, 1600), 120).convert("RGB").save(buffer, "JPEG", quality=95)
    assert buffer.tell() > 1024 * 1024
    return buffer.getvalue()
