"""WeChat has no buttons to take off: a typed number answers the newest numbered list,
never an older one still higher up in the chat."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from tests.wechat.rig import number_of, wechat_rig

OWNER = "oOWNER_newest_list_00000001"


def test_a_number_answers_the_newest_list(sqlite_database: Database, tmp_path: Path) -> None:
    with wechat_rig(sqlite_database, tmp_path / "media") as rig:
        rig.wechat.event(OWNER, "subscribe")
        rig.settle()
        menu = rig.api.texts(OWNER)[-1]
        rig.wechat.event(OWNER, "CLICK", "REPORT")
        rig.settle()
        rig.say(OWNER, "沪A12345")
        time_question = rig.say(OWNER, "8001")[-1]
        now = rig.container.catalogs.render("zh_CN", "choice.now")
        number = number_of(time_question, now)
        assert f"{number}. " in menu  # the same number meant something else in the menu
        assert number_of(menu, rig.container.catalogs.render("zh_CN", "intent.choice.report"))
        answers = rig.say(OWNER, number)
        assert "位置" in answers[-1]  # "刚刚" taken: the place is asked next
