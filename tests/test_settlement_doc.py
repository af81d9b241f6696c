"""Every worked case of docs/settlement.md, figures computed by hand there, checked here:
through `claimbot statement --format json` (the calculator's interface) and, for
supplements and split payments, through the domain's versions module. Each statement is
also checked for conservation and limits."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli.main import main
from domain.money import Money
from domain.settlement import InvalidAccident, Loss, read_accident, settle
from domain.settlement.versions import changes, left_to_pay, payable_by, with_supplement
from tests.domain.settlement_checks import check_statement

DOC = Path(__file__).parent.parent / "docs" / "settlement.md"
_SECTION = re.compile(r"^### (\S+?)\. (.+?)$(.*?)(?=^### |^## |\Z)", re.M | re.S)
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


@dataclass(frozen=True)
class Case:
    number: str
    title: str
    accident: dict[str, Any]
    expected: list[list[str]]


def _cases() -> list[Case]:
    cases = []
    for number, title, body in _SECTION.findall(DOC.read_text(encoding="utf-8")):
        blocks = {kind: text for kind, text in _BLOCK.findall(body)}
        if "expected" not in blocks:
            continue
        cases.append(
            Case(
                number,
                title,
                yaml.safe_load(blocks["yaml"]),
                [row.split() for row in blocks["expected"].splitlines() if row.strip()],
            )
        )
    return cases


CASES = _cases()


def test_the_page_has_at_least_twenty_worked_cases() -> None:
    worked = [case for case in CASES if case.expected[0][0] != "error"]
    assert len(worked) >= 20
    errors = {case.expected[0][1] for case in CASES if case.expected[0][0] == "error"}
    assert {
        "shares_not_100",
        "above_sum_insured",
        "negative_amount",
        "victim_not_a_vehicle",
    } <= errors


def _fen(text: str) -> int:
    return Money.from_yuan(text).fen


def _pairs(row: list[str]) -> dict[str, str]:
    return dict(zip(row[1::2], row[2::2], strict=True))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.number} {c.title}" for c in CASES])
def test_worked_case(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.delenv("CLAIMBOT_JIAOQIANG_LIMITS", raising=False)
    monkeypatch.delenv("CLAIMBOT_LIABILITY_SHARES", raising=False)
    data = dict(case.accident)
    supplement = data.pop("supplement", None)
    payments = data.pop("payments", None)
    if case.expected[0][0] == "error":
        with pytest.raises(InvalidAccident) as refused:
            settle(read_accident(data))
        assert refused.value.reason == case.expected[0][1]
        assert _run(tmp_path, data, capsys) is None
        return
    agreed = settle(read_accident(data))
    if supplement is not None:
        data["losses"] = [*data["losses"], *supplement]
    document = _run(tmp_path, data, capsys)
    assert document is not None
    rows = {tuple(row) for row in case.expected if row[0] not in _NOT_LINES}
    got = {
        (
            line["payer"],
            line["coverage"],
            line["victim"] + (f":{line['person']}" if "person" in line else ""),
            line["kind"],
            line["amount"],
        )
        for line in document["lines"]
    }
    assert got == rows
    for row in case.expected:
        if row[0] in ("out_of_pocket", "unpaid"):
            assert {k: v for k, v in document[row[0]].items()} == _pairs(row), row[0]
    receivables = [row[1:] for row in case.expected if row[0] == "receivable"]
    assert [
        [r["creditor"], r["debtor"], r["amount"]] for r in document["receivables"]
    ] == receivables
    statement = settle(read_accident(data))
    check_statement(read_accident(data), statement)
    if supplement is not None:
        _check_changes(case, agreed, statement)
    if payments is not None:
        _check_payments(case, statement, payments)


_NOT_LINES = {"out_of_pocket", "unpaid", "receivable", "change", "payment"}


def _run(tmp_path: Path, data: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> Any:
    path = tmp_path / "accident.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    status = main(["statement", str(path), "--format", "json"])
    captured = capsys.readouterr()
    if status == 2:
        assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
        return None
    assert status == 0, captured.err
    return json.loads(captured.out)


def _check_changes(case: Case, before: Any, after: Any) -> None:
    expected = [row[1:] for row in case.expected if row[0] == "change"]
    got = [
        [
            c.payer,
            c.coverage.value,
            c.victim,
            c.kind.value,
            Money(c.before).yuan(),
            Money(c.after).yuan(),
        ]
        for c in changes(before, after)
    ]
    assert got == expected


def _check_payments(case: Case, statement: Any, payments: dict[str, Any]) -> None:
    agreed = payable_by(statement, payments["payer"])
    paid: list[int] = []
    results = []
    for amount in payments["amounts"]:
        fen = _fen(str(amount))
        try:
            rest = left_to_pay(agreed, paid, fen)
        except InvalidAccident:
            results.append(["payment", Money(fen).yuan(), "refused"])
            continue
        paid.append(fen)
        results.append(["payment", Money(fen).yuan(), "left", Money(rest).yuan()])
    assert results == [row for row in case.expected if row[0] == "payment"]


def test_a_supplement_only_adds_losses() -> None:
    accident = read_accident(CASES[0].accident)
    extra = (Loss("护栏", accident.losses[1].kind, 100),)
    assert with_supplement(accident, extra).losses == (*accident.losses, *extra)
