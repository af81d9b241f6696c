"""Rows with photos (the adjuster's handoff card) to WeChat: uploaded through media/upload,
sent as customer-service image messages after the text, each counted against the user's
allowance; what the allowance cannot carry is counted in the text instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.media_intake import Upload
from dialogs.messages import Outbound
from storage.db import Database
from storage.records import OutboxItem
from storage.wechat_delivery import WeChatQuotas
from tests.media_samples import jpeg_bytes, mp4_bytes
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
