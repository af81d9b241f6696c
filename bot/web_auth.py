"""Who is asking: the bearer token (header or cookie) of the JSON API and the dashboard.

A token is scoped to the insurer (sees everything) or to one shop (its own bookings and
the claims linked to them). ``viewer_dependency`` is a FastAPI dependency that answers
401 without a valid token; ``viewer_of`` makes the same check without raising, for HTML
pages that redirect to a login page instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import HTTPException, Request, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from domain.clock import Clock
from storage.api_tokens import ApiTokenRepository
from storage.db import Database

TOKEN_COOKIE = "claimbot_token"
BEARER = "bearer"
# Declares the bearer scheme in the OpenAPI document; the check itself is ours (below).
bearer_scheme = HTTPBearer(auto_error=False, description="an API token: claimbot token create")


@dataclass(frozen=True)
class Viewer:
    scope: Literal["insurer", "shop"]
    shop_code: str | None  # set when scope == "shop"
    token_id: int

    @property
    def is_insurer(self) -> bool:
        return self.scope == "insurer"


def presented_token(request: Request) -> str | None:
    """The raw token from ``Authorization: Bearer ...``, else from the cookie."""
    header = request.headers.get("authorization")
    if header:
        kind, _, value = header.partition(" ")
        if kind.lower() == BEARER and value.strip():
            return value.strip()
    cookie = request.cookies.get(TOKEN_COOKIE)
    return cookie or None


def verify_token(database: Database, raw: str, clock: Clock | None = None) -> Viewer | None:
    """The viewer a raw token stands for (and its use recorded), or None."""
    now = datetime.now(UTC) if clock is None else clock.now()
    with database.unit_of_work() as uow:
        token = ApiTokenRepository(uow.connection).verify(raw, now)
        uow.commit()
    if token is None:
        return None
    return Viewer(scope=token.scope, shop_code=token.shop_code, token_id=token.id)


def viewer_of(request: Request, database: Database, clock: Clock | None = None) -> Viewer | None:
    raw = presented_token(request)
    return None if raw is None else verify_token(database, raw, clock)


def viewer_dependency(
    database: Database, clock: Clock | None = None
) -> Callable[..., Viewer]:
    def dependency(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    ) -> Viewer:
        viewer = viewer_of(request, database, clock)
        if viewer is None:
            raise HTTPException(
                status_code=status.HTTP_401_UNAUTHORIZED,
                detail="a valid API token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return viewer

    return dependency
