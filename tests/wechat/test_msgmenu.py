"""Choices as WeChat menu messages (``CLAIMBOT_WECHAT_MSGMENU``): sent as one msgmenu
message, a tap (text with ``bizmsgmenuid``) answers the choice it stands for; with the
setting off, numbered text as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storage.db import Database
from tests.engine_harness import Owner
from tests.media_samples import jpeg_bytes
from tests.wechat.rig import WeChatRig, number_of, wechat_rig

OWNER = "oOWNER_msgmenu_00000000001"
ADJUSTER = "oADJ_chenjing"  # ADJ-SH-02, pre-bound to WeChat by the sample directory


def label(rig: WeChatRig, key: str, **params: Any) -> str:
    return rig.container.catalogs.render("zh_CN", key, params)


def item(menu: dict[str, Any], content: str) -> dict[str, str]:
    found = [entry for entry in menu["list"] if entry["content"] == content]
    assert len(found) == 1, (content, menu)
    return dict(found[0])


def tap(rig: WeChatRig, openid: str, entry: dict[str, str]) -> list[str]:
    """Tap a menu item; the new texts and menu heads sent back, in order."""
    before = len(rig.api.messages)
    assert rig.wechat.tap(openid, entry).text == "success"
    rig.settle()
    return [
        m["text"]["content"] if m["msgtype"] == "text" else m["msgmenu"]["head_content"]
        for m in rig.api.messages[before:]
        if m["touser"] == openid and m["msgtype"] in ("text", "msgmenu")
    ]


def follow_and_report(rig: WeChatRig) -> dict[str, Any]:
    """Follow, tap 报案, give the plate and policy: the menu asking when it happened."""
    assert rig.wechat.event(OWNER, "subscribe").text == "success"
    assert rig.wechat.event(OWNER, "CLICK", "REPORT").text == "success"
    rig.settle()
    rig.say(OWNER, "沪A12345")
    rig.say(OWNER, "8001")
    return rig.api.msgmenus(OWNER)[-1]


def test_choices_go_as_one_menu_message_and_a_tap_answers(
    database: Database, tmp_path: Path
) -> None:
    with wechat_rig(database, tmp_path / "media", msgmenu=True) as rig:
        menu = follow_and_report(rig)
        assert "PDAA20260001" in rig.api.texts(OWNER)[-1]  # the policy, then the question
        assert "时候" in menu["head_content"]
        assert "1. " not in menu["head_content"]  # the choices are the items, not lines
        assert menu["tail_content"] == "（也可以回复序号）"
        now = item(menu, label(rig, "choice.now"))
        assert [entry["id"].isdigit() for entry in menu["list"]] == [True] * len(menu["list"])
        # One customer-service message for the policy answer: counted once, like the text.
        assert rig.api.kinds(OWNER)[-1] == "msgmenu"

        answers = tap(rig, OWNER, now)
        assert "位置" in answers[-1] and "“+”" in answers[-1]


def test_a_tap_on_an_older_menu_is_not_taken_for_the_newest_one(
    database: Database, tmp_path: Path
) -> None:
    with wechat_rig(database, tmp_path / "media", msgmenu=True) as rig:
        old = follow_and_report(rig)
        tap(rig, OWNER, item(old, label(rig, "choice.now")))
        rig.wechat.location(OWNER, "31.2304", "121.4737", "上海市黄浦区人民大道200号")
        rig.settle()
        rig.say(OWNER, "倒车时后保险杠受损")
        before = rig.api.msgmenus(OWNER)[-1]
        assert before != old and item(before, label(rig, "choice.injuries_no"))

        # The first item of the old menu, tapped now: the same place in the newest menu
        # must not be answered; the owner is told the button is no longer current.
        answers = tap(rig, OWNER, old["list"][0])
        assert answers[0] == label(rig, "input.stale_choice")
        assert rig.api.msgmenus(OWNER)[-1]["head_content"] == before["head_content"]


def test_a_made_up_or_foreign_item_id_answers_nothing(database: Database, tmp_path: Path) -> None:
    with wechat_rig(database, tmp_path / "media", msgmenu=True) as rig:
        menu = follow_and_report(rig)
        for made_up in ("x1", "1", "999999901", menu["list"][0]["id"][:-2] + "99"):
            answers = tap(rig, OWNER, {"id": made_up, "content": "现在"})
            assert answers[0] == label(rig, "input.stale_choice"), made_up


def test_a_typed_number_still_answers_the_menu(database: Database, tmp_path: Path) -> None:
    with wechat_rig(database, tmp_path / "media", msgmenu=True) as rig:
        menu = follow_and_report(rig)
        number = str(menu["list"].index(item(menu, label(rig, "choice.now"))) + 1)
        before = len(rig.api.messages)
        rig.wechat.text(OWNER, number)
        rig.settle()
        assert any("“+”" in str(m) for m in rig.api.messages[before:])


def test_a_paged_adjuster_takes_the_claim_by_tapping_the_cards_item(
    database: Database, tmp_path: Path
) -> None:
    with wechat_rig(database, tmp_path / "media", msgmenu=True) as rig:
        rig.say(ADJUSTER, "/help")  # the adjuster's own turn comes first
        owner = Owner(rig.container, user_id="owner-web-0001")
        owner.report_until_photos()
        owner.photos([jpeg_bytes(seed=n) for n in range(3)])
        assert owner.choose("r:summary:confirm") == ["report.filed"]
        with rig.container.database.unit_of_work() as uow:
            (claim,) = uow.claims.for_owner(uow.parties.resolve("web", owner.user_id).id)
        rig.settle()

        card = rig.api.msgmenus(ADJUSTER)[-1]
        assert card["head_content"].startswith(f"新报案 {claim.number}")
        take = item(card, label(rig, "claims.choice.take", number=claim.number))
        answers = tap(rig, ADJUSTER, take)
        assert answers[0].startswith(f"您已接案 {claim.number}")
        with rig.container.database.unit_of_work() as uow:
            taken = uow.claims.get(claim.number)
        assert taken is not None and taken.adjuster_id is not None


def test_without_the_setting_choices_are_numbered_text(database: Database, tmp_path: Path) -> None:
    with wechat_rig(database, tmp_path / "media") as rig:
        assert rig.wechat.event(OWNER, "subscribe").text == "success"
        assert rig.wechat.event(OWNER, "CLICK", "REPORT").text == "success"
        rig.settle()
        rig.say(OWNER, "沪A12345")
        answers = rig.say(OWNER, "8001")
        assert number_of(answers[-1], label(rig, "choice.now"))
        assert rig.api.msgmenus(OWNER) == []
        assert "msgmenu" not in rig.api.kinds(OWNER)
