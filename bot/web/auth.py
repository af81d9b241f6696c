"""Who is asking: the bearer token of the JSON API, or the dashboard's session cookie.

A token is scoped to the insurer (sees everything) or to one shop (its own bookings and
the claims linked to them). A browser presents it once, at the dashboard's sign-in
(``bot.web.dashboard.login``); from then on its cookie holds a session id that stands for the
token until the session expires, the browser signs out or the token is revoked.
``viewer_dependency`` is a FastAPI dependency that answers 401 without a valid token or
session; ``viewer_of`` makes the same check without raising, for HTML pages that
redirect to the sign-in page instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import HTTPException, Request, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from domain.clock import Clock
from storage.db import Database
from storage.repositories.api_tokens import ApiToken, ApiTokenRepository
from storage.repositories.web_sessions import WebSessionRepository

SESSION_COOKIE = "claimbot_session"
BEARER = "bearer"
# Declares the bearer scheme in the OpenAPI document; the check itself is ours (below).
bearer_scheme = HTTPBearer(auto_error=False, description="an API token: claimbot token create")


@dataclass(frozen=True)
class Viewer:
    scope: Literal["insurer", "shop"]
    shop_code: str | None  # set when scope == "shop"
    token_id: int
    staff_code: str | None = None  # the staff member an insurer token was issued to

    @property
    def is_insurer(self) -> bool:
        return self.scope == "insurer"


def presented_token(request: Request) -> str | None:
    """The raw token from ``Authorization: Bearer ...``."""
    header = request.headers.get("authorization")
    if header:
        kind, _, value = header.partition(" ")
        if kind.lower() == BEARER and value.strip():
            return value.strip()
    return None


def verify_token(database: Database, raw: str, clock: Clock | None = None) -> Viewer | None:
    """The viewer a raw token stands for (and its use recorded), or None."""
    now = datetime.now(UTC) if clock is None else clock.now()
    with database.unit_of_work() as uow:
        token = uow.api_tokens.verify(raw, now)
        uow.commit()
    if token is None:
        return None
    return _viewer(token)


def _viewer(token: ApiToken) -> Viewer:
    return Viewer(
        scope=token.scope,
        shop_code=token.shop_code,
        token_id=token.id,
        staff_code=token.staff_code,
    )


def viewer_of(request: Request, database: Database, clock: Clock | None = None) -> Viewer | None:
    raw = presented_token(request)
    if raw is not None:
        return verify_token(database, raw, clock)
    session = request.cookies.get(SESSION_COOKIE)
    return None if not session else _session_viewer(database, session, clock)


def insurer_of(request: Request, database: Database, clock: Clock | None = None) -> Viewer | None:
    """The signed-in viewer of an insurer-only page; None (sign in) without one, 403 for
    a shop's viewer."""
    viewer = viewer_of(request, database, clock)
    if viewer is not None and not viewer.is_insurer:
        raise HTTPException(403)
    return viewer


def _session_viewer(database: Database, raw: str, clock: Clock | None) -> Viewer | None:
    """The viewer of a live dashboard session (its token not revoked), or None."""
    now = datetime.now(UTC) if clock is None else clock.now()
    with database.engine.connect() as conn:
        session = WebSessionRepository(conn).find(raw, "dashboard", now)
        token_id = None if session is None else session.api_token_id
        token = None if token_id is None else ApiTokenRepository(conn).get(token_id)
    if token is None or not token.active:
        return None
    return _viewer(token)


def viewer_dependency(database: Database, clock: Clock | None = None) -> Callable[..., Viewer]:
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
