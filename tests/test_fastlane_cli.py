"""``claimbot fastlane check``: a stored claim through eligibility, fraud signals and the
estimate from the imported price list, on a real database."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli.main import main
from domain.claim import Claim
from domain.report import OtherVehicle
from storage.db import Database
from storage.repositories.fastlane_decisions import FastLaneDecisions
from tests.engine_harness import DIRECTORY
from tests.storage.helpers import NOW, complete_report, evidence_for, media, new_owner

PRICE_LIST = Path(__file__).resolve().parents[1] / "examples" / "price_list.yaml"
NUMBER = "BA2026060100001"


@pytest.fixture
def filed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """A two-car, no-injury, drivable claim with photos that carry no metadata."""
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert main(["migrate"]) == 0
    assert main(["import", str(DIRECTORY)]) == 0
    assert main(["import", str(PRICE_LIST)]) == 0
    capsys.readouterr()
    database = Database(url)
    try:
        owner = new_owner(database)
        with database.unit_of_work() as uow:
            files = [media(i, gps=False) for i in range(3)]
            report = complete_report(evidence_for([(uow.media.add(f), f) for f in files]))
            report = replace(
                report,
                drivable=True,
                rescue_requested=False,
                other_vehicles=[OtherVehicle("沪B99999", "平安")],
            )
            policy = uow.policies.by_number("PDAA20260001")
            assert policy is not None
            uow.claims.add(Claim.file(NUMBER, report, policy, owner, NOW, "owner"))
            uow.commit()
    finally:
        database.dispose()
    return NUMBER


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["fastlane", "check", *args]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_an_agreed_small_claim_is_eligible(filed: str, capsys: pytest.CaptureFixture[str]) -> None:
    result = _check(
        capsys, filed, "--agreed", "--outside-property", "no", "--parts", "rear_bumper,tail_lamp"
    )
    assert result["eligible"] is True and result["route"] == "auto"
    assert result["reasons"] == [] and result["fraud_signals"] == []
    assert result["estimate"] == {
        "car_class": "economy",  # Volkswagen
        "total": "1730.00",
        "lines": [
            {"part": "rear_bumper", "kind": "part", "amount": "680.00"},
            {"part": "rear_bumper", "kind": "labour", "amount": "150.00"},
            {"part": "rear_bumper", "kind": "paint", "amount": "420.00"},
            {"part": "tail_lamp", "kind": "part", "amount": "420.00"},
            {"part": "tail_lamp", "kind": "labour", "amount": "60.00"},
        ],
    }


def test_every_reason_and_an_unknown_part_by_name(
    filed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _check(capsys, filed, "--parts", "bonnet:repair,spoiler")
    assert result["eligible"] is False and result["route"] == "adjuster"
    reasons = result["reasons"]
    assert isinstance(reasons, list)
    assert [r["code"] for r in reasons] == [
        "outside_property_unknown",
        "liability_not_agreed",
        "no_estimate",
    ]
    assert reasons[1]["text"] == "双方责任尚未协商一致"
    assert result["estimate"] is None
    assert result["estimate_refusal"] == {
        "reason": "unknown_part",
        "text": "价目表里没有“spoiler”这一项，已转理赔员人工定损。",
    }


def test_a_bad_request_is_one_line(filed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fastlane", "check", "BA2026060199999"]) == 2
    assert capsys.readouterr().err.strip() == "claimbot fastlane: no claim 'BA2026060199999'"
    assert main(["fastlane", "check", filed, "--parts", "bonnet:paint"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("claimbot fastlane: --parts: 'bonnet:paint'") and "\n" not in err


def test_a_recorded_decision_is_kept_for_review(
    filed: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMBOT_FAST_SAMPLE_PERCENT", "100")
    result = _check(capsys, filed, "--record", "--parts", "rear_bumper")
    recorded = result["recorded"]
    assert isinstance(recorded, dict) and recorded["sampled"] is True
    assert "recorded" not in _check(capsys, filed)  # without --record nothing is written
    database = Database(os.environ["CLAIMBOT_DATABASE_URL"])
    try:
        with database.unit_of_work() as uow:
            [kept] = FastLaneDecisions(uow.connection).for_claim(filed)
    finally:
        database.dispose()
    assert kept.id == recorded["id"] and not kept.eligible
    assert kept.reasons == ("outside_property_unknown", "liability_not_agreed")
