"""``claimbot import`` of the repair price list: idempotent, and a bad list says where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
PRICE_LIST = ROOT / "examples" / "price_list.yaml"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_import_the_example_price_list_twice(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["import", str(PRICE_LIST)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["parts"]["created"] == 11 and first["car_classes"]["created"] == 3
    assert main(["import", str(PRICE_LIST)]) == 0
    second = json.loads(capsys.readouterr().out)
    assert all(counts["created"] == counts["updated"] == 0 for counts in second.values())


def test_a_part_without_its_labour_price_is_named_and_nothing_is_imported(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    text = PRICE_LIST.read_text(encoding="utf-8").replace(
        'economy: {part: "780.00", labour: "150.00", paint: "450.00"}',
        'economy: {part: "780.00", paint: "450.00"}',
    )
    bad = env / "prices.yaml"
    bad.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert "price_list.parts[0]: prices.economy: labour is missing" in err
    assert main(["import", str(PRICE_LIST)]) == 0  # nothing half-imported before
    assert json.loads(capsys.readouterr().out)["parts"]["created"] == 11
