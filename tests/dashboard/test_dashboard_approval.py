"""Second approval (核赔) from the dashboard over HTTP: a supervisor's own token approves or
sends back what the claim page shows as held; any other token cannot (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from domain.claim import ClaimStatus
from storage.db import Database
from storage.repositories.api_tokens import ApiTokenRepository, UnknownStaff
from tests.dashboard.support import sign_in, token
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.media_samples import jpeg_bytes
from tests.test_adjudication_engine import NUMBER, Party, file_report, invite, stored


@pytest.fixture
def container(database: Database, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    built = make_container(database, tmp_path / "media", clock)
    import_sample(built)
    yield built
    built.close()


@pytest.fixture
def http(container: Container) -> Iterator[httpx.Client]:
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def staff_token(container: Container, code: str) -> str:
    with container.database.unit_of_work() as uow:
        raw, _ = ApiTokenRepository(uow.connection).create(
            "insurer", None, "supervisor", container.clock.now(), code
        )
        uow.commit()
    return raw


def held_rejection(container: Container) -> tuple[Party, Party, Party]:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    supervisor = Party(container, "supervisor-web-01")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    supervisor.text(f"/bind {invite(container, 'SUP-SH-01', name='赵主管')}")
    file_report(owner)
    adjuster.text(f"/take {NUMBER}")
    adjuster.text(f"/reject {NUMBER} 驾驶人无有效驾驶证")
    for party in (owner, adjuster, supervisor):
        party.news()
    return owner, adjuster, supervisor


def test_a_supervisor_approves_a_rejection_on_the_claim_page(
    container: Container, http: httpx.Client
) -> None:
    owner, adjuster, supervisor = held_rejection(container)
    # An insurer token of no one sees what waits, without the buttons, and cannot act.
    assert sign_in(http, token(container, "insurer")).status_code == 303
    listed = http.get("/dashboard").text
    assert 'id="awaiting-approval"' in listed and f'href="/dashboard/claims/{NUMBER}"' in listed
    page = http.get(f"/dashboard/claims/{NUMBER}").text
    assert 'id="pending-approval"' in page and "驾驶人无有效驾驶证" in page
    assert 'id="approve"' not in page
    refused = http.post(f"/dashboard/claims/{NUMBER}/approval", data={"decision": "approve"})
    assert refused.status_code == 403
    assert stored(container).status is ClaimStatus.ASSIGNED

    http.cookies.clear()
    assert sign_in(http, staff_token(container, "SUP-SH-01")).status_code == 303
    page = http.get(f"/dashboard/claims/{NUMBER}").text
    assert 'id="approve"' in page and 'id="clocks"' in page
    bad = http.post(f"/dashboard/claims/{NUMBER}/approval", data={"decision": "maybe"})
    assert bad.status_code == 400
    done = http.post(
        f"/dashboard/claims/{NUMBER}/approval",
        data={"decision": "approve"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/dashboard/claims/{NUMBER}"
    assert stored(container).status is ClaimStatus.REJECTED
    assert 'id="awaiting-approval"' not in http.get("/dashboard").text
    assert owner.news() == ["approval.owner_rejected"]
    assert adjuster.news() == ["approval.approved"]
    assert supervisor.news() == ["approval.done"]  # the supervisor's chat keeps the record
    # The page now shows the rejection notice's clock, met at once; a second approval is
    # answered with the chat's own sentence.
    page = http.get(f"/dashboard/claims/{NUMBER}").text
    assert "拒赔通知时限" in page and "按时完成" in page
    again = http.post(f"/dashboard/claims/{NUMBER}/approval", data={"decision": "approve"})
    assert again.status_code == 400 and "没有待核赔的事项" in again.text


def test_a_supervisor_sends_back_with_a_reason(container: Container, http: httpx.Client) -> None:
    owner, adjuster, _ = held_rejection(container)
    assert sign_in(http, staff_token(container, "SUP-SH-01")).status_code == 303
    short = http.post(
        f"/dashboard/claims/{NUMBER}/approval", data={"decision": "send_back", "reason": "x"}
    )
    assert short.status_code == 400
    http.post(
        f"/dashboard/claims/{NUMBER}/approval",
        data={"decision": "send_back", "reason": "请先核实驾驶证信息"},
    )
    claim = stored(container)
    assert claim.status is ClaimStatus.ASSIGNED
    assert claim.timeline[-1].action == "send_back"
    assert adjuster.news() == ["approval.sent_back"]
    assert owner.news() == []


def test_a_token_names_an_existing_staff_member(container: Container) -> None:
    with container.database.unit_of_work() as uow, pytest.raises(UnknownStaff):
        ApiTokenRepository(uow.connection).create(
            "insurer", None, None, container.clock.now(), "SUP-XX-99"
        )


def test_the_claim_page_shows_the_checklist_and_the_decision_clock(
    container: Container, http: httpx.Client
) -> None:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    file_report(owner)
    adjuster.text(f"/take {NUMBER}")
    adjuster.text(f"/survey {NUMBER} remote")
    adjuster.text(f"/docs {NUMBER} owner")
    assert sign_in(http, token(container, "insurer")).status_code == 303
    page = http.get(f"/dashboard/claims/{NUMBER}").text
    assert 'id="checklist"' in page and page.count('class="doc-missing"') == 6
    assert 'class="clock-' not in page  # no clock before the documents are complete

    assert owner.photos([jpeg_bytes(seed=70)]) == ["documents.pick"]
    owner.choose(f"dc:{NUMBER}:driving_licence")
    for position in range(2, 7):
        adjuster.text(f"/waive {NUMBER} {position} 远程查勘已核实")
    page = http.get(f"/dashboard/claims/{NUMBER}").text
    assert page.count('class="doc-received"') == 1 and page.count('class="doc-waived"') == 5
    assert page.count('class="clock-running"') == 2
    assert "核定时限" in page and "先予支付时限" in page and "进行中" in page
