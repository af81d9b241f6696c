"""Every message key exists in every locale, and every template compiles and renders."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from jinja2 import Environment, UndefinedError

from dialogs import report
from dialogs.report.codec import draft_to_json
from domain.report import ReportDraft
from locales.catalog import Catalogs, MissingMessage

CATALOGS = Catalogs(ZoneInfo("Asia/Shanghai"))


def test_zh_cn_is_there_and_locales_have_the_same_keys() -> None:
    assert set(CATALOGS.locales) == {"zh_CN", "en"}
    assert CATALOGS.keys("zh_CN") == CATALOGS.keys("en")


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_template_compiles(locale: str) -> None:
    env = Environment()
    for key in CATALOGS.keys(locale):
        env.parse(CATALOGS.source(locale, key))


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("step", [*report.STEP_HANDLERS, report.MENU])
def test_every_question_renders(locale: str, step: str) -> None:
    from dialogs.conversation import Conversation

    conv = Conversation(party_id=1, locale=locale, dialog=report.NAME, state="collecting")
    conv.slots = {"draft": draft_to_json(ReportDraft()), "step": step}
    for message in report.reprompt(conv):
        assert CATALOGS.render(locale, message.key, message.params)
        for choice in message.choices:
            assert CATALOGS.render(locale, choice.label_key, choice.params)


def test_a_missing_key_or_parameter_fails_loudly() -> None:
    with pytest.raises(MissingMessage):
        CATALOGS.render("en", "no.such.key")
    with pytest.raises(UndefinedError):
        CATALOGS.render("en", "report.error.too_long", {})


def test_lexicon_merges_both_languages() -> None:
    words = CATALOGS.words()
    assert {"yes", "是"} <= words["yes"]
    assert {"now", "刚刚"} <= words["now"]
