"""What scheduler/ mirrors from the layers it may not import, and the message catalogs."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import scheduler_config
from bot.settings import Settings
from dialogs import report
from dialogs.registry import REGISTRY
from locales.catalog import Catalogs
from messages.outbound import Choice, Outbound
from scheduler.reminders import KEY_MAINTENANCE, KEY_REPORT_NUDGE

CATALOGS = Catalogs(ZoneInfo("Asia/Shanghai"))


def test_payloads_have_the_shape_of_outbound() -> None:
    message = Outbound("k", {"a": 1}, (Choice("v", "label", {"b": 2}),))
    assert Outbound.from_payload(message.to_payload()) == message


def test_the_report_dialog_names_match() -> None:
    """The scheduler is given the report's unfinished states from the dialogs' registry."""
    # every step, the summary and the resume offer; "collecting" for reports stored before
    # the steps were states
    unfinished = {*report.STEPS, report.SUMMARY, report.RESUME, report.COLLECTING}
    assert REGISTRY.unfinished()[report.NAME] == unfinished
    given = scheduler_config(Settings()).report
    assert given is not None and (given.name, given.states) == (report.NAME, unfinished)


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


def test_mute_reaches_the_reminder_settings_of_the_port_and_changes_no_dialog() -> None:
    from messages.inbound import InboundKind
    from tests.dialogs.driver import DialogDriver

    driver = DialogDriver(locale="en")
    replies = driver.send(InboundKind.COMMAND, "/mute")
    assert [r.key for r in replies][:1] == ["reminders.muted"]
    assert driver.uow.reminders.muted == {driver.conv.party_id: True}
    assert driver.conv.dialog is None
