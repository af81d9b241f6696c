"""The channels' menus and the router's dispatch come from the dialogs' registry."""

from __future__ import annotations

import pytest

from dialogs.registry import REGISTRY
from messages.inbound import InboundKind
from tests.dialogs.driver import CATALOGS, DialogDriver


def test_the_telegram_command_menu_is_the_registrys() -> None:
    assert REGISTRY.command_menu() == (
        "start",
        "report",
        "book",
        "status",
        "cancel",
        "back",
        "help",
        "lang",
    )


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_listed_command_and_menu_button_has_its_words(locale: str) -> None:
    for name in REGISTRY.command_menu():
        assert CATALOGS.render(locale, f"telegram.commands.{name}")
    for item in REGISTRY.channel_menu():
        assert CATALOGS.render(locale, item.label_key)


def test_every_menu_button_runs_a_command_a_dialog_owns() -> None:
    assert [item.key for item in REGISTRY.channel_menu()] == ["REPORT", "BOOK", "STATUS", "HUMAN"]
    for item in REGISTRY.channel_menu():
        assert REGISTRY.for_command(item.command) is not None


def test_no_two_dialogs_share_a_name_or_a_command() -> None:
    names = [d.name for d in REGISTRY.dialogs]
    assert len(set(names)) == len(names) and all(names)
    commands = [c for d in REGISTRY.dialogs for c in d.commands]
    assert len(set(commands)) == len(commands)


def test_the_status_menu_button_lists_the_owners_claims() -> None:
    driver = DialogDriver()
    driver.send(InboundKind.EVENT, payload={"key": "STATUS"})
    assert driver.keys == ["claims.owner.status_empty"]


def test_a_stale_button_says_so_in_a_typed_field() -> None:
    driver = DialogDriver()
    (stale, *_) = driver.choose("r:summary:confirm")  # never offered
    assert stale.key == "input.stale_choice" and stale.stale_choice
    assert not any(reply.stale_choice for reply in driver.replies[1:])
