"""What scheduler/ mirrors from the layers it may not import, and the message catalogs."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dialogs import report
from dialogs.messages import Choice, Outbound
from locales.catalog import Catalogs
from scheduler.config import REPORT_DIALOG, REPORT_UNFINISHED_STATES
from scheduler.payloads import Button, outbound_payload
from scheduler.reminders import KEY_MAINTENANCE, KEY_REPORT_NUDGE

CATALOGS = Catalogs(ZoneInfo("Asia/Shanghai"))


def test_payloads_have_the_shape_of_outbound() -> None:
    ours = outbound_payload("k", {"a": 1}, [Button("v", "label", {"b": 2})])
    theirs = Outbound("k", {"a": 1}, (Choice("v", "label", {"b": 2}),)).to_payload()
    assert ours == theirs
    assert Outbound.from_payload(ours) == Outbound("k", {"a": 1}, (Choice("v", "label", {"b": 2}),))


def test_the_report_dialog_names_match() -> None:
    assert report.NAME == REPORT_DIALOG
    assert {report.COLLECTING, report.SUMMARY, report.RESUME} == set(REPORT_UNFINISHED_STATES)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_scheduler_message_renders(locale: str) -> None:
    started = datetime(2026, 11, 25, 2, 0, tzinfo=UTC).isoformat()
    for params in (
        {"started_at": started, "plate": "沪A12345"},
        {"started_at": started, "plate": None},
    ):
        assert "10:00" in CATALOGS.render(locale, KEY_REPORT_NUDGE, params)
    maintenance = {"plate": "沪A12345", "vehicle": "", "policy_number": "PD1", "months": 6}
    assert "沪A12345" in CATALOGS.render(locale, KEY_MAINTENANCE, maintenance)
    assert ("开启提醒" if locale == "zh_CN" else "/unmute") in CATALOGS.render(
        locale, "reminders.muted"
    )
    assert CATALOGS.render(locale, "reminders.unmuted")
    assert CATALOGS.render(locale, "reminders.unavailable")


def test_mute_without_a_reminder_store_says_so_and_changes_nothing() -> None:
    from dialogs.messages import InboundKind
    from tests.dialogs.driver import DialogDriver

    driver = DialogDriver(locale="en")
    replies = driver.send(InboundKind.COMMAND, "/mute")
    assert [r.key for r in replies][:1] == ["reminders.unavailable"]
    assert driver.conv.dialog is None
