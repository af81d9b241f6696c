"""Plain words through the real engine: plates in any spacing, times, yes/no in words and
amounts as people write them (the phrases quoted from owners and staff)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.bootstrap import Container
from tests.engine_harness import Owner
from tests.test_adjudication_engine import NUMBER, Party, file_report, invite, stored

SHANGHAI = ZoneInfo("Asia/Shanghai")


def draft_of(container: Container, owner: Owner) -> dict[str, Any]:
    with container.database.unit_of_work() as uow:
        record = uow.conversations.get_for_update("web", owner.user_id)
    assert record is not None
    draft: dict[str, Any] = record.slots["draft"]
    return draft


def test_an_owner_answers_in_plain_words(container: Container) -> None:
    owner = Owner(container)
    owner.text("/report")
    assert owner.text("沪a 123 45") == ["report.ask.check"]
    owner.text("8001")
    # 10:00 now: "下午5点" is yesterday's, and the owner is told so.
    assert owner.text("下午5点") == ["report.time_assumed_yesterday", "report.ask.location"]
    owner.text("浦东新区世纪大道100号")
    owner.text("倒车时撞到护栏，后保险杠受损")
    replies = owner.text("没事")
    assert "report.error.yes_no" not in replies
    assert owner.text("能开") == ["report.ask.witnesses"]  # no other car: said before
    draft = draft_of(container, owner)
    assert draft["injuries"] is False and draft["drivable"] is True
    assert datetime.fromisoformat(draft["accident_at"]).strftime("%d %H:%M") == "24 17:00"


def test_a_yes_no_question_names_its_own_buttons(container: Container) -> None:
    owner = Owner(container)
    owner.text("/report")
    owner.text("沪A12345")
    owner.text("8001")
    owner.text("刚刚")
    owner.text("浦东新区世纪大道100号")
    owner.text("倒车时撞到护栏，后保险杠受损")
    owner.text("没人受伤")
    assert owner.text("也许吧") == ["report.error.yes_no", "report.ask.drivable"]
    assert "请点“能行驶”或“不能行驶”" in owner.rendered()[-2]
    assert owner.text("开不了") == ["report.ask.rescue"]


def test_can_drive_in_other_words(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos_described("倒车时后保险杠受损")
    owner.text("没事")
    assert owner.text("可以开") == ["report.ask.has_other"]
    assert draft_of(container, owner)["drivable"] is True


def test_an_adjuster_writes_amounts_and_times_as_people_do(container: Container) -> None:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    file_report(owner)
    adjuster.choose(f"c:take:{NUMBER}")
    adjuster.text(f"/survey {NUMBER} 现场 后天下午三点 黄浦区人民大道200号")
    survey = stored(container).adjudication.survey
    assert survey is not None and survey.at is not None
    assert survey.at == datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI)
    adjuster.text(f"/liability {NUMBER} 全责 单方事故")
    adjuster.text(f"/loss {NUMBER} 配件 后保险杠 2150.5元")
    adjuster.text(f"/loss {NUMBER} 工时 拆装 两千一百五")
    adjuster.text(f"/loss {NUMBER} 喷漆 后保险杠 1.2万")
    items = stored(container).adjudication.loss_items
    assert [item.amount.fen for item in items] == [215050, 215000, 1200000]


def test_not_knowing_is_an_answer_to_what_is_optional(container: Container) -> None:
    """"我不知道" at the optional step skips it (it is not a witness), and "不知道" asked
    the other car's insurer leaves the insurer out (it is not an insurer's name)."""
    owner = Owner(container)
    owner.report_until_photos_described("等红灯时被沪B67890追尾了，没人受伤，车还能开")
    assert owner.text("我不知道") == ["report.ask.evidence"]
    draft = draft_of(container, owner)
    assert draft["witnesses"] is None and sorted(draft["skipped"]) == ["police", "witnesses"]

    other = Owner(container, "owner-0002")
    other.report_until_photos_described("等红灯时被追尾了")
    assert other.choose("r:injuries:all_fine") == ["report.ask.other_plate"]
    assert other.text("沪B67890") == ["report.ask.other_insurer"]
    assert other.text("不知道") == ["report.ask.more_other"]
    [vehicle] = draft_of(container, other)["other_vehicles"]
    assert vehicle["plate"] == "沪B67890" and vehicle["insurer"] is None
