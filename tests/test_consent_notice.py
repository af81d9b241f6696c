"""The privacy notice at first contact, on the web chat, Telegram and WeChat: nothing is
taken before the owner agrees, the agreement is recorded with its time and version, staff
bound with /bind are not asked, and the full text is a page of the product."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from dialogs.consent import AGREE, DECLINE, NOTICE_VERSION
from domain.services import create_invite
from domain.staff import StaffRole
from messages.choices import CONSENT_IN_CHINESE, CONSENT_IN_ENGLISH
from storage.db import Database
from tests.engine_harness import Owner, import_sample, make_container
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import TOKEN, telegram_bot
from tests.web_chat_client import ChatBrowser
from tests.wechat.rig import number_of, wechat_rig

IN_CHINESE = CONSENT_IN_CHINESE.encode()
IN_ENGLISH = CONSENT_IN_ENGLISH.encode()
URL = re.compile(r"https?://\S+/privacy\?lang=\w+")


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", FixedClock())
    import_sample(built)
    yield built
    built.close()


@pytest.fixture
def http(container: Container) -> Iterator[httpx.Client]:
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


class Browser(ChatBrowser):
    """A first-time visitor of the web chat (no agreement recorded for them); ``user`` is
    the chat its session cookie stands for."""

    def __init__(self, http: httpx.Client, container: Container, language: str = "zh-CN") -> None:
        super().__init__(str(http.base_url), language=language, agreed=False)
        self._container = container

    @property
    def user(self) -> str:
        return self.chat(self._container)


def consents(container: Container, channel: str, user: str) -> list[Any]:
    with container.database.unit_of_work() as uow:
        party = uow.parties.resolve(channel, user)
        found = uow.consents.of_party(party.id)
        uow.commit()
    return found


def conversation_dialog(container: Container, user: str) -> str | None:
    with container.database.unit_of_work() as uow:
        record = uow.conversations.get_for_update("web", user)
    return None if record is None else record.dialog


def test_the_web_chat_takes_nothing_before_the_owner_agrees(
    container: Container, http: httpx.Client
) -> None:
    owner = Browser(http, container)
    first = owner.say("报案")
    assert len(first) == 1
    notice = first[0]
    assert notice["text"].startswith("【个人信息处理告知】")
    for words in ("收集的信息", "用途", "保存期限：结案后保存 730 天", "谁能看到"):
        assert words in notice["text"]
    assert [c["value"] for c in notice["choices"]] == [AGREE, DECLINE, IN_ENGLISH]
    assert [c["label"] for c in notice["choices"]] == ["同意并继续", "不同意", "English"]
    link = URL.search(notice["text"])
    assert link is not None and link.group(0).endswith("/privacy?lang=zh_CN")

    # the plate is not taken, the report does not start, nothing is recorded
    again = owner.say("沪A12345")
    assert [m["text"][:10] for m in again] == [notice["text"][:10]]
    assert conversation_dialog(container, owner.user) is None
    assert consents(container, "web", owner.user) == []

    declined = owner.tap(DECLINE)
    assert declined[0]["text"].startswith("未经您的同意，我们无法在线受理报案")
    assert declined[1]["text"] == notice["text"]
    assert consents(container, "web", owner.user) == []

    agreed = owner.tap(AGREE)
    assert agreed[0]["text"] == f"已记录您的同意（告知版本 {NOTICE_VERSION}），谢谢。"
    [consent] = consents(container, "web", owner.user)
    assert (consent.version, consent.channel) == (NOTICE_VERSION, "web")
    assert consent.agreed_at == container.clock.now()

    # what the owner first wrote goes on: the report starts without being asked again
    assert [m["text"][:2] for m in agreed[1:]] == ["好的", "请输"]
    assert conversation_dialog(container, owner.user) == "report"
    assert len(consents(container, "web", owner.user)) == 1  # asked once


def test_the_notice_links_the_full_text_served_in_both_languages(
    container: Container, http: httpx.Client
) -> None:
    english = Browser(http, container, language="en-GB").say("hello")[0]
    assert english["text"].startswith("Privacy notice.")
    link = URL.search(english["text"])
    assert link is not None and link.group(0).endswith("/privacy?lang=en")
    path = link.group(0).split("/", 3)[3]
    page = http.get("/" + path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "How we handle your personal information" in page.text
    assert "730 days after the claim is closed" in page.text
    assert f"Version {NOTICE_VERSION}" in page.text
    chinese = http.get("/privacy", params={"lang": "zh_CN"})
    assert "个人信息处理规则" in chinese.text and "结案后保存 730 天" in chinese.text
    assert "敏感个人信息" in chinese.text
    assert http.get("/privacy", params={"lang": "x" * 11}).status_code == 422


def test_staff_bound_with_bind_are_not_asked(container: Container, http: httpx.Client) -> None:
    with container.database.unit_of_work() as uow:
        code, _ = create_invite(
            uow, role=StaffRole.ADJUSTER, name="王建国", now=container.clock.now(), region="上海"
        )
        uow.commit()
    adjuster = Browser(http, container)
    assert "绑定成功" in adjuster.say(f"/bind {code}")[0]["text"]
    cases = adjuster.say("/cases")
    assert not any(m["text"].startswith("【个人信息处理告知】") for m in cases)
    assert consents(container, "web", adjuster.user) == []


def test_a_telegram_owner_sees_the_notice_with_buttons_first(
    sqlite_database: Database, tmp_path: Path
) -> None:
    api = FakeBotApi(TOKEN)
    with api.running(), telegram_bot(sqlite_database, tmp_path, api, mode="webhook") as bot:
        api.before_update = None  # a real first contact: nobody agreed for this user
        user = api.user(7770001, language_code="zh-hans")
        notice = bot.turn(user, lambda: user.text("/start"))[-1]
        assert notice.text.startswith("【个人信息处理告知】")
        assert notice.values == [AGREE, DECLINE, IN_ENGLISH]
        assert bot.turn(user, lambda: user.text("/report"))[-1].values == [
            AGREE,
            DECLINE,
            IN_ENGLISH,
        ]
        agreed = bot.turn(user, lambda: user.tap(AGREE, notice))
        # One message: the consent recorded, then the /report sent before agreeing.
        assert agreed[0].text.startswith("已记录您的同意")
        assert "好的，开始报案" in "\n".join(m.text or "" for m in agreed)
        [consent] = consents(bot.container, "telegram", user.chat_id)
        assert (consent.version, consent.channel) == (NOTICE_VERSION, "telegram")


def test_a_wechat_follower_agrees_by_number(sqlite_database: Database, tmp_path: Path) -> None:
    with wechat_rig(sqlite_database, tmp_path / "media") as rig:
        rig.wechat.before_send = None  # a real first contact
        openid = "o-first-time-follower-01"
        rig.wechat.event(openid, "subscribe")
        rig.settle()
        notice = rig.api.texts(openid)[-1]
        assert notice.startswith("【个人信息处理告知】")
        assert rig.say(openid, "报案")[-1] == notice
        agreed = rig.say(openid, number_of(notice, "同意并继续"))
        assert agreed[0].startswith("已记录您的同意")
        assert agreed[1].startswith("好的，开始报案")  # the "报案" written before agreeing
        [consent] = consents(rig.container, "wechat", openid)
        assert (consent.version, consent.channel) == (NOTICE_VERSION, "wechat")
        assert consent.agreed_at.date() <= date.today()


def test_a_new_notice_version_asks_again_and_the_report_goes_on(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = Owner(container, "owner-version-01")  # agreed to the current version
    owner.text("/report")
    assert owner.text("沪A12345") == ["report.ask.check"]
    monkeypatch.setattr("dialogs.consent.NOTICE_VERSION", "2099-01")
    assert owner.text("8001") == ["consent.notice"]
    agreed = owner.choose(AGREE)  # the "8001" written before agreeing is taken
    assert agreed[:2] == ["consent.agreed", "report.policy_found"]
    versions = [c.version for c in consents(container, "web", owner.user_id)]
    assert versions == [NOTICE_VERSION, "2099-01"]


def test_an_owner_writing_chinese_on_an_english_device_is_answered_in_chinese(
    container: Container, http: httpx.Client
) -> None:
    owner = Browser(http, container, language="en-US")
    [notice] = owner.say("撞车了")
    assert notice["text"].startswith("【个人信息处理告知】")
    assert URL.search(notice["text"]).group(0).endswith("/privacy?lang=zh_CN")  # type: ignore[union-attr]
    assert [c["value"] for c in notice["choices"]] == [AGREE, DECLINE, IN_ENGLISH]
    agreed = owner.tap(AGREE)
    assert agreed[0]["text"].startswith("已记录您的同意")
    assert "好的，开始报案" in "\n".join(m["text"] for m in agreed)  # what they wrote, resumed


def test_the_notice_offers_the_other_language_and_words_ask_for_it(
    container: Container, http: httpx.Client
) -> None:
    owner = Browser(http, container, language="en-US")
    [notice] = owner.say("hello")
    assert notice["text"].startswith("Privacy notice.")
    assert [c["label"] for c in notice["choices"]][-1] == "中文"
    [chinese] = owner.tap(IN_CHINESE)
    assert chinese["text"].startswith("【个人信息处理告知】")
    [english] = owner.say("English")
    assert english["text"].startswith("Privacy notice.")
    [plate] = owner.say("沪A12345")  # a plate's province character is not Chinese writing
    assert plate["text"].startswith("Privacy notice.")
    assert owner.tap(AGREE)[0]["text"].startswith("Your agreement is recorded")


def test_once_agreed_chinese_words_do_not_change_the_language(
    container: Container, http: httpx.Client
) -> None:
    owner = Browser(http, container, language="en-US")
    owner.say("hello")
    owner.tap(AGREE)
    answer = owner.say("浦东新区世纪大道100号")  # an English speaker's typed address
    assert answer[0]["text"].startswith("Sorry, I didn't quite get that.")
