"""Owner-facing Chinese names buttons, menu items and words, never slash commands; the
words it names work."""

from __future__ import annotations

import re

import pytest

from bot.bootstrap import Container
from locales.catalog import Catalogs
from tests.dialogs.driver import CATALOGS
from tests.engine_harness import Owner

# Messages only staff read (adjusters, shop staff, supervisors) may name commands.
STAFF_PREFIXES = (
    "claims.help.staff",
    "claims.usage.",
    "claims.adjuster.",
    "claims.handoff.",
    "claims.refusal.not_staff",
    "claims.refusal.not_taken",
    "claims.refusal.settlement_invalid",  # the adjuster's /settle refused
    "claims.supervisor.",
    "booking.shop.",
    "booking.help.staff",
    "booking.insurer.",
    "help.shop",
    "help.staff_prompt",
    "escalation.",
    "dashboard.",
    "telegram.",
    "wechat.",
    "command.",  # the answer to a typed slash command
    "adjudication.",
    "accident.card",  # the adjuster's record of the accident
    "accident.usage.",
    "accident.adjuster.",
    "claims.refusal.accident_invalid",  # the adjuster's record refused
    "settlement.error.own_damage_by_items",  # what the adjuster records next
    "settlement.error.unknown_party",
    "approval.card",  # the supervisor's card
    "claims.refusal.documents_",  # the adjuster's /settle or /paid waiting for documents
    "documents.checklist",  # the adjuster's view of the checklist
    "documents.none",
)
SLASH = re.compile(r"(?<![\w/:.])/[a-z]+")


def owner_keys(catalogs: Catalogs) -> list[str]:
    return sorted(k for k in catalogs.keys("zh_CN") if not k.startswith(STAFF_PREFIXES))


def test_owner_facing_chinese_names_no_slash_command() -> None:
    named = {
        key: SLASH.findall(CATALOGS.source("zh_CN", key))
        for key in owner_keys(CATALOGS)
        if SLASH.search(CATALOGS.source("zh_CN", key))
    }
    assert named == {}


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("帮助", "help.idle"),
        ("关闭提醒", "reminders.muted"),
        ("开启提醒", "reminders.unmuted"),
        ("我的预约", "booking.list_empty"),
        ("English", "lang.changed"),
    ],
)
def test_the_words_the_help_names_work(container: Container, said: str, answer: str) -> None:
    assert Owner(container).text(said)[0] == answer


def test_back_and_cancel_in_words_inside_a_report(container: Container) -> None:
    owner = Owner(container)
    owner.text("报案")
    owner.text("沪A12345")
    assert owner.text("返回") == ["report.ask.plate"]
    assert owner.text("取消") == ["report.confirm_cancel"]
    assert owner.choose("r:abandon:keep") == ["report.kept", "report.ask.plate"]
    assert owner.text("取消") == ["report.confirm_cancel"]
    assert owner.choose("r:abandon:abandon") == ["report.cancelled"]
