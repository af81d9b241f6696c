"""``/api/claims/{number}`` carries the whole stored statement: what the insured car's
covers pay the other car and a 护栏 too, not only the owner's car (SQLite and PostgreSQL)."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from bot.bootstrap import Container
from bot.web.app import create_app
from domain.accident_record import AccidentParty, AccidentRecord, PartyKind, VictimLoss
from domain.adjudication import (
    Liability,
    LiabilityFinding,
    LossItem,
    LossKind,
    PaymentRoute,
    Survey,
    SurveyMode,
)
from domain.money import Money
from domain.settlement import LossKind as VictimKind
from tests.api.scenario import issue_token
from tests.booking_support import WebUser, file_claim
from tests.dashboard.support import sign_in, token
from tests.live_server import serve

PLATE, OTHER, RAIL = "沪A12345", "沪B99999", "护栏"


def _propose(container: Container, number: str) -> None:
    """主责 (70 %) against an insured car that lost 3,000.00; a 护栏 of 1,500.00."""
    now, actor = container.clock.now(), "adjuster:ADJ-SH-01"
    record = AccidentRecord(
        parties=(
            AccidentParty(OTHER, PartyKind.VEHICLE, insurer="平安"),
            AccidentParty(RAIL, PartyKind.PROPERTY),
        ),
        losses=(
            VictimLoss(OTHER, VictimKind.VEHICLE, 300_000),
            VictimLoss(RAIL, VictimKind.PROPERTY, 150_000),
        ),
    )
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(number)
        policy = uow.policies.by_number(claim.policy_number) if claim else None
        assert claim is not None and policy is not None
        claim.take(1, now, actor)
        claim.schedule_survey(Survey(SurveyMode.REMOTE, None, None), now, actor)
        claim.record_liability(LiabilityFinding(Liability.MAJOR, 70), now, actor)
        claim.add_loss_item(LossItem(LossKind.PART, "前保险杠", Money(120_000)), now, actor)
        claim.adjudication.accident = record
        claim.propose_settlement(PaymentRoute.OWNER, policy.coverage, now, actor)
        uow.claims.save(claim)
        uow.commit()


def test_the_api_shows_every_payer_and_every_victim(
    container: Container, client: TestClient
) -> None:
    number = file_claim(WebUser(container, user_id="owner-0001"))
    _propose(container, number)
    client.headers["Authorization"] = f"Bearer {issue_token(container, 'insurer')}"
    settlement = client.get(f"/api/claims/{number}").json()["settlement"]
    assert settlement["party"] == PLATE
    lines = {(x["payer"], x["coverage"], x["victim"]): x["amount_fen"] for x in settlement["lines"]}
    # the 护栏 claims half of its 1,500.00 on each car's 交强险 (both 有责 2,000.00); our
    # 2,000.00 is shared by the other car's 3,000.00 and the 护栏's 750.00 (1,600 : 400)
    assert lines[(PLATE, "jiaoqiang_property", OTHER)] == 160_000
    assert lines[(PLATE, "jiaoqiang_property", RAIL)] == 40_000
    # of the other car's 1,400.00 left, our 70 % goes to our 三者险
    assert lines[(PLATE, "third_party", OTHER)] == 98_000
    assert {victim for _, _, victim in lines} == {PLATE, OTHER, RAIL}
    assert all(x["amount_fen"] > 0 for x in settlement["lines"])
    own = {(x["party"], x["victim"]) for x in settlement["own_items"]}
    assert (OTHER, OTHER) in own  # the other car's own 30 % share of its damage


def test_the_dashboard_claim_page_lists_the_same_lines_with_their_victims(
    container: Container,
) -> None:
    number = file_claim(WebUser(container, user_id="owner-0001"))
    _propose(container, number)
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as http:
        assert sign_in(http, token(container, "insurer")).status_code == 303
        page = http.get(f"/dashboard/claims/{number}").text
    table = page[
        page.index('id="statement"') : page.index("</table>", page.index('id="statement"'))
    ]
    assert "受损方" in table and "护栏" in table
    assert table.count("<tr>") == 1 + len(_stored_lines(container, number))
    assert "1,600.00" in table and 'id="own-items"' in page


def _stored_lines(container: Container, number: str) -> list[object]:
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get(number)
    assert claim is not None
    statement = claim.adjudication.settlements[0].figures.statement
    assert statement is not None
    return list(statement.lines)
