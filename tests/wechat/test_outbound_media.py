"""Rows with photos and videos (the adjuster's handoff card) to WeChat: uploaded through
media/upload, sent as customer-service image and video messages after the text, each
counted against the user's allowance; what the allowance cannot carry, or WeChat would
refuse, is counted in the text instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.wechat.media_out import sendable
from bot.media_intake import Upload
from messages.outbound import Outbound
from storage.channels.wechat.delivery import WeChatQuotas
from storage.db import Database
from storage.media.types import StoredMedia
from storage.records import OutboxItem
from tests.media_samples import jpeg_bytes, mov_bytes, mp4_bytes
from tests.wechat.rig import WeChatRig, wechat_rig

ADJUSTER = "oADJ_media_00000000000000001"
OTHER = "oADJ_media_00000000000000002"
PHOTOS = [jpeg_bytes(seed=n) for n in range(3)]


@pytest.fixture
def rig(sqlite_database: Database, tmp_path: Path) -> Iterator[WeChatRig]:
    with wechat_rig(sqlite_database, tmp_path / "media") as running:
        yield running


def store(rig: WeChatRig, uploads: list[Upload]) -> tuple[int, ...]:
    result = rig.container.intake.accept(uploads)
    assert result.rejected == ()
    return tuple(item.media_id for item in result.items)


def push(rig: WeChatRig, openid: str, media: tuple[int, ...], tag: str = "card") -> None:
    """A notice with attachments, queued as the engine queues a handoff card."""
    with rig.container.database.unit_of_work() as uow:
        party = uow.parties.resolve("wechat", openid)
        payload = Outbound("command.unknown", {"command": tag}, attachments=media).to_payload()
        item = OutboxItem(
            channel="wechat",
            chat_id=openid,
            locale="zh_CN",
            payload=payload,
            idempotency_key=f"push:{openid}:{tag}",
            party_id=party.id,
        )
        uow.outbox.add([item])
        uow.commit()
    rig.settle()


def available(rig: WeChatRig, openid: str) -> int:
    with rig.container.database.unit_of_work() as uow:
        return WeChatQuotas(uow.connection).available(openid, rig.clock.now())


def test_photos_follow_the_text_as_image_messages(rig: WeChatRig) -> None:
    rig.say(ADJUSTER, "/help")  # opens the window: 5 messages, the answer used two
    assert available(rig, ADJUSTER) == 3
    before = len(rig.api.kinds(ADJUSTER))
    media = store(rig, [Upload(data, "photo") for data in PHOTOS[:2]])
    push(rig, ADJUSTER, media)
    assert rig.api.kinds(ADJUSTER)[before:] == ["text", "image", "image"]
    assert rig.api.images(ADJUSTER) == PHOTOS[:2]
    assert "未在微信中发送" not in rig.api.texts(ADJUSTER)[-1]
    uploads = list(rig.api.uploads.values())
    assert [(u.kind, u.content_type) for u in uploads] == [("image", "image/jpeg")] * 2
    assert all(u.filename.endswith(".jpg") for u in uploads)
    assert available(rig, ADJUSTER) == 0  # each photo counted like any message
    assert set(rig.outbox_statuses(ADJUSTER)) == {"sent"}


def test_a_short_allowance_sends_the_text_and_counts_what_was_left_out(rig: WeChatRig) -> None:
    rig.say(ADJUSTER, "/help")
    push(rig, ADJUSTER, (), "first")
    assert available(rig, ADJUSTER) == 2
    video = store(rig, [Upload(mp4_bytes(), "video")])
    media = store(rig, [Upload(data, "photo") for data in PHOTOS]) + video
    push(rig, ADJUSTER, media)
    assert rig.api.kinds(ADJUSTER)[-2:] == ["text", "image"]
    assert rig.api.images(ADJUSTER) == PHOTOS[:1]
    assert rig.api.texts(ADJUSTER)[-1].endswith(
        "（另有 2 张照片、1 段视频未在微信中发送，可在理赔看板的案件页查看。）"
    )
    assert available(rig, ADJUSTER) == 0
    assert rig.api.templates_for(ADJUSTER) == []


def test_an_uploaded_photo_is_reused_and_uploaded_again_once_wechat_forgot_it(
    rig: WeChatRig,
) -> None:
    media = store(rig, [Upload(data, "photo") for data in PHOTOS[:2]])
    for openid in (ADJUSTER, OTHER):
        rig.say(openid, "/help")
        push(rig, openid, media)
    assert rig.api.images(OTHER) == PHOTOS[:2]
    assert len(rig.api.uploads) == 2 and rig.channel.media.uploads == 2

    rig.api.expire_uploads()  # gone on WeChat's side before our cache noticed
    rig.say(OTHER, "/help")
    push(rig, OTHER, media, "again")
    assert rig.api.images(OTHER)[-2:] == PHOTOS[:2]
    assert rig.channel.media.uploads == 4 and len(rig.api.uploads) == 4


def test_a_failed_upload_is_retried_without_sending_the_text_again(rig: WeChatRig) -> None:
    rig.say(ADJUSTER, "/help")
    media = store(rig, [Upload(data, "photo") for data in PHOTOS[:2]])
    rig.api.fail_next("media/upload", *([-1] * 4))  # busy past the client's own retries
    push(rig, ADJUSTER, media)
    assert rig.api.kinds(ADJUSTER)[-3:] == ["text", "image", "image"]
    assert len(rig.api.texts(ADJUSTER)) == 3  # the /help answer (two) and the card, once
    assert rig.api.images(ADJUSTER) == PHOTOS[:2]
    assert set(rig.outbox_statuses(ADJUSTER)) == {"sent"}


def test_videos_go_as_video_messages_in_the_cards_order(rig: WeChatRig) -> None:
    rig.say(ADJUSTER, "/help")  # 3 of 5 left
    before = len(rig.api.kinds(ADJUSTER))
    video = mp4_bytes(seed=1)
    media = store(rig, [Upload(video, "video"), Upload(PHOTOS[0], "photo")])
    push(rig, ADJUSTER, media)
    assert rig.api.kinds(ADJUSTER)[before:] == ["text", "video", "image"]
    assert rig.api.videos(ADJUSTER) == [video]
    assert rig.api.images(ADJUSTER) == PHOTOS[:1]
    assert "未在微信中发送" not in rig.api.texts(ADJUSTER)[-1]
    uploaded = [(u.kind, u.content_type, u.filename[-4:]) for u in rig.api.uploads.values()]
    assert uploaded == [("video", "video/mp4", ".mp4"), ("image", "image/jpeg", ".jpg")]
    assert available(rig, ADJUSTER) == 0  # the video counted like any message


def test_a_short_allowance_counts_the_videos_it_could_not_carry(rig: WeChatRig) -> None:
    rig.say(ADJUSTER, "/help")
    push(rig, ADJUSTER, (), "first")
    assert available(rig, ADJUSTER) == 2  # the text and one more
    videos = [mp4_bytes(seed=n) for n in range(2)]
    media = store(rig, [Upload(data, "video") for data in videos] + [Upload(PHOTOS[0], "photo")])
    push(rig, ADJUSTER, media)
    assert rig.api.kinds(ADJUSTER)[-2:] == ["text", "video"]
    assert rig.api.videos(ADJUSTER) == videos[:1]
    assert rig.api.texts(ADJUSTER)[-1].endswith(
        "（另有 1 张照片、1 段视频未在微信中发送，可在理赔看板的案件页查看。）"
    )
    assert rig.api.templates_for(ADJUSTER) == []


def test_a_video_wechat_would_refuse_stays_on_the_dashboard(rig: WeChatRig) -> None:
    rig.say(ADJUSTER, "/help")
    media = store(rig, [Upload(mov_bytes(), "video"), Upload(PHOTOS[0], "photo")])
    push(rig, ADJUSTER, media)
    assert rig.api.kinds(ADJUSTER)[-2:] == ["text", "image"]  # the QuickTime video stays
    assert rig.api.texts(ADJUSTER)[-1].endswith(
        "（另有 1 段视频未在微信中发送，可在理赔看板的案件页查看。）"
    )
    assert [u.kind for u in rig.api.uploads.values()] == ["image"]
    assert available(rig, ADJUSTER) == 1  # nothing was spent on the video


def test_a_failed_video_upload_is_retried_without_the_text(rig: WeChatRig) -> None:
    rig.say(ADJUSTER, "/help")
    video = mp4_bytes(seed=7)
    rig.api.fail_next("media/upload", *([-1] * 4))  # busy past the client's own retries
    push(rig, ADJUSTER, store(rig, [Upload(video, "video")]))
    assert rig.api.kinds(ADJUSTER)[-2:] == ["text", "video"]
    assert len(rig.api.texts(ADJUSTER)) == 3
    assert rig.api.videos(ADJUSTER) == [video]


@pytest.mark.parametrize(
    ("kind", "mime", "size", "expected"),
    [
        ("video", "video/mp4", 10 * 1024 * 1024, True),
        ("video", "video/mp4", 10 * 1024 * 1024 + 1, False),  # temporary media: 10 MB
        ("video", "video/quicktime", 1024, False),  # WeChat takes MP4 only
        ("photo", "image/png", 1024, True),
        ("photo", "image/webp", 1024, False),
        ("photo", "image/jpeg", 10 * 1024 * 1024 + 1, False),
    ],
)
def test_what_wechat_takes_as_temporary_media(
    kind: str, mime: str, size: int, expected: bool
) -> None:
    item = StoredMedia(sha256="0" * 64, kind=kind, mime=mime, size=size, relative_path="x")
    assert sendable(item) is expected
