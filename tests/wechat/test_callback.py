"""The callback's gate: handshake, signatures, timestamps, hostile XML, size, retries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.channels.wechat.delivery import WeChatQuotas
from storage.channels.wechat.inbox import InboxMessage, WeChatInbox
from storage.channels.wechat.tables import wechat_inbox_t
from storage.db import Database
from storage.tables.core import outbox_t, processed_inbound_t
from tests.wechat.rig import WeChatRig, wechat_rig

USER = "oUSER_callback_00000000000001"


@pytest.fixture
def rig(sqlite_database: Database, tmp_path: Path) -> Iterator[WeChatRig]:
    with wechat_rig(sqlite_database, tmp_path / "media") as running:
        yield running


@pytest.fixture
def safe_rig(sqlite_database: Database, tmp_path: Path) -> Iterator[WeChatRig]:
    with wechat_rig(sqlite_database, tmp_path / "media", mode="safe") as running:
        yield running


def rows(rig: WeChatRig) -> tuple[int, int, int]:
    """(inbox rows, processed messages, outbox rows): what a refused request must not add."""
    with rig.container.database.unit_of_work() as uow:
        return tuple(  # type: ignore[return-value]
            uow.connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (wechat_inbox_t, processed_inbound_t, outbox_t)
        )


def test_the_handshake_echoes_echostr_only_when_signed(rig: WeChatRig) -> None:
    good = rig.wechat.handshake("5837397520665924342")
    assert good.status_code == 200 and good.text == "5837397520665924342"
    assert rig.wechat.handshake("123", signature="0" * 40).status_code == 403
    stale = rig.wechat.query(timestamp=rig.wechat.now() - 301)
    response = rig.wechat.http.get("/wechat/callback", params={**stale, "echostr": "123"})
    assert response.status_code == 403


def test_bad_signature_or_stale_timestamp_is_refused_and_changes_nothing(
    rig: WeChatRig,
) -> None:
    xml = rig.wechat.xml(USER, "text", {"Content": "/report", "MsgId": "1001"})
    forged = {**rig.wechat.query(), "signature": "f" * 40}
    assert rig.wechat.post(xml, query=forged).status_code == 403
    odd = {**rig.wechat.query(), "signature": "签名"}
    assert rig.wechat.post(xml, query=odd).status_code == 403
    unsigned = {"timestamp": str(rig.wechat.now()), "nonce": "abc"}
    assert rig.wechat.post(xml, query=unsigned).status_code == 403
    assert rig.wechat.post(xml, timestamp=rig.wechat.now() - 301).status_code == 403
    assert rig.wechat.post(xml, timestamp=rig.wechat.now() + 301).status_code == 403
    assert rows(rig) == (0, 0, 0)
    assert rig.wechat.post(xml, timestamp=rig.wechat.now() - 200).status_code == 200


def test_hostile_or_broken_xml_is_refused_before_it_is_used(rig: WeChatRig) -> None:
    laughs = "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n else "lol"}">' for n in range(10)
    )
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE xml [{laughs}]>'
        f"<xml><FromUserName>{USER}</FromUserName><MsgType>text</MsgType>"
        "<Content>&lol9;</Content><MsgId>2001</MsgId></xml>"
    )
    external = (
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        f"<xml><FromUserName>{USER}</FromUserName><MsgType>text</MsgType>"
        "<Content>&e;</Content><MsgId>2002</MsgId></xml>"
    )
    for body in (bomb, external, "<xml><MsgType>text</MsgType", "not xml at all", "<a>b</a>"):
        assert rig.wechat.post(body).status_code == 400, body
    missing_sender = "<xml><MsgType>text</MsgType><Content>hi</Content></xml>"
    assert rig.wechat.post(missing_sender).status_code == 400
    huge = rig.wechat.xml(USER, "text", {"Content": "长" * 30_000, "MsgId": "2003"})
    assert rig.wechat.post(huge).status_code == 413
    assert rows(rig) == (0, 0, 0)


def test_safe_mode_checks_the_message_signature(safe_rig: WeChatRig) -> None:
    wechat = safe_rig.wechat
    xml = wechat.xml(USER, "text", {"Content": "/help", "MsgId": "3001"})
    body, params = wechat.encrypt(xml, wechat.query())
    tampered = {**params, "msg_signature": "0" * 40}
    post = wechat.http.post
    assert post("/wechat/callback", params=tampered, content=body).status_code == 403
    garbled = body.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[AAAA")
    assert post("/wechat/callback", params=params, content=garbled).status_code == 403
    assert rows(safe_rig) == (0, 0, 0)
    answer = post("/wechat/callback", params=params, content=body)
    assert answer.status_code == 200 and answer.text == "success"
    safe_rig.settle()
    assert safe_rig.api.texts(USER)


def test_compatible_mode_is_understood(sqlite_database: Database, tmp_path: Path) -> None:
    with wechat_rig(sqlite_database, tmp_path / "media", mode="compatible") as rig:
        assert rig.say(USER, "/help")[0].startswith("直接说想办的事")


def test_a_message_posted_three_times_is_processed_once(rig: WeChatRig) -> None:
    for _ in range(3):
        response = rig.wechat.text(USER, "/report", msg_id=4001)
        assert response.status_code == 200 and response.text == "success"
    rig.settle()
    assert len(rig.api.texts(USER)) == 2  # report.started + the plate question, once
    assert rows(rig)[0] == 1


def test_an_event_retried_with_msgid_zero_is_processed_once(rig: WeChatRig) -> None:
    moment = rig.wechat.now()
    for _ in range(3):
        assert rig.wechat.event(USER, "CLICK", "REPORT", create_time=moment).text == "success"
    rig.settle()
    assert len(rig.api.texts(USER)) == 2
    rig.wechat.event(USER, "CLICK", "REPORT", create_time=moment + 1)  # a second click
    rig.settle()
    assert rows(rig)[0] == 2


def test_voice_gets_a_clear_answer(rig: WeChatRig) -> None:
    rig.wechat.voice(USER)
    rig.settle()
    answers = rig.api.texts(USER)
    assert "请发送文字、照片、视频或位置" in answers[0]


def test_other_events_and_unknown_kinds(rig: WeChatRig) -> None:
    for event, key in (("LOCATION", None), ("VIEW", "https://example.com"), ("unsubscribe", None)):
        assert rig.wechat.event(USER, event, key).text == "success"
    rig.settle()
    assert rig.api.texts(USER) == []  # location reports, link views, unfollows: no answer
    rig.wechat.event(USER, "subscribe")
    rig.settle()
    assert rig.api.texts(USER)[0].startswith("您好")
    rig.wechat.event(USER, "CLICK", "STATUS")
    rig.wechat.message(USER, "link", {"Title": "t", "Url": "https://example.com"})
    rig.settle()
    assert len(rig.api.texts(USER)) >= 4  # each got an answer


def test_the_language_of_a_new_user_comes_from_user_info(rig: WeChatRig) -> None:
    english = "oUSER_english_000000000000001"
    rig.api.languages[english] = "en"
    rig.wechat.event(english, "subscribe")
    rig.settle()
    assert rig.api.texts(english)[0].startswith("Hello")
    rig.say(english, "/help")
    assert rig.api.user_info_calls == [english]


def test_rows_left_by_a_stopped_process_are_processed_on_start(
    sqlite_database: Database, tmp_path: Path
) -> None:
    xml = (
        f"<xml><FromUserName>{USER}</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>text</MsgType><Content>/help</Content><MsgId>5001</MsgId></xml>"
    )
    with sqlite_database.unit_of_work() as uow:
        message = InboxMessage("msg:5001", USER, "text", xml)
        now = datetime.now(UTC)
        assert WeChatInbox(uow.connection).record(message, now)
        WeChatQuotas(uow.connection).grant(USER, "message", now, 5, timedelta(hours=48))
        uow.commit()
    with wechat_rig(sqlite_database, tmp_path / "media") as rig:
        rig.settle()
        assert rig.api.texts(USER)[0].startswith("直接说想办的事")


def test_a_photo_that_cannot_be_fetched_is_asked_for_again(rig: WeChatRig) -> None:
    rig.wechat.image(USER, "expired-media-id")  # media/get answers 40007
    rig.settle()
    assert "没能从微信取回" in rig.api.texts(USER)[0]
