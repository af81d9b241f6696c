"""The owner's accident report, end to end through WeChat: the simulated WeChat server posts
to the real callback, the real wechatpy client answers through the fake WeChat API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storage.db import Database
from tests.wechat.rig import WeChatRig, number_of, wechat_rig

OWNER = "oOWNER_journey_000000000001"


def label(rig: WeChatRig, key: str, locale: str = "zh_CN") -> str:
    return rig.container.catalogs.render(locale, key)


def pick(rig: WeChatRig, last: str, key: str) -> list[str]:
    return rig.say(OWNER, number_of(last, label(rig, key)))


def report(rig: WeChatRig) -> str:
    """Follow, tap 报案, answer everything, send photos and a video, confirm: the claim number."""
    wechat = rig.wechat
    assert wechat.event(OWNER, "subscribe").text == "success"
    rig.settle()
    welcome = rig.api.texts(OWNER)
    assert welcome[0].startswith("您好") and "1. " in welcome[-1]

    assert wechat.event(OWNER, "CLICK", "REPORT").text == "success"
    rig.settle()
    assert "车牌" in rig.api.texts(OWNER)[-1]

    rig.say(OWNER, "沪A12345")
    answers = rig.say(OWNER, "8001")
    assert "PDAA20260001" in answers[0]
    answers = pick(rig, answers[-1], "choice.now")
    assert "位置" in answers[-1] and "“+”" in answers[-1]

    before = len(rig.api.texts(OWNER))
    wechat.location(OWNER, "31.2304", "121.4737", "上海市黄浦区人民大道200号")
    rig.settle()
    answers = rig.api.texts(OWNER)[before:]
    assert "人民大道" in answers[0]

    answers = rig.say(OWNER, "倒车时后保险杠受损")
    answers = pick(rig, answers[-1], "choice.injuries_no")
    answers = pick(rig, answers[-1], "choice.drivable_yes")
    answers = pick(rig, answers[-1], "choice.other_none")
    answers = pick(rig, answers[-1], "choice.skip")  # the optional items, together
    assert "拍照上传" in answers[-1]

    for n in range(3):
        rig.add_media(f"photo-{n}", "photo", seed=n)
        wechat.image(OWNER, f"photo-{n}")
    rig.add_media("clip-1", "video", seed=7)
    wechat.video(OWNER, "clip-1")
    rig.settle()
    answers = rig.api.texts(OWNER)
    assert any("1 段视频" in text for text in answers)

    assert answers[-1].startswith("请核对报案信息")  # the photos needed are in: the summary
    answers = pick(rig, answers[-1], "choice.confirm")
    match = re.search(r"报案号：(BA\d{13})", answers[0])
    assert match, answers
    return match.group(1)


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_a_report_through_wechat(database: Database, tmp_path: Path, mode: str) -> None:
    with wechat_rig(database, tmp_path / "media", mode=mode) as rig:
        number = report(rig)
        with rig.container.database.unit_of_work() as uow:
            claim = uow.claims.get(number)
        assert claim is not None
        location = claim.report.location
        assert location is not None and location.system.value == "gcj02"
        assert len(claim.report.evidence) == 4
        assert rig.api.templates_for(OWNER) == []  # every answer fit the window
        assert rig.api.user_info_calls == [OWNER]  # asked once, on first contact
        assert set(rig.outbox_statuses(OWNER)) == {"sent"}
