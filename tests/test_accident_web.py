"""The recorded accident and split payments where the insurer and the owner read them:
``/api/claims/{number}``, the dashboard claim page and the owner's status page (SQLite and
PostgreSQL, over HTTP against the app)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.bootstrap import Container
from bot.web.app import create_app
from tests.api.scenario import issue_token
from tests.api.test_status_page import token_of
from tests.dashboard.support import sign_in
from tests.documents_support import complete_documents_in
from tests.live_server import serve
from tests.test_accident_engine import OTHER, _assigned
from tests.test_adjudication_engine import NUMBER


@pytest.fixture
def recorded(container: Container) -> str:
    """A claim with two other parties, their losses, the ratios from a police finding,
    agreed and paid in part."""
    owner, adjuster = _assigned(container)
    adjuster.text(f"/party {NUMBER} 机动车 {OTHER} 平安 三者 1000000")
    adjuster.text(f"/party {NUMBER} 非机动车 李四")
    adjuster.text(f"/damage {NUMBER} {OTHER} 车损 3000")
    adjuster.text(f"/damage {NUMBER} 李四 医疗 1000 李四 第三者")
    adjuster.text(f"/ratio {NUMBER} 本车 60 {OTHER} 30 李四 10 认定书 沪公交认字第123号")
    adjuster.text(f"/loss {NUMBER} part 前保险杠 10000")
    complete_documents_in(container, NUMBER, "owner")
    adjuster.text(f"/settle {NUMBER} owner")
    owner.choose(f"c:acc:{NUMBER}:1")
    assert adjuster.text(f"/advance {NUMBER} 1000 ADV-1") == ["accident.adjuster.part_paid"]
    return NUMBER


def test_the_api_shows_parties_losses_and_what_is_paid_and_due(
    container: Container, recorded: str
) -> None:
    client = TestClient(create_app(container))
    client.headers["Authorization"] = f"Bearer {issue_token(container, 'insurer')}"
    claim = client.get(f"/api/claims/{recorded}").json()
    accident = claim["accident"]
    assert [(p["label"], p["kind"], p["share"]) for p in accident["parties"]] == [
        (OTHER, "vehicle", 30),
        ("李四", "non_motor", 10),
    ]
    assert accident["parties"][0]["third_party_fen"] == 100_000_000
    assert accident["losses"] == [
        {"victim": OTHER, "kind": "vehicle", "amount_fen": 300_000, "person": "", "role": None},
        {
            "victim": "李四",
            "kind": "medical",
            "amount_fen": 100_000,
            "person": "李四",
            "role": "third_party",
        },
    ]
    assert (accident["source"], accident["reference"]) == ("police", "沪公交认字第123号")
    assert claim["liability"]["share"] == 60
    payout = claim["settlement"]["payout_fen"]
    assert claim["payments"]["agreed_fen"] == payout
    assert claim["payments"]["paid_fen"] == 100_000
    assert claim["payments"]["due_fen"] == payout - 100_000
    assert [p["reference"] for p in claim["payments"]["parts"]] == ["ADV-1"]


@pytest.fixture
def http(container: Container) -> Iterator[httpx.Client]:
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def test_the_dashboard_and_the_status_page_show_them(
    container: Container, recorded: str, http: httpx.Client
) -> None:
    assert sign_in(http, issue_token(container, "insurer")).status_code == 303
    page = http.get(f"/dashboard/claims/{recorded}").text
    assert "事故各方与损失" in page and "非机动车" in page
    assert "责任依据：交警事故认定书 沪公交认字第123号" in page
    assert "已付 1,000.00 元" in page and "待付" in page
    assert OTHER not in page  # masked until the full view is asked
    status = http.get(f"/status/{token_of(container, recorded)}").text
    assert "已付 1,000.00 元" in status and "待付" in status
