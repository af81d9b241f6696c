"""快处快赔 with the other driver on WeChat: they join with the code, give their details,
pick by typing the numbers of the lists (WeChat has no buttons) and confirm; both get the
agreement's links. The owner reports on the web channel through the same engine."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from tests.quickdeal_support import OTHER_PHONE, OTHER_PLATE, report_two_cars
from tests.test_adjudication_engine import Party, outbox
from tests.wechat.rig import number_of, wechat_rig

OTHER = "oOTHER_driver"


def test_the_other_driver_settles_on_wechat_by_numbers(database: Database, tmp_path: Path) -> None:
    with wechat_rig(database, tmp_path / "media") as rig:
        owner = Party(rig.container, "owner-web-0001")
        assert report_two_cars(owner)[-1] == "quickdeal.offer"
        offer = outbox(rig.container, owner.user_id)[-1].payload
        (invite,) = offer["choices"]
        assert owner.choose(invite["value"]) == ["quickdeal.invitation"]
        params = outbox(rig.container, owner.user_id)[-1].payload["params"]
        code, number = params["code"], params["number"]

        assert rig.say(OTHER, "快处 WRONG222")[0].startswith("邀请码不正确")
        assert rig.say(OTHER, f"快处 {code}")[-1].startswith("请输入您的车牌号")
        rig.say(OTHER, OTHER_PLATE)
        rig.say(OTHER, OTHER_PHONE)
        listed = rig.say(OTHER, "人保财险")
        assert any(text.startswith("对方车主报案的事故情况") for text in listed)
        situations = listed[-1]
        cars = rig.say(OTHER, number_of(situations, "追尾"))[-1]
        assert cars.startswith("哪一方是后车？")
        assert rig.say(OTHER, number_of(cars, "我方车辆（沪B6**90）"))[-1].startswith("已记录")

        owner.choose(f"q:sit:{number}:rear_end")
        assert owner.choose(f"q:car:{number}:rear_end.b") == ["quickdeal.confirm"]
        rig.settle()
        confirm = rig.api.texts(OTHER)[-1]
        assert "甲方无责，乙方全责" in confirm and "您是乙方" in confirm
        assert owner.choose(f"q:ok:{number}") == ["quickdeal.confirmed_wait"]
        rig.settle()
        issued = rig.say(OTHER, number_of(rig.api.texts(OTHER)[-1], "确认无误"))[-1]
        assert "协议书》已出具" in issued
        assert f"/agreements/{number}.pdf?sig=" in issued
        assert owner.news()[-1] == "quickdeal.issued"
