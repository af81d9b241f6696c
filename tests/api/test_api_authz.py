"""Who sees what: no token, no data; a shop token sees its own bookings and the claims
linked to them, and gets 404 (never 403) for everything else; revoked tokens stop working."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.bootstrap import Container
from domain.clock import Clock
from storage.repositories.api_tokens import ApiTokenRepository
from tests.api.scenario import SHOP_A, SHOP_B, World, issue_token
from tests.dashboard.support import sign_in

ROUTES = (
    "/api/claims",
    "/api/claims/{claim_a}",
    "/api/claims/{claim_a}/timeline",
    "/api/bookings",
    "/api/bookings/1",
    "/api/shops",
    "/api/metrics",
)


def paths(world: World) -> list[str]:
    return [route.format(claim_a=world.claim_a) for route in ROUTES]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_route_serves_without_a_valid_token(
    client: TestClient, world: World, container: Container
) -> None:
    for path in paths(world):
        for headers in ({}, bearer("cbt_not-a-token"), {"Authorization": "Basic abc"}):
            response = client.get(path, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert response.json() == {"detail": "a valid API token is required"}
            assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_token_is_refused_everywhere(
    client: TestClient, world: World, container: Container, clock: Clock
) -> None:
    raw = issue_token(container, "insurer")
    assert client.get("/api/claims", headers=bearer(raw)).status_code == 200
    with container.database.unit_of_work() as uow:
        tokens = ApiTokenRepository(uow.connection)
        token = tokens.verify(raw)
        assert token is not None and tokens.revoke(token.id, clock.now())
        uow.commit()
    for path in paths(world):
        assert client.get(path, headers=bearer(raw)).status_code == 401, path


def test_a_dashboard_session_works_like_the_header(
    client: TestClient, world: World, container: Container
) -> None:
    raw = issue_token(container, "shop", SHOP_A)
    client.cookies.set("claimbot_token", raw)  # the raw token in a cookie is no credential
    assert client.get("/api/bookings").status_code == 401
    assert sign_in(client, raw).status_code == 303
    response = client.get("/api/bookings")
    assert [b["id"] for b in response.json()["items"]] == [world.repair_booking]


def test_a_shop_sees_its_bookings_and_their_claims_only(
    client: TestClient, world: World, container: Container
) -> None:
    shop_a = bearer(issue_token(container, "shop", SHOP_A))
    bookings = client.get("/api/bookings", headers=shop_a).json()["items"]
    assert [b["id"] for b in bookings] == [world.repair_booking]
    claims = client.get("/api/claims", headers=shop_a).json()["items"]
    assert [c["number"] for c in claims] == [world.claim_a]
    claim = client.get(f"/api/claims/{world.claim_a}", headers=shop_a)
    assert claim.status_code == 200
    assert [b["id"] for b in claim.json()["bookings"]] == [world.repair_booking]
    assert client.get(f"/api/claims/{world.claim_a}/timeline", headers=shop_a).status_code == 200
    metrics = client.get("/api/metrics", headers=shop_a).json()
    assert metrics["claims_by_stage"] == {"agreed": 1}
    assert metrics["bookings_by_status"] == {"held": 1}
    assert metrics["outbox"] is None and metrics["timers"] is None


@pytest.mark.parametrize(
    "path",
    [
        "/api/bookings/{repair}",  # the other shop's booking
        "/api/claims/{claim_a}",  # a claim linked to the other shop only
        "/api/claims/{claim_a}/timeline",
        "/api/claims/{claim_b}",  # a claim linked to no booking at all
        "/api/claims/{claim_b}/timeline",
    ],
)
def test_a_shop_gets_404_for_what_is_not_its_own(
    client: TestClient, world: World, container: Container, path: str
) -> None:
    shop_b = bearer(issue_token(container, "shop", SHOP_B))
    url = path.format(repair=world.repair_booking, claim_a=world.claim_a, claim_b=world.claim_b)
    response = client.get(url, headers=shop_b)
    assert response.status_code == 404
    assert response.json() == {"detail": "not found"}  # same as for nothing at all
    missing = "/api/bookings/999" if "bookings" in path else "/api/claims/BA2099010100001"
    assert client.get(missing, headers=shop_b).json() == response.json()


def test_another_shops_records_are_absent_from_lists_and_filters(
    client: TestClient, world: World, container: Container
) -> None:
    shop_b = bearer(issue_token(container, "shop", SHOP_B))
    claims = client.get("/api/claims", headers=shop_b, params={"q": world.claim_a})
    assert claims.json()["items"] == []
    bookings = client.get("/api/bookings", headers=shop_b, params={"claim": world.claim_a})
    assert bookings.json()["items"] == []
    own = client.get("/api/bookings", headers=shop_b).json()["items"]
    assert [b["id"] for b in own] == [world.maintenance_booking]
    mine = client.get(f"/api/bookings/{world.maintenance_booking}", headers=shop_b)
    assert mine.status_code == 200
