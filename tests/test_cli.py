"""The claimbot command line: migrate, import (idempotent), demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.engine_harness import DIRECTORY


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("CLAIMBOT_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return tmp_path


def test_migrate_then_import_twice_changes_nothing_the_second_time(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["import", str(DIRECTORY)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["policies"]["created"] == 2
    assert main(["import", str(DIRECTORY)]) == 0
    second = json.loads(capsys.readouterr().out)
    assert all(counts["created"] == counts["updated"] == 0 for counts in second.values())
    assert main(["import", "--if-empty", str(DIRECTORY)]) == 0
    assert "nothing imported" in capsys.readouterr().out


def test_demo_prints_the_three_parties_from_report_to_rating(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "owner> [Submit]" in out
    assert "Claim number: BA" in out
    assert "demo stopped" not in out
    for role in ("owner", "adjuster", "shop"):
        assert f"bot → {role}>" in out
    # every step of the script was understood: no refusal or usage text anywhere
    assert "Usage" not in out and "old message" not in out
