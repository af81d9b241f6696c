"""docs/extending.md's worked example runs as written: its module, its registry line and
its catalogs, added to a registry for this test only."""

from __future__ import annotations

import re
import shutil
import types
from pathlib import Path
from typing import Any

import pytest

from dialogs.conversation import Conversation, TurnContext
from dialogs.lexicon import Lexicon
from dialogs.registry import REGISTRY, Registry
from dialogs.router import handle_turn
from locales.catalog import CATALOG_DIR, Catalogs
from messages.inbound import Inbound, InboundKind
from messages.outbound import Outbound
from tests.dialogs.driver import TZ
from tests.fakes import FakeUnitOfWork, FixedClock

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.DOTALL)


@pytest.fixture(scope="module")
def echo() -> Any:
    module = types.ModuleType("echo_example")
    exec(compile(_blocks("python")[0], "docs/extending.md", "exec"), module.__dict__)
    return module.ECHO


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> Catalogs:
    """The product's catalogs plus the page's two echo.yaml files."""
    directory = tmp_path_factory.mktemp("locales")
    shutil.copytree(CATALOG_DIR, directory, dirs_exist_ok=True)
    zh, en = _blocks("yaml")
    (directory / "zh_CN" / "echo.yaml").write_text(zh, encoding="utf-8")
    (directory / "en" / "echo.yaml").write_text(en, encoding="utf-8")
    return Catalogs(TZ, directory)


class Chat:
    def __init__(self, registry: Registry, catalogs: Catalogs, locale: str) -> None:
        self.registry, self.catalogs = registry, catalogs
        self.conv = Conversation(party_id=1, locale=locale)
        self.uow, self.clock, self.count = FakeUnitOfWork(), FixedClock(), 0

    def send(self, kind: InboundKind, text: str = "") -> list[Outbound]:
        self.count += 1
        now = self.clock.now()
        inbound = Inbound("test", "u1", "u1", str(self.count), kind, now, text)
        ctx = TurnContext(
            uow=self.uow,
            now=now,
            tz=TZ,
            lexicon=Lexicon(self.catalogs.words(), self.catalogs.tables()),
            locales=self.catalogs.locales,
            registry=self.registry,
        )
        replies = handle_turn(self.conv, inbound, ctx)
        for reply in replies:  # every reply renders in the chat's locale
            assert self.catalogs.render(self.conv.locale, reply.key, reply.params)
        return replies


def test_the_registry_line_is_the_real_one_plus_echo() -> None:
    source = (ROOT / "dialogs" / "registry.py").read_text(encoding="utf-8")
    (line,) = [text for text in source.splitlines() if text.startswith("DIALOGS:")]
    assert line.replace(")", ", ECHO)") in _blocks("python")[1]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_echo_starts_repeats_and_ends(echo: Any, catalogs: Catalogs, locale: str) -> None:
    chat = Chat(REGISTRY.with_dialog(echo), catalogs, locale)
    assert [r.key for r in chat.send(InboundKind.COMMAND, "/echo")] == ["echo.ask"]
    assert chat.conv.dialog == "echo"
    (said,) = chat.send(InboundKind.TEXT, "后保险杠")
    assert (said.key, said.params["text"]) == ("echo.said", "后保险杠")
    assert [r.key for r in chat.send(InboundKind.UNSUPPORTED)] == ["input.unsupported", "echo.ask"]
    assert [r.key for r in chat.send(InboundKind.COMMAND, "/help")] == ["help.idle", "echo.ask"]
    assert chat.conv.dialog == "echo"
    assert [r.key for r in chat.send(InboundKind.COMMAND, "/cancel")] == ["echo.done"]
    assert chat.conv.dialog is None


def test_echo_is_in_the_command_menu_with_a_description(echo: Any, catalogs: Catalogs) -> None:
    registry = REGISTRY.with_dialog(echo)
    assert "echo" in registry.command_menu() and "echo" not in REGISTRY.command_menu()
    for locale in catalogs.locales:
        for name in registry.command_menu():
            assert catalogs.render(locale, f"telegram.commands.{name}")


def test_without_the_line_echo_is_an_unknown_command(catalogs: Catalogs) -> None:
    chat = Chat(REGISTRY, catalogs, "en")
    assert chat.send(InboundKind.COMMAND, "/echo")[0].key == "command.unknown"
