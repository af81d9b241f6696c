"""`claimbot staff invite` prints a one-time code that binds whoever sends it, once."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bootstrap import build
from bot.cli.main import main
from bot.settings import Settings
from tests.engine_harness import DIRECTORY, Owner
from tests.fakes import FixedClock


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("CLAIMBOT_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_invite_binds_once(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert main(["import", str(DIRECTORY)]) == 0
    capsys.readouterr()
    args = ["staff", "invite", "--role", "adjuster", "--name", "王建国", "--code", "ADJ-SH-01"]
    assert main(args) == 0
    out = capsys.readouterr().out
    match = re.search(r"/bind (\S+)", out)
    assert match is not None and "ADJ-SH-01" in out
    code = match.group(1)
    clock = FixedClock(datetime.now(UTC))
    container = build(Settings(), clock=clock)
    try:
        person = Owner(container, user_id="cli-adjuster-01")
        other = Owner(container, user_id="cli-someone-else")
        assert person.text(f"/bind {code}") == ["claims.adjuster.bound"]
        assert other.text(f"/bind {code}") == ["claims.refusal.invalid_invite"]
        assert person.text("/cases") == ["claims.adjuster.cases"]
    finally:
        container.close()


def test_only_known_roles_and_sensible_names(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    for bad in (["--role", "shop", "--name", "x"], ["--role", "adjuster", "--name", " "]):
        with pytest.raises(SystemExit) as exit_info:
            main(["staff", "invite", *bad])
        assert exit_info.value.code == 2
