"""Fewer turns, through the real engine: facts said in the description are taken and
confirmed in one line, one card asks the rest, the optional items are one skippable step,
and the report moves on by itself once the photos needed are in."""

from __future__ import annotations

from typing import Any

from bot.bootstrap import Container
from messages.inbound import InboundKind
from tests.engine_harness import Owner
from tests.media_samples import jpeg_bytes

PLACE = {"lat": 31.2304, "lon": 121.4737}


class CountingOwner(Owner):
    """An owner whose every message or tap is counted as one action."""

    actions = 0

    def send(self, kind: InboundKind, text: str = "", **extra: Any) -> list[str]:
        self.actions += 1
        return super().send(kind, text, **extra)


def photos() -> list[bytes]:
    return [jpeg_bytes(seed=n) for n in range(3)]


def claim_report(container: Container) -> Any:
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get("BA2026112500001")
    assert claim is not None
    return claim.report


def test_the_simplest_report_takes_at_most_eight_owner_actions(container: Container) -> None:
    owner = CountingOwner(container)
    assert owner.text("撞车了") == ["report.started", "report.ask.plate"]
    owner.text("沪A12345")
    owner.text("8001")
    owner.text("刚刚")
    owner.send(InboundKind.LOCATION, payload=PLACE)
    told = owner.text("倒车时撞到护栏，后保险杠受损，没人受伤，车还能开")
    assert told == ["report.facts_understood", "report.ask.witnesses"]
    assert owner.rendered()[-2] == (
        "我理解为：无人受伤、车辆可行驶、没有其他车辆。如果不对，请点“不对，修改”。"
    )
    assert owner.photos(photos()) == ["report.evidence_received", "report.summary"]
    assert owner.choose("r:summary:confirm") == ["report.filed"]
    assert owner.actions <= 8
    report = claim_report(container)
    assert (report.injuries, report.drivable, report.other_vehicles) == (False, True, [])


def test_an_owner_who_only_taps_reports_in_eight_actions(container: Container) -> None:
    """Reporting at the scene: the location shared when asked the time is the place, and
    the time is now (stated, to be changed if wrong); the card, the photos, one tap."""
    owner = CountingOwner(container)
    Owner.send(owner, InboundKind.EVENT, payload={"event": "open"})  # the chat opened: the menu
    owner.choose("start:report")
    owner.text("沪A12345")
    owner.text("8001")
    here = owner.send(InboundKind.LOCATION, payload=PLACE)
    assert here == ["report.location_saved", "report.time_taken_now", "report.ask.description"]
    assert owner.rendered()[-2] == (
        "事故时间记为刚刚（2026年11月25日 10:00）。如果不是刚刚发生的，请点“选择其他项目”修改时间。"
    )
    owner.text("倒车时撞到路边护栏，后保险杠受损")
    assert owner.choose("r:injuries:all_fine") == ["report.ask.witnesses"]
    assert owner.photos(photos()) == ["report.evidence_received", "report.summary"]
    assert owner.choose("r:summary:confirm")[0] == "report.filed"
    assert owner.actions == 8
    report = claim_report(container)
    assert report.accident_at == container.clock.now()
    assert (report.location.lat, report.location.lon) == (PLACE["lat"], PLACE["lon"])


def test_a_location_shared_after_the_time_leaves_the_time_alone(container: Container) -> None:
    owner = Owner(container)
    owner.text("/report")
    owner.text("沪A12345")
    owner.text("8001")
    owner.text("昨晚八点半")
    assert owner.send(InboundKind.LOCATION, payload=PLACE) == [
        "report.location_saved",
        "report.ask.description",
    ]


def test_the_time_question_offers_the_location_button(container: Container) -> None:
    owner = Owner(container)
    owner.text("/report")
    owner.text("沪A12345")
    owner.text("8001")
    with container.database.unit_of_work() as uow:
        asked = uow.outbox.for_chat("web", owner.user_id, 0)[-1].payload
    assert asked["key"] == "report.ask.time" and asked["request_location"] is True


def test_one_card_asks_what_the_description_did_not_say(container: Container) -> None:
    owner = CountingOwner(container)
    owner.report_until_photos_described("等红灯时被沪B 67890追尾，后保险杠受损")
    assert "我理解为：对方车辆 沪B67890" in owner.rendered()[-2]
    card = owner.rendered()[-1]
    assert card.startswith("请确认现场情况：有人受伤吗？车还能开吗？")
    assert "有其他车辆吗" not in card  # already said
    assert owner.choose("r:injuries:all_fine") == ["report.ask.witnesses"]
    owner.photos(photos())
    owner.choose("r:summary:confirm")
    report = claim_report(container)
    assert report.injuries is False and report.drivable is True
    assert [v.plate for v in report.other_vehicles] == ["沪B67890"]


def test_a_car_said_in_the_description_is_not_asked_about_again(container: Container) -> None:
    """"被追尾了" names no plate but says there was another car: the card does not ask
    whether there was one, and its plate is asked next."""
    owner = CountingOwner(container)
    owner.report_until_photos_described("等红灯时被追尾了，后保险杠受损")
    assert owner.rendered()[-2] == "我理解为：有其他车辆。如果不对，请点“不对，修改”。"
    card = owner.rendered()[-1]
    assert "有其他车辆吗" not in card
    labels = [c for c in card.splitlines() if c.startswith("都没有")]
    assert owner.choose("r:injuries:all_fine") == ["report.ask.other_plate"]
    assert labels == [] or "无其他车辆" not in labels[0]
    owner.text("沪B67890")
    owner.choose("r:other_insurer:skip")
    owner.choose("r:more_other:no")
    owner.photos(photos())
    owner.choose("r:summary:confirm")
    report = claim_report(container)
    assert [v.plate for v in report.other_vehicles] == ["沪B67890"]


def test_a_wrong_reading_of_another_car_is_undone(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos_described("等红灯时被追尾了，后保险杠受损")
    assert owner.choose("r:facts:facts_wrong") == ["report.ask.injuries"]
    assert "有其他车辆吗" in owner.rendered()[-1]


def test_the_card_takes_the_facts_in_words(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos_described("倒车时后保险杠受损")
    assert owner.text("没人受伤，车能开，没有其他车") == ["report.ask.witnesses"]


def test_a_wrong_reading_is_corrected_by_one_tap(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos_described("倒车时撞到护栏，没人受伤，车还能开")
    assert owner.choose("r:facts:facts_wrong") == ["report.ask.injuries"]
    assert owner.choose("r:injuries:yes") == ["report.injuries_urgent", "report.ask.drivable"]


def test_the_optional_items_are_one_skippable_step(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos_described("倒车时撞到护栏，没人受伤，车还能开")
    assert owner.text("目击者 张伟 13800138000") == ["report.ask.evidence"]
    assert owner.photos(photos()) == ["report.evidence_received", "report.summary"]
    summary = owner.rendered()[-1]
    assert "目击者：目击者 张伟 13800138000" in summary and "报警编号：无" in summary


def test_a_police_number_typed_at_the_optional_step_is_kept_as_one(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos_described("倒车时撞到护栏，没人受伤，车还能开")
    owner.text("沪公交认字[2026]第00123号")
    owner.photos(photos())
    assert "报警编号：沪公交认字[2026]第00123号" in owner.rendered()[-1]
