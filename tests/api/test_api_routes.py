"""The JSON API with an insurer token: every route, its filters, money in fen, SLA states,
and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.bootstrap import Container
from domain.money import Money
from tests.api.scenario import SHOP_A, SHOP_B, World, issue_token
from tests.fakes import FixedClock


@pytest.fixture
def insurer(container: Container, client: TestClient, world: World) -> TestClient:
    client.headers["Authorization"] = f"Bearer {issue_token(container, 'insurer')}"
    return client


def numbers(body: dict[str, Any]) -> list[str]:
    return [item["number"] for item in body["items"]]


def test_claims_newest_first_with_their_vehicle_adjuster_and_booking(
    insurer: TestClient, world: World
) -> None:
    response = insurer.get("/api/claims")
    assert response.status_code == 200
    body = response.json()
    assert numbers(body) == [world.claim_b, world.claim_a]
    a = body["items"][1]
    assert a["stage"] == "agreed"
    assert (a["plate"], a["make"], a["model"], a["holder"]) == (
        "沪A12345",
        "Volkswagen",
        "Passat",
        "张伟",
    )
    assert (a["adjuster_code"], a["adjuster_name"]) == ("ADJ-SH-01", "王建国")
    assert (a["booking_id"], a["shop_code"]) == (world.repair_booking, SHOP_A)
    assert a["taken_at"] is not None and a["sla"] == "on_time"
    b = body["items"][0]
    assert b["stage"] == "reported" and b["taken_at"] is None and b["booking_id"] is None


def test_claim_filters(insurer: TestClient, world: World) -> None:
    def found(**params: Any) -> list[str]:
        response = insurer.get("/api/claims", params=params)
        assert response.status_code == 200, response.text
        return numbers(response.json())

    assert found(q=world.claim_a[-5:]) == [world.claim_a]
    assert found(q="沪a 12345") == [world.claim_b, world.claim_a]  # plate, normalised
    assert found(q="沪B") == []
    assert found(stage="reported") == [world.claim_b]
    assert found(reported_from="2026-11-25", reported_to="2026-11-25") == [
        world.claim_b,
        world.claim_a,
    ]
    assert found(reported_from="2026-11-26") == []
    assert found(reported_to="2026-11-24") == []
    assert found(limit=1, offset=1) == [world.claim_a]
    assert insurer.get("/api/claims", params={"stage": "nonsense"}).status_code == 422
    assert insurer.get("/api/claims", params={"limit": 0}).status_code == 422


def test_the_sla_state_follows_the_clock(
    insurer: TestClient, world: World, clock: FixedClock
) -> None:
    def sla_of(number: str) -> str:
        state = insurer.get(f"/api/claims/{number}").json()["sla"]
        assert isinstance(state, str)
        return state

    assert sla_of(world.claim_b) == "on_time"
    clock.advance(timedelta(minutes=31))  # past the re-page deadline, not yet escalated
    assert sla_of(world.claim_b) == "at_risk"
    clock.advance(timedelta(minutes=30))
    assert sla_of(world.claim_b) == "breached"
    assert sla_of(world.claim_a) == "on_time"  # taken at once: stays on time
    metrics = insurer.get("/api/metrics").json()
    assert metrics["sla"] == {"on_time": 1, "at_risk": 0, "breached": 1}


def test_claim_detail_carries_assessment_settlement_evidence_and_booking(
    insurer: TestClient, world: World
) -> None:
    response = insurer.get(f"/api/claims/{world.claim_a}")
    assert response.status_code == 200
    claim = response.json()
    assert claim["number"] == world.claim_a
    assert (claim["lat"], claim["lon"], claim["coord_system"]) == (31.2304, 121.4737, "wgs84")
    assert claim["description"] == "倒车时后保险杠受损"
    assert claim["loss_items"] == [{"name": "后保险杠", "kind": "part", "amount_fen": 120_000}]
    assert claim["loss_total_fen"] == 120_000
    assert claim["liability"] == {"grade": "full", "share": 100, "note": ""}
    settlement = claim["settlement"]
    assert settlement["payout_fen"] == 120_000 and settlement["route"] == "shop"
    assert settlement["outcome"] == "accepted"
    # the statement: 全责, no other vehicle, so the owner's 车损险 pays the whole 1,200.00
    assert settlement["lines"] == [
        {
            "payer": "沪A12345",
            "coverage": "own_damage",
            "victim": "沪A12345",
            "kind": "vehicle",
            "amount_fen": 120_000,
            "rule": "own_damage",
            "person": None,
            "handled_by": None,
        }
    ]
    assert settlement["owner_pays_fen"] == 0 and settlement["receivables"] == []
    assert all(isinstance(v, int) for k, v in settlement.items() if k.endswith("_fen"))
    assert [e["role"] for e in claim["evidence"]] == ["overview", "damage", "plate_vin"]
    assert {e["check"] for e in claim["evidence"]} == {"no_metadata"}
    assert [b["id"] for b in claim["bookings"]] == [world.repair_booking]
    assert [e["action"] for e in claim["timeline"]] == [
        "report",
        "take",
        "survey",
        "liability",
        "loss",
        "settle",
        "accept",
    ]


def test_claim_timeline(insurer: TestClient, world: World) -> None:
    response = insurer.get(f"/api/claims/{world.claim_a}/timeline")
    assert response.status_code == 200
    timeline = response.json()
    assert timeline["number"] == world.claim_a
    take = timeline["items"][1]
    assert take["actor"] == "adjuster:ADJ-SH-01"
    assert (take["from_stage"], take["to_stage"]) == ("reported", "assigned")
    assert insurer.get("/api/claims/BA2099010100001/timeline").status_code == 404


def test_unknown_records_are_404(insurer: TestClient) -> None:
    assert insurer.get("/api/claims/BA2099010100001").status_code == 404
    assert insurer.get("/api/bookings/999").status_code == 404
    assert insurer.get("/api/claims/not-a-number").status_code == 422


def test_bookings_list_filters_and_detail(insurer: TestClient, world: World) -> None:
    listed = insurer.get("/api/bookings").json()["items"]
    assert {b["id"]: b["shop_code"] for b in listed} == {
        world.repair_booking: SHOP_A,
        world.maintenance_booking: SHOP_B,
    }
    held = insurer.get("/api/bookings", params={"status": "held"}).json()["items"]
    assert len(held) == 2
    assert insurer.get("/api/bookings", params={"status": "paid"}).json()["items"] == []
    of_claim = insurer.get("/api/bookings", params={"claim": world.claim_a}).json()["items"]
    assert [b["id"] for b in of_claim] == [world.repair_booking]

    detail = insurer.get(f"/api/bookings/{world.repair_booking}").json()
    assert detail["reference"] == "#1" and detail["kind"] == "repair"
    assert detail["claim_number"] == world.claim_a and detail["shop_name"] == "浦东安心汽修"
    assert [c["to_status"] for c in detail["timeline"]] == ["held"]
    assert detail["paid_fen"] is None
    assert (detail["quote_fen"], detail["final_fen"], detail["tow"]) == (None, None, False)


def test_a_booking_detail_carries_the_quote_final_amount_and_tow(
    container: Container, insurer: TestClient, world: World
) -> None:
    now = container.clock.now()
    rules = container.settings.booking_rules
    with container.database.unit_of_work() as uow:
        booking = uow.bookings.get_for_update(world.repair_booking)
        assert booking is not None
        booking.tow, booking.pickup = True, "浦东新区世纪大道 100 号"
        booking.confirm(now, "shop_staff:1")
        booking.arrive(now, "shop_staff:1")
        booking.start_repair(now + timedelta(days=1), now, rules, "shop_staff:1", Money(215_000))
        booking.mark_ready(now, "shop_staff:1", Money(230_050), rules)
        uow.bookings.save(booking)
        uow.commit()
    detail = insurer.get(f"/api/bookings/{world.repair_booking}").json()
    assert (detail["quote_fen"], detail["final_fen"]) == (215_000, 230_050)
    assert detail["tow"] is True and detail["pickup"] == "浦东新区世纪大道 100 号"
    assert detail["timeline"][-1]["note"] == "2300.50"


def test_shops_and_metrics(insurer: TestClient, world: World) -> None:
    shops = insurer.get("/api/shops").json()["items"]
    assert [s["code"] for s in shops] == [SHOP_A, SHOP_B]
    assert shops[0]["makes"] == ["Volkswagen", "Audi", "Skoda"]
    metrics = insurer.get("/api/metrics").json()
    assert metrics["claims_by_stage"] == {"agreed": 1, "reported": 1}
    assert metrics["bookings_by_status"] == {"held": 2}
    assert metrics["outbox"]["backlog"] > 0  # the chats' messages, not yet dispatched
    assert metrics["timers"] is not None


def test_openapi_documents_the_routes_and_the_bearer_scheme(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path in (
        "/api/claims",
        "/api/claims/{number}",
        "/api/claims/{number}/timeline",
        "/api/bookings",
        "/api/bookings/{booking_id}",
        "/api/shops",
        "/api/metrics",
    ):
        operation = schema["paths"][path]["get"]
        assert operation["security"] == [{"HTTPBearer": []}], path
        assert "401" in operation["responses"], path
    assert "/status/{token}" not in schema["paths"]
    detail = schema["components"]["schemas"]["ClaimDetailOut"]["properties"]
    assert detail["loss_total_fen"]["type"] == "integer"


def test_date_filters_at_the_ends_of_the_calendar_are_answered(
    insurer: TestClient, world: World
) -> None:
    """Found by schemathesis: 0001-01-01 at local midnight has no UTC equivalent."""

    def found(**params: Any) -> list[str]:
        response = insurer.get("/api/claims", params=params)
        assert response.status_code == 200, (params, response.text)
        return numbers(response.json())

    everything = [world.claim_b, world.claim_a]
    assert found(reported_from="0001-01-01") == everything
    assert found(reported_to="9999-12-31") == everything
    assert found(reported_from="0001-01-01", reported_to="9999-12-31") == everything
    assert found(reported_to="0001-01-01") == []
    assert found(reported_from="9999-12-31") == []
