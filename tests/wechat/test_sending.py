"""Delivery through the real wechatpy client: token refresh, busy retries, the 48-hour
window and its allowance, merging, the progress template, and keeping what cannot go."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from messages.outbound import Outbound
from storage.db import Database
from storage.records import OutboxItem
from tests.wechat.rig import WeChatRig, wechat_rig

USER = "oUSER_sending_000000000000001"


@pytest.fixture
def rig(sqlite_database: Database, tmp_path: Path) -> Iterator[WeChatRig]:
    with wechat_rig(sqlite_database, tmp_path / "media") as running:
        yield running


@pytest.fixture
def rig_without_template(sqlite_database: Database, tmp_path: Path) -> Iterator[WeChatRig]:
    with wechat_rig(sqlite_database, tmp_path / "media", template=None) as running:
        yield running


def push(rig: WeChatRig, *texts: str) -> None:
    """Queue notifications for USER as the scheduler would (one transaction)."""
    with rig.container.database.unit_of_work() as uow:
        party = uow.parties.resolve("wechat", USER)
        uow.outbox.add(
            [
                OutboxItem(
                    channel="wechat",
                    chat_id=USER,
                    locale="zh_CN",
                    payload=Outbound("command.unknown", {"command": text}).to_payload(),
                    idempotency_key=f"push:{text}",
                    party_id=party.id,
                )
                for text in texts
            ]
        )
        uow.commit()
    rig.settle()


def test_an_expired_token_is_refreshed_and_the_call_retried_once(rig: WeChatRig) -> None:
    rig.say(USER, "/help")
    assert rig.api.tokens_issued == ["TOKEN-1"]
    rig.api.fail_next("message/custom/send", 40001)
    answers = rig.say(USER, "/help")
    assert len(answers) == 2
    assert rig.api.tokens_issued == ["TOKEN-1", "TOKEN-2"]


def test_a_token_refused_twice_is_not_refreshed_forever(rig: WeChatRig) -> None:
    client = rig.channel.client
    client.user_language(USER)
    rig.api.fail_next("user/info", 40001, 40001)
    with pytest.raises(Exception, match="40001"):
        client.user_language(USER)
    assert len(rig.api.tokens_issued) == 2


def test_system_busy_is_retried(rig: WeChatRig) -> None:
    rig.say(USER, "/help")
    calls = rig.api.calls["message/custom/send"]
    rig.api.fail_next("message/custom/send", -1, -1)
    answers = rig.say(USER, "/help")
    assert len(answers) == 2
    assert rig.api.calls["message/custom/send"] == calls + 4  # two busy answers, two sends


def test_a_closed_window_sends_the_progress_template_instead(rig: WeChatRig) -> None:
    rig.say(USER, "/help")
    rig.api.closed_windows.add(USER)  # e.g. the user wrote 49 hours ago
    push(rig, "/claim-update")
    templates = rig.api.templates_for(USER)
    assert len(templates) == 1
    sent = templates[0]
    assert sent["template_id"] == "TPL-progress"
    assert "/claim-update" in sent["data"]["keyword1"]["value"]
    assert set(sent["data"]) == {"first", "keyword1", "keyword2", "remark"}
    assert set(rig.outbox_statuses(USER)) == {"sent"}
    push(rig, "/another")  # the window is known closed now: straight to the template
    assert len(rig.api.templates_for(USER)) == 2
    assert rig.api.calls["message/custom/send"] == 2 + 1


def test_the_sixth_message_in_a_window_goes_as_a_template(rig: WeChatRig) -> None:
    assert len(rig.say(USER, "/help")) == 2  # the user's message opened 5; 2 used
    for n in range(3):
        push(rig, f"/n{n}")
    assert len(rig.api.texts(USER)) == 5
    assert rig.api.templates_for(USER) == []
    push(rig, "/sixth")
    assert len(rig.api.texts(USER)) == 5
    assert "/sixth" in rig.api.templates_for(USER)[0]["data"]["keyword1"]["value"]
    rig.say(USER, "/help")  # a new message opens a new window
    assert len(rig.api.texts(USER)) == 7


def test_what_does_not_fit_the_allowance_is_merged(rig: WeChatRig) -> None:
    rig.say(USER, "/help")  # 3 of 5 left
    push(rig, *(f"/m{n}" for n in range(5)))
    texts = rig.api.texts(USER)[2:]
    assert len(texts) == 3
    assert all(f"/m{n}" in texts[0] for n in range(3))
    assert "/m3" in texts[1] and "/m4" in texts[2]
    assert rig.api.templates_for(USER) == []
    assert set(rig.outbox_statuses(USER)) == {"sent"}


def test_without_a_template_the_message_waits_for_the_user(
    rig_without_template: WeChatRig,
) -> None:
    rig = rig_without_template
    rig.say(USER, "/help")
    rig.api.closed_windows.add(USER)
    push(rig, "/kept")
    assert rig.outbox_statuses(USER)[-1] == "pending"  # kept, not dropped
    rig.api.closed_windows.discard(USER)
    answers = rig.say(USER, "/help")  # the user is back: the kept message goes first
    assert "/kept" in answers[0]
    assert set(rig.outbox_statuses(USER)) == {"sent"}


def test_the_kept_message_wakes_the_sender_when_the_user_is_back(
    rig_without_template: WeChatRig,
) -> None:
    """Releasing the kept rows wakes the dispatcher (it would otherwise wait for its idle
    cap, up to a second, before sending them)."""
    rig = rig_without_template
    rig.say(USER, "/help")
    rig.api.closed_windows.add(USER)
    push(rig, "/kept")
    rig.api.closed_windows.discard(USER)
    woken: list[bool] = []
    rig.container.engine.on_outbox(lambda: woken.append(True))
    rig.say(USER, "/help")
    assert woken  # by the inbox worker's release: the turn itself hands its rows over


def test_a_user_who_unfollowed_is_given_up(rig: WeChatRig) -> None:
    rig.say(USER, "/help")
    rig.api.fail_next("message/custom/send", 43004)
    push(rig, "/gone")
    assert rig.outbox_statuses(USER)[-1] == "failed"


def test_an_album_is_answered_within_the_allowance(rig: WeChatRig) -> None:
    rig.say(USER, "/report")
    for n in range(6):
        rig.add_media(f"album-{n}", "photo", seed=n, delay=0.5 if n == 0 else 0.0)
    for n in range(6):  # WeChat delivers an album as one message per photo, back to back
        assert rig.wechat.image(USER, f"album-{n}").text == "success"
    rig.settle()
    assert rig.api.templates_for(USER) == []
    assert set(rig.outbox_statuses(USER)) == {"sent"}
    album = "\n".join(rig.api.texts(USER)[2:])
    assert album.count("已收到 1 张照片") == 6
