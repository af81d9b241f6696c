"""The report dialog, turn by turn, on fakes: slot filling, validation, summary, filing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from dialogs import report
from domain.claim import ClaimStatus
from messages.inbound import InboundKind, MediaItem
from tests.dialogs.driver import CATALOGS, TZ, DialogDriver
from tests.fakes import SAMPLE_POLICY, FakePolicyRepository, FakeUnitOfWork


def step_of(driver: DialogDriver) -> str | None:
    return report.step_of(driver.conv)


def local_accident_time(driver: DialogDriver) -> str:
    at = datetime.fromisoformat(driver.conv.slots["draft"]["accident_at"])
    return at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def test_a_complete_report_gets_a_claim_number() -> None:
    d = DialogDriver()
    d.fill_report()
    assert d.keys == ["report.evidence_received", "report.summary"]
    assert "沪A12345" in d.texts[-1]
    d.choose("r:summary:confirm")
    assert d.keys == ["report.filed"]
    number = d.last.params["number"]
    assert number == "BA2026112500001"
    claim = d.uow.claims.get(number)
    assert claim is not None
    assert claim.status is ClaimStatus.REPORTED
    assert claim.policy_number == "PDAA20260001"
    assert len(claim.report.evidence) == 3
    assert [e.role.value for e in claim.report.evidence if e.role] == [
        "overview",
        "damage",
        "plate_vin",
    ]
    assert d.conv.dialog is None  # the conversation is free again
    assert number in d.texts[0]


def test_the_report_word_and_the_menu_key_start_a_report() -> None:
    d = DialogDriver()
    d.text("报案")
    assert d.keys == ["report.started", "report.ask.plate"]
    d2 = DialogDriver()
    d2.send(InboundKind.EVENT, payload={"key": "REPORT"})
    assert d2.keys == ["report.started", "report.ask.plate"]


def test_an_unknown_plate_and_a_wrong_check_get_one_answer() -> None:
    d = DialogDriver()
    d.text("/report")
    d.text("hello")
    assert d.keys == ["report.error.plate_format", "report.ask.plate"]
    d.text("京A99999")  # no policy: asked for the check all the same
    assert d.keys == ["report.ask.check"]
    d.text("8001")
    assert d.keys == ["security.verify.mismatch", "report.ask.check"]
    unknown = d.texts
    known = DialogDriver()
    known.text("/report")
    known.text("沪A12345")
    known.text("0000")
    assert known.texts == unknown  # word for word, tries left included
    known.text("PDAA20260001")
    assert known.keys[0] == "report.policy_found"
    assert known.keys[-1] == "report.ask.time"


def test_checks_pause_after_five_failures_even_when_the_plate_is_sent_again() -> None:
    d = DialogDriver()
    d.text("/report")
    d.text("沪A12345")
    for _ in range(4):
        d.text("1111")
    d.text("1111")
    assert d.keys == ["security.verify.locked", "report.ask.plate"]
    assert "核实已暂停至 2026年11月25日 11:00" in d.texts[0]
    d.text("沪A12345")
    assert d.keys == ["security.verify.locked", "report.ask.plate"]
    d.text("/cancel")
    d.text("/cancel")  # the second confirms giving the report up
    d.text("/report")
    d.text("沪A12345")
    assert d.keys == ["security.verify.locked", "report.ask.plate"]
    d.clock.advance(timedelta(minutes=61))
    d.text("沪A12345")
    assert d.keys == ["report.ask.check"]
    d.text("8001")
    assert d.keys[0] == "report.policy_found"


def test_one_sender_trying_many_plates_is_paused() -> None:
    uow = FakeUnitOfWork()
    for n in range(5):  # one plate per report: the sender's count goes on
        d = DialogDriver(uow=uow)
        d.text("/report")
        d.text(f"京A1000{n}")
        d.text("0000")
    assert d.keys == ["security.verify.locked", "report.ask.plate"]
    d.text("沪A12345")  # a plate never tried: the sender is paused
    assert d.keys == ["security.verify.locked", "report.ask.plate"]


@pytest.mark.parametrize(
    ("typed", "expected_local"),
    [
        ("14:30", "2026-11-25 14:30"),
        ("昨天 20:15", "2026-11-24 20:15"),
        ("yesterday 20:15", "2026-11-24 20:15"),
        ("11月24日 8点30", "2026-11-24 08:30"),
        ("2026-11-20 08:30", "2026-11-20 08:30"),
    ],
)
def test_accident_time_formats(typed: str, expected_local: str) -> None:
    d = DialogDriver()
    d.clock.current = d.clock.current.replace(hour=8)  # 16:00 in Shanghai
    d.fill_report(until="time")
    d.text(typed)
    assert d.keys == ["report.ask.location"]
    assert local_accident_time(d) == expected_local


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("2030-01-01 10:00", "report.error.time_in_future"),
        ("2020-01-01 10:00", "report.error.time_too_old"),
        ("2026-02-30 10:00", "report.error.time_format"),
        ("25:99", "report.error.time_format"),
        ("sometime", "report.error.time_format"),
    ],
)
def test_impossible_times_are_refused(typed: str, error: str) -> None:
    d = DialogDriver()
    d.fill_report(until="time")
    before = dict(d.conv.slots["draft"])
    d.text(typed)
    assert d.keys == [error, "report.ask.time"]
    assert d.conv.slots["draft"] == before


def test_injuries_make_the_claim_urgent_and_say_call_120() -> None:
    d = DialogDriver()
    d.fill_report(until="injuries")
    d.choose("r:injuries:yes")
    assert d.keys == ["report.injuries_urgent", "report.ask.drivable"]
    assert "120" in d.texts[0]
    d.choose("r:drivable:no")
    assert d.keys == ["report.ask.rescue"]
    d.choose("r:rescue:yes")
    assert d.keys == ["report.rescue_noted", "report.ask.has_other"]
    for action in (
        lambda: d.choose("r:has_other:none"),
        lambda: d.choose("r:witnesses:skip"),
        lambda: d.choose("r:police:skip"),
        lambda: d.photos(3),
        lambda: d.choose("r:evidence:done"),
    ):
        action()
    assert d.last.params["urgent"] is True
    d.choose("r:summary:confirm")
    claim = d.uow.claims.get(d.last.params["number"])
    assert claim is not None and claim.urgent
    assert d.last.params["urgent"] is True


def test_a_report_more_than_48_hours_late_is_accepted_and_flagged() -> None:
    d = DialogDriver()
    d.fill_report(until="time")
    d.text("2026-11-20 08:30")
    d.location(31.2, 121.4)
    for action in (
        lambda: d.text("倒车撞到护栏"),
        lambda: d.choose("r:injuries:no"),
        lambda: d.choose("r:drivable:yes"),
        lambda: d.choose("r:has_other:none"),
        lambda: d.choose("r:witnesses:skip"),
        lambda: d.choose("r:police:skip"),
        lambda: d.photos(3),
        lambda: d.choose("r:evidence:done"),
        lambda: d.choose("r:summary:confirm"),
    ):
        action()
    assert d.last.key == "report.filed"
    assert d.last.params["late"] is True
    assert "48" in d.texts[0]


def test_other_vehicles_with_plate_and_insurer() -> None:
    d = DialogDriver()
    d.fill_report(until="has_other")
    d.choose("r:has_other:yes")
    assert d.keys == ["report.ask.other_plate"]
    d.text("not a plate")
    assert d.keys == ["report.error.plate_format", "report.ask.other_plate"]
    d.text("沪C54321")
    assert d.keys == ["report.ask.other_insurer"]
    d.text("太平洋保险")
    assert d.keys == ["report.ask.more_other"]
    d.choose("r:more_other:yes")
    d.choose("r:other_plate:unknown")
    d.choose("r:other_insurer:skip")
    d.choose("r:more_other:no")
    assert d.keys == ["report.ask.witnesses"]
    assert d.conv.slots["draft"]["other_vehicles"] == [
        {"plate": "沪C54321", "insurer": "太平洋保险"},
        {"plate": "", "insurer": None},
    ]


def test_photos_say_which_kinds_are_still_wanted() -> None:
    d = DialogDriver()
    d.fill_report(until="photos")
    assert d.last.key == "report.ask.evidence"
    assert d.last.params["missing"] == ["overview", "damage", "plate_vin"]
    d.choose("r:evidence:menu")  # the menu is always offered
    d.choose("r:menu:evidence")
    d.text("完成")
    assert d.keys == ["report.error.need_photos", "report.ask.evidence"]
    d.photos(1)
    assert d.last.params["missing"] == ["damage", "plate_vin"]
    assert "r:evidence:done" not in d.offered
    d.send(InboundKind.MEDIA, media=(), rejected=("not_an_image",))
    assert "不是有效的图片" in d.texts[0]
    assert d.keys == ["report.evidence_received", "report.ask.evidence"]
    d.photos(2, start_id=200)  # the photos needed are in: on to the summary by itself
    assert d.keys == ["report.evidence_received", "report.summary"]


def test_any_order_through_the_menu_and_location_at_any_time() -> None:
    d = DialogDriver()
    d.text("/report")
    d.location(31.2304, 121.4737, label="上海市黄浦区南京东路")
    assert d.keys == ["report.location_saved", "report.ask.plate"]
    d.photos(3)
    assert d.keys == ["report.evidence_received", "report.ask.plate"]
    d.choose("r:plate:menu")
    assert d.keys == ["report.ask.menu"]
    d.choose("r:menu:description")
    d.text("停车时被剐蹭")
    # the next question is the first one still missing: the plate
    assert d.keys == ["report.ask.plate"]
    draft = d.conv.slots["draft"]
    assert draft["description"] == "停车时被剐蹭"
    assert draft["address"] == "上海市黄浦区南京东路"
    assert len(draft["evidence"]) == 3


def test_edit_from_the_summary_returns_to_the_summary() -> None:
    d = DialogDriver()
    d.fill_report()
    d.choose("r:summary:edit")
    assert d.keys == ["report.ask.menu"]
    d.choose("r:menu:description")
    d.text("其实是侧面剐蹭")
    assert d.keys == ["report.summary"]
    assert d.last.params["description"] == "其实是侧面剐蹭"


def test_back_goes_to_the_previous_question() -> None:
    d = DialogDriver()
    d.fill_report(until="description")
    d.text("/back")
    assert d.keys == ["report.ask.location"]
    d.text("/back")
    assert d.keys == ["report.ask.time"]
    d2 = DialogDriver()
    d2.text("/report")
    d2.text("/back")
    assert d2.keys == ["back.nothing", "report.ask.plate"]


def test_back_from_the_summary_reopens_the_last_question() -> None:
    d = DialogDriver()
    d.fill_report()
    d.text("/back")
    assert d.keys == ["report.ask.evidence"]


def test_cancel_drops_the_draft_and_files_nothing() -> None:
    d = DialogDriver()
    d.fill_report(until="photos")
    d.text("/cancel")
    assert d.keys == ["report.confirm_cancel"]  # asked first: "放弃本次报案？"
    assert d.offered == ["r:abandon:abandon", "r:abandon:keep"]
    d.choose("r:abandon:abandon")
    assert d.keys == ["report.cancelled"]
    assert d.conv.dialog is None
    assert d.uow.claims.claims == {}
    d.text("/cancel")
    assert d.keys == ["cancel.nothing", "intent.menu"]


def test_a_stale_button_changes_nothing() -> None:
    d = DialogDriver()
    d.fill_report()
    summary_buttons = list(d.offered)
    d.choose("r:summary:edit")
    before = dict(d.conv.slots)
    d.choose(summary_buttons[0])  # "confirm" from the old summary
    assert d.keys == ["input.stale_choice", "report.ask.menu"]
    assert d.uow.claims.claims == {}
    assert d.conv.slots["draft"] == before["draft"]


def test_numbered_replies_answer_the_offered_choices() -> None:
    d = DialogDriver()
    d.fill_report(until="injuries")
    d.text("3")  # the third button: no injuries (the first: all fine, the second: injured)
    assert d.conv.slots["draft"]["injuries"] is False
    assert d.keys == ["report.ask.drivable"]


def test_typed_yes_and_no_work_in_both_languages() -> None:
    d = DialogDriver()
    d.fill_report(until="injuries")
    d.text("没有")
    assert d.conv.slots["draft"]["injuries"] is False
    d.text("yes")
    assert d.conv.slots["draft"]["drivable"] is True


@pytest.mark.parametrize(
    ("action", "answer"),
    [
        (lambda d: d.text("x" * 10_000), "input.too_long"),
        (lambda d: d.send(InboundKind.UNSUPPORTED), "input.unsupported"),
        (lambda d: d.text("/frobnicate"), "command.unknown"),
        (lambda d: d.location(123.0, 500.0), "report.error.bad_location"),
        (lambda d: d.text("x" * 2500), "report.error.too_long"),
    ],
)
def test_bad_input_is_answered_and_changes_nothing(action, answer) -> None:  # type: ignore[no-untyped-def]
    d = DialogDriver()
    d.fill_report(until="description")
    before = {**d.conv.slots, "step": step_of(d)}
    action(d)
    assert d.keys == [answer, "report.ask.description"]
    assert d.conv.slots["draft"] == before["draft"]
    assert step_of(d) == before["step"]


def test_lang_switches_and_reasks_in_the_new_language() -> None:
    d = DialogDriver()
    d.fill_report(until="description")
    d.text("/lang en")
    assert d.keys == ["lang.changed", "report.ask.description"]
    assert d.conv.locale == "en"
    assert "Briefly describe" in d.texts[1]
    d.text("/lang xx")
    assert d.keys == ["lang.usage", "report.ask.description"]


def test_help_anywhere() -> None:
    d = DialogDriver()
    d.text("/help")
    assert d.keys == ["help.idle", "intent.menu"]
    d.fill_report(until="location")
    d.text("/help")
    assert d.keys == ["help.report", "report.ask.location"]


def test_a_silent_report_is_offered_for_resumption() -> None:
    d = DialogDriver()
    d.fill_report(until="description")
    d.clock.advance(timedelta(days=3))
    d.text("你好")
    assert d.keys == ["report.resume"]
    d.choose("r:resume:yes")
    assert d.keys == ["report.resumed", "report.ask.description"]
    assert d.conv.slots["draft"]["policy_number"] == "PDAA20260001"


def test_photos_sent_after_silence_are_kept_while_resumption_is_offered() -> None:
    d = DialogDriver()
    d.fill_report(until="photos")
    d.clock.advance(timedelta(days=2))
    d.photos(2)
    assert d.keys == ["report.evidence_received", "report.resume"]
    d.choose("r:resume:restart")
    assert d.keys[0] == "report.started"
    assert d.conv.slots["draft"]["policy_number"] is None


def test_the_resume_offer_counts_required_items_and_offers_to_submit_when_complete() -> None:
    d = DialogDriver()
    d.fill_report(until="description")
    d.text("/report")
    assert d.keys == ["report.resume"]
    # description, injuries, drivable, other vehicles, evidence: not the optional two
    assert "还差 5 项必填" in d.texts[0]
    assert d.last.choices[0].label_key == "choice.resume"
    d.choose("r:resume:cancel")
    d.fill_report()
    d.text("/report")
    assert "已填写完整，可以提交" in d.texts[0]
    assert d.last.choices[0].label_key == "choice.review"


def test_report_while_a_draft_exists_offers_to_continue() -> None:
    d = DialogDriver()
    d.fill_report(until="location")
    d.text("/report")
    assert d.keys == ["report.resume"]
    d.choose("r:resume:cancel")
    assert d.keys == ["report.cancelled"]


def test_photos_sent_before_starting_become_evidence() -> None:
    d = DialogDriver()
    d.photos(2)
    assert d.keys == ["idle.media_kept", "intent.menu"]
    d.choose("start:report")
    assert len(d.conv.slots["draft"]["evidence"]) == 2


def test_an_accident_outside_the_policy_period_is_refused_at_the_time_question() -> None:
    d = DialogDriver()
    d.fill_report(until="time")
    before = dict(d.conv.slots["draft"])
    d.text("2026-02-20 10:00")  # before the policy starts on 2026-03-01
    assert d.keys == ["report.error.policy_not_in_force", "report.ask.time"]
    assert "事故时间 2026年02月20日 10:00 不在保单有效期（2026-03-01 至" in d.texts[0]
    assert d.conv.slots["draft"] == before
    d.text("2026-11-25 09:00")
    assert d.keys == ["report.ask.location"]


def test_a_time_given_before_the_policy_is_checked_once_the_policy_is_verified() -> None:
    d = DialogDriver()
    d.text("/report")
    d.choose("r:plate:menu")
    d.choose("r:menu:time")
    d.text("2026-02-20 10:00")  # no policy yet: nothing to check it against
    assert d.keys == ["report.ask.plate"]
    d.text("沪A12345")
    d.text("8001")
    assert d.keys == [
        "report.policy_found",
        "report.error.policy_not_in_force",
        "report.ask.time",
    ]
    assert "保单有效期" in d.texts[1]


def _policy_valid(d: DialogDriver, valid_from: date, valid_to: date) -> None:
    """The insurer's directory changes the policy's period while the report is open."""
    changed = replace(SAMPLE_POLICY, valid_from=valid_from, valid_to=valid_to)
    d.uow.policies = FakePolicyRepository([changed])


def test_a_report_refused_at_confirm_uses_no_claim_number() -> None:
    d = DialogDriver()
    d.fill_report()
    _policy_valid(d, date(2026, 12, 1), date(2027, 11, 30))
    d.choose("r:summary:confirm")
    assert d.keys == ["report.error.policy_not_in_force", "report.ask.time"]
    assert "保单有效期（2026-12-01 至 2027-11-30）" in d.texts[0]
    assert d.uow.claims.claims == {}
    _policy_valid(d, SAMPLE_POLICY.valid_from, SAMPLE_POLICY.valid_to)
    d.choose("r:time:now")
    assert d.keys == ["report.summary"]
    d.choose("r:summary:confirm")
    assert d.last.params["number"] == "BA2026112500001"


def test_a_clock_time_not_reached_today_is_taken_as_yesterday() -> None:
    d = DialogDriver()  # 10:00 in Shanghai
    d.fill_report(until="time")
    d.text("14:30")  # the question's own example
    assert d.keys == ["report.time_assumed_yesterday", "report.ask.location"]
    assert "昨天 14:30" in d.texts[0]
    assert "2026年11月24日 14:30" in d.texts[0]
    assert local_accident_time(d) == "2026-11-24 14:30"


@pytest.mark.parametrize(
    ("typed", "expected_local"),
    [("10:04", "2026-11-25 10:04"), ("09:30", "2026-11-25 09:30")],
)
def test_a_clock_time_already_reached_today_stays_today(typed: str, expected_local: str) -> None:
    d = DialogDriver()  # 10:00 in Shanghai; 5 minutes ahead is tolerated
    d.fill_report(until="time")
    d.text(typed)
    assert d.keys == ["report.ask.location"]
    assert local_accident_time(d) == expected_local


def test_an_explicit_today_in_the_future_is_still_refused() -> None:
    d = DialogDriver()
    d.fill_report(until="time")
    d.text("今天 14:30")
    assert d.keys == ["report.error.time_in_future", "report.ask.time"]


def test_the_same_photo_twice_fills_one_role_and_counts_once() -> None:
    d = DialogDriver()
    d.fill_report(until="photos")
    d.photos(2)  # media 100 (overview), 101 (damage)
    d.send(InboundKind.MEDIA, media=(MediaItem(100, "photo"),))  # p0.jpg again
    assert d.keys == ["report.evidence_received", "report.ask.evidence"]
    assert d.replies[0].params["photos"] == 0
    assert d.replies[0].params["duplicates"] == 1
    assert d.texts[0] == "这个文件之前已经收到过，不重复计算。"
    assert d.last.params["missing"] == ["plate_vin"]  # still asked for
    assert d.last.params["photos"] == 2
    assert "r:evidence:done" not in d.offered
    evidence = d.conv.slots["draft"]["evidence"]
    assert [(e["media_id"], e["role"]) for e in evidence] == [(100, "overview"), (101, "damage")]
    d.choose("r:evidence:menu")
    d.choose("r:menu:evidence")
    d.text("完成")
    assert d.keys == ["report.error.need_photos", "report.ask.evidence"]


def test_an_upload_holding_one_file_twice_counts_it_once() -> None:
    d = DialogDriver(locale="en")
    d.fill_report(until="photos")
    album = tuple(MediaItem(n, "photo") for n in (300, 301, 300))
    d.send(InboundKind.MEDIA, media=album)
    assert d.replies[0].params["photos"] == 2
    assert d.texts[0] == (
        "Received 2 photo(s). This file was already received and is not counted again."
    )
    assert d.last.params["missing"] == ["plate_vin"]
    assert len(d.conv.slots["draft"]["evidence"]) == 2


def test_photos_kept_before_the_report_are_taken_once() -> None:
    d = DialogDriver()
    d.photos(2)
    d.photos(2)  # the same two files again
    d.choose("start:report")
    assert [e["media_id"] for e in d.conv.slots["draft"]["evidence"]] == [100, 101]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh_CN", "有文件类型不支持，没有收下。请发送照片（JPG/PNG）或视频（MP4/MOV）。"),
        (
            "en",
            "A file type is not supported and was not kept. "
            "Please send photos (JPG/PNG) or videos (MP4/MOV).",
        ),
    ],
)
def test_an_upload_with_nothing_kept_says_only_what_was_refused(locale: str, expected: str) -> None:
    d = DialogDriver(locale=locale)
    d.send(InboundKind.MEDIA, media=(), rejected=("unsupported_type",))
    assert d.keys == ["idle.media_kept", "intent.menu"]
    assert d.texts[0] == expected
    d.fill_report(until="photos")
    d.send(InboundKind.MEDIA, media=(), rejected=("unsupported_type",))
    assert d.keys == ["report.evidence_received", "report.ask.evidence"]
    assert d.texts[0] == expected


def test_sentences_about_received_and_refused_files_are_joined_without_a_space() -> None:
    d = DialogDriver()
    d.fill_report(until="photos")
    d.send(InboundKind.MEDIA, media=(MediaItem(400, "photo"),), rejected=("empty",))
    assert d.texts[0] == "已收到 1 张照片。有文件是空的，没有收下。"


def test_a_shared_location_keeps_a_typed_address_as_its_name() -> None:
    d = DialogDriver()
    d.fill_report(until="location")
    d.text("南京东路 100 号")
    d.location(31.2304, 121.4737)
    assert d.keys[0] == "report.location_saved"
    assert d.texts[0] == "已记录事故地点：南京东路 100 号（31.2304, 121.4737）。"
    assert d.conv.slots["draft"]["address"] == "南京东路 100 号"
    assert d.conv.slots["draft"]["location"]["lat"] == 31.2304
    d.location(31.2305, 121.4738, label="上海市黄浦区人民大道 200 号")
    assert d.conv.slots["draft"]["address"] == "南京东路 100 号"  # the owner's words
    assert d.conv.slots["draft"]["location"]["lat"] == 31.2305


def test_without_a_typed_address_a_shared_location_is_named_by_its_label() -> None:
    d = DialogDriver()
    d.fill_report(until="location")
    d.location(31.2305, 121.4738, label="上海市黄浦区人民大道 200 号")
    assert d.conv.slots["draft"]["address"] == "上海市黄浦区人民大道 200 号"
    assert "人民大道" in d.texts[0]


@pytest.mark.parametrize("typed", ["25:99", "1234", "2026-11-24 14:30", "  12 - 3 "])
def test_a_time_or_a_number_at_the_place_question_is_asked_again(typed: str) -> None:
    d = DialogDriver()
    d.fill_report(until="location")
    before = dict(d.conv.slots["draft"])
    d.text(typed)
    assert d.keys == ["report.error.address_not_place", "report.ask.location"]
    assert "不像地址" in d.texts[0]
    assert d.conv.slots["draft"] == before


def test_back_with_no_report_says_there_is_none() -> None:
    d = DialogDriver()
    d.text("/back")
    assert d.keys == ["back.no_report", "intent.menu"]
    assert "没有进行中的报案" in d.texts[0]


def test_the_resume_prompt_of_a_complete_report_says_it_is_ready() -> None:
    d = DialogDriver()
    d.fill_report()
    d.clock.advance(timedelta(days=1))
    d.text("你好")
    assert d.keys == ["report.resume"]
    assert "还差" not in d.texts[0]
    assert "可以提交" in d.texts[0]
    d.choose("r:resume:yes")
    assert d.keys == ["report.resumed", "report.summary"]


def _offered_resumption(locale: str = "zh_CN") -> DialogDriver:
    d = DialogDriver(locale=locale)
    d.fill_report(until="description")
    d.clock.advance(timedelta(days=1))
    d.text("你好")
    assert d.keys == ["report.resume"]
    return d


@pytest.mark.parametrize("typed", ["继续", "continue", "1"])
def test_resumption_can_be_typed_continue(typed: str) -> None:
    d = _offered_resumption()
    d.text(typed)
    assert d.keys == ["report.resumed", "report.ask.description"]


@pytest.mark.parametrize("typed", ["重新开始", "start over", "2"])
def test_resumption_can_be_typed_start_over(typed: str) -> None:
    d = _offered_resumption()
    d.text(typed)
    assert d.keys == ["report.started", "report.ask.plate"]
    assert d.conv.slots["draft"]["policy_number"] is None


@pytest.mark.parametrize("typed", ["取消", "Cancel", "3"])
def test_resumption_can_be_typed_cancel(typed: str) -> None:
    d = _offered_resumption()
    d.text(typed)
    assert d.keys == ["report.cancelled"]
    assert d.conv.dialog is None


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_anything_else_at_the_resume_prompt_says_what_to_type(locale: str) -> None:
    d = _offered_resumption(locale)
    d.text("追尾了")
    assert d.keys == ["report.error.resume_hint", "report.resume"]
    assert ("继续" if locale == "zh_CN" else "continue") in d.texts[0]
    assert d.conv.slots["draft"]["description"] is None


def test_a_skipped_witness_is_ticked_in_the_edit_menu() -> None:
    d = DialogDriver()
    d.fill_report()  # witnesses and police number skipped
    d.choose("r:summary:edit")
    ticks = {c.value: c.params["done"] for c in d.last.choices if c.params}
    assert ticks["r:menu:witnesses"] is True
    assert ticks["r:menu:police"] is True
    assert "✓ 目击者" in [CATALOGS.render("zh_CN", c.label_key, c.params) for c in d.last.choices]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_reply_of_a_full_report_renders(locale: str) -> None:
    d = DialogDriver(locale=locale)
    d.fill_report()
    d.choose("r:summary:confirm")
    assert d.texts and all(d.texts)
