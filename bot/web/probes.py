"""``/health`` (the process answers), ``/ready`` (it can do its work) and ``/metrics``
(Prometheus), plus the count of refused webhook and callback requests.

``/ready`` answers 200 only when the database answers, its schema is at this release's
migration head, and the outbox dispatcher's loop ran within `DISPATCHER_STALE` seconds;
otherwise 503 with the checks that failed, so a load balancer sends no traffic to a worker
that could not act on it. ``/health`` never touches the database: a slow database must not
get a live process restarted.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.telemetry import CONTENT_TYPE, Telemetry
from scheduler.dispatcher import OutboxDispatcher
from storage.db import Database
from storage.migrate import head_revision

DISPATCHER_STALE = 30.0  # seconds without a round: the loop is stuck or gone
# The endpoints whose refusals are counted, and the reason each refusal status stands for.
WATCHED = {"/telegram/webhook": "telegram_webhook", "/wechat/callback": "wechat_callback"}
REASONS = {
    400: "malformed",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method",
    413: "too_large",
    415: "media_type",
    422: "malformed",
    429: "rate_limited",
}
REJECTION_STATE = "rejection"  # a handler may name a finer reason in scope["state"]


def probes_router(
    database: Database, dispatcher: OutboxDispatcher, telemetry: Telemetry
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    head = head_revision()

    @router.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/ready")
    def ready() -> JSONResponse:
        checks: dict[str, Any] = {}
        try:
            with database.reading() as uow:
                revision = uow.schema_revision()
            checks["database"] = "ok"
            checks["migrations"] = "ok" if revision == head else f"at {revision}, head {head}"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
            checks["migrations"] = "unknown"
        idle = time.monotonic() - dispatcher.last_round
        running = dispatcher.running and idle < DISPATCHER_STALE
        checks["dispatcher"] = "ok" if running else "not running"
        good = all(value == "ok" for value in checks.values())
        body = {"status": "ready" if good else "not ready", "checks": checks}
        return JSONResponse(body, status_code=200 if good else 503)

    @router.get("/metrics")
    def metrics() -> Response:
        return Response(telemetry.exposition(), media_type=CONTENT_TYPE)

    return router


class RejectionCounter:
    """ASGI middleware: counts 4xx answers of the webhook and callback endpoints."""

    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self._app = app
        self._telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = WATCHED.get(scope.get("path", "")) if scope["type"] == "http" else None
        if endpoint is None:
            await self._app(scope, receive, send)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if 400 <= status < 500:
                    state = scope.get("state") or {}
                    reason = state.get(REJECTION_STATE) or REASONS.get(status, str(status))
                    self._telemetry.rejected(endpoint, reason)
            await send(message)

        await self._app(scope, receive, counting_send)
