"""``claimbot statement``: the calculator's fixed interface, on the example file and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.settings import Settings

EXAMPLE = Path(__file__).parent.parent / "examples" / "accident.yaml"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", f"sqlite:///{tmp_path}/never.db")
    monkeypatch.delenv("CLAIMBOT_JIAOQIANG_LIMITS", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return tmp_path


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["statement", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_example_file_settles_as_computed_by_hand(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _json(capsys, str(EXAMPLE))
    lines = {
        (line["payer"], line["coverage"], line["victim"], line["kind"], line["amount"])
        for line in document["lines"]  # type: ignore[attr-defined]
    }
    # B's 2,000.00 交强险 property limit: A's car 10,000.00 and towing 600.00 share it 100:6;
    # the rest by 70/30; A's 车损险 less its 500.00 deductible; the passenger by B's 交强险.
    assert lines == {
        ("A", "jiaoqiang_property", "B", "vehicle", "2000.00"),
        ("A", "third_party", "B", "vehicle", "700.00"),
        ("A", "own_damage", "A", "vehicle", "5179.25"),
        ("A", "rescue", "A", "rescue", "340.75"),
        ("B", "jiaoqiang_property", "A", "vehicle", "1886.79"),
        ("B", "jiaoqiang_property", "A", "rescue", "113.21"),
        ("B", "jiaoqiang_medical", "A", "medical", "3000.00"),
        ("B", "third_party", "A", "vehicle", "2433.96"),
        ("B", "third_party", "A", "rescue", "146.04"),
    }
    assert document["out_of_pocket"] == {"A": "500.00", "B": "300.00"}
    assert document["unpaid"] == {"A": "500.00", "B": "300.00"}
    assert document["receivables"] == []
    assert not (env / "never.db").exists()  # no database


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh_CN", ["赔付计算单", "交强险财产损失", "2,000.00 元", "绝对免赔额"]),
        (
            "en",
            ["Settlement statement", "compulsory insurance, property", "2,000.00", "deductible"],
        ),
    ],
)
def test_the_text_statement_is_in_the_chosen_language(
    env: Path, capsys: pytest.CaptureFixture[str], lang: str, words: list[str]
) -> None:
    assert main(["statement", str(EXAMPLE), "--lang", lang]) == 0
    out = capsys.readouterr().out
    for word in words:
        assert word in out


def test_configured_jiaoqiang_limits_are_used(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMBOT_JIAOQIANG_LIMITS", '{"at_fault": {"property": "3000.00"}}')
    document = _json(capsys, str(EXAMPLE))
    assert {
        "payer": "A",
        "coverage": "jiaoqiang_property",
        "victim": "B",
        "kind": "vehicle",
        "amount": "3000.00",
    }.items() <= document["lines"][0].items()  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "vehicles: [{id: A, liability: 60}, {id: B, liability: 30}]\n"
            "losses: [{victim: A, kind: vehicle, amount: 100}]",
            "合计为 90%",
        ),
        (
            "vehicles: [{id: A, liability: 100, own_damage: {sum_insured: 50000}}]\n"
            "losses: [{victim: A, kind: vehicle, amount: 60000}]",
            "超过车损险保险金额 50,000.00 元",
        ),
        (
            "vehicles: [{id: A, liability: 100}]\n"
            "losses: [{victim: A, kind: vehicle, amount: -100}]",
            "不能为负数",
        ),
        (
            "vehicles: [{id: A, liability: 100}]\n"
            "losses: [{victim: 护栏, kind: vehicle, amount: 100}]",
            "护栏 不是本案中的机动车",
        ),
        (
            "vehicles: [{id: A, liability: 100}]\nlosses: [{victim: A, kind: vehicle",
            "not valid YAML",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    env: Path, capsys: pytest.CaptureFixture[str], text: str, reason: str
) -> None:
    path = env / "accident.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["statement", str(path), "--lang", "zh_CN"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimbot statement: "), captured.err
    assert reason in lines[0]


def test_a_missing_file_is_one_line(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["statement", str(env / "nope.yaml")]) == 2
    assert capsys.readouterr().err.strip().endswith("no such file")


def test_settings_carry_the_jiaoqiang_limits_to_the_adjudication_rules() -> None:
    rules = Settings(jiaoqiang_limits={"at_fault": {"property": "3000.00"}}).adjudication_rules
    assert rules.jiaoqiang.at_fault.property == 300_000
    assert rules.jiaoqiang.no_fault.property == 10_000
    with pytest.raises(ValueError):
        Settings(jiaoqiang_limits={"at_fault": {"cars": "1.00"}})
