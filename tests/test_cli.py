"""The claimbot command line: migrate, import (idempotent), demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli.main import main
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


def _one_line_error(err: str, command: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"claimbot {command}: "), err
    return lines[0]


def test_serve_port_and_host_are_the_settings_everything_is_built_from(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    import bot.bootstrap
    from bot.links import public_base_url

    built: list[Any] = []
    real_build = bot.bootstrap.build

    def build(settings: Any, **kwargs: Any) -> Any:
        built.append(settings)
        return real_build(settings, **kwargs)

    ran: dict[str, Any] = {}
    monkeypatch.setattr(bot.bootstrap, "build", build)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: ran.update(kwargs))
    assert main(["migrate"]) == 0
    assert main(["serve", "--host", "127.0.0.2", "--port", "18080"]) == 0
    assert (ran["host"], ran["port"]) == ("127.0.0.2", 18080)
    assert "mask_personal_data" in ran["log_config"]["filters"]  # logs masked (security.md)
    assert ran["log_config"]["formatters"]  # text logs: uvicorn's own format (not JSON)
    assert public_base_url(built[0]) == "http://127.0.0.2:18080"  # the owners' status links


def test_token_create_prints_the_base_serve_was_given(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["token", "create", "--scope", "insurer", "--port", "18080"]) == 0
    assert "http://127.0.0.1:18080/api/claims" in capsys.readouterr().out


def _policy_without_vehicle(env: Path) -> Path:
    data = yaml.safe_load(DIRECTORY.read_text(encoding="utf-8"))
    del data["policies"][0]["vehicle"]
    path = env / "no-vehicle.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file"),
        ("policies: [\n  - number: [", "not valid YAML at line"),
        ("policies: 5\n", "policies: a list is expected"),
        ("- a list\n", "a mapping with policies, adjusters, shops is expected"),
        ("", "a mapping with policies, adjusters, shops is expected"),
        ("vehicle", "a mapping with policies, adjusters, shops is expected"),
    ],
)
def test_import_of_a_bad_file_says_why_in_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], content: str | None, reason: str
) -> None:
    assert main(["migrate"]) == 0
    path = env / "directory.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(path)]) == 2
    line = _one_line_error(capsys.readouterr().err, "import")
    assert reason in line


def test_import_of_a_policy_without_its_vehicle_names_the_entry_and_imports_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["import", str(_policy_without_vehicle(env))]) == 2
    line = _one_line_error(capsys.readouterr().err, "import")
    assert "policies[0]: missing 'vehicle'" in line
    assert main(["import", "--if-empty", str(DIRECTORY)]) == 0  # nothing was half-imported
    assert json.loads(capsys.readouterr().out)["policies"]["created"] == 2


def test_report_to_a_missing_directory_or_for_an_unknown_shop_is_refused(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["import", str(DIRECTORY)]) == 0
    capsys.readouterr()
    target = env / "missing" / "x.html"
    assert main(["report", "--since", "2026-11-01", "--output", str(target)]) == 2
    assert "cannot write" in _one_line_error(capsys.readouterr().err, "report")
    assert main(["report", "--since", "2026-11-01", "--shop", "NOPE"]) == 2
    assert _one_line_error(capsys.readouterr().err, "report") == "claimbot report: no shop 'NOPE'"
    assert main(["report", "--since", "2026-13-01"]) == 2
    assert _one_line_error(capsys.readouterr().err, "report") == (
        "claimbot report: --since: not a date (YYYY-MM-DD): 2026-13-01"
    )
    assert main(["report", "--since", "2026-11-01", "--until", "soon"]) == 2
    assert _one_line_error(capsys.readouterr().err, "report") == (
        "claimbot report: --until: not a date (YYYY-MM-DD): soon"
    )


def test_a_shops_csv_report_has_no_claim_figures(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["import", str(DIRECTORY)]) == 0
    capsys.readouterr()
    args = ["report", "--since", "2026-11-01", "--until", "2026-11-30", "--format", "csv"]
    assert main([*args, "--shop", "SHOP-PD-01"]) == 0
    sections = {line.split(",")[0] for line in capsys.readouterr().out.splitlines()[1:]}
    assert "window" in sections and sections <= {"window", "shop"}
    assert main(args) == 0
    sections = {line.split(",")[0] for line in capsys.readouterr().out.splitlines()[1:]}
    assert {"claims", "cycle", "response", "sla"} <= sections
