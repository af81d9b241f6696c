"""``/metrics`` and ``/openapi.json`` are for operators, not the public listener.

With ``CLAIMBOT_OPS_TOKEN`` set they answer only a request bearing it
(``Authorization: Bearer …``); without it, only a client on this machine (a scraper or an
operator on 127.0.0.1 / ::1). Anyone else gets 404, as for a path that does not exist.
Behind a reverse proxy every request comes from the proxy's address: set the token there.
"""

from __future__ import annotations

import hmac

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

OPS_PATHS = frozenset({"/metrics", "/openapi.json"})
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class OpsGate:
    def __init__(self, app: ASGIApp, *, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") in OPS_PATHS and not self._allowed(scope):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        if self.token:
            headers = dict(scope.get("headers") or [])
            given = headers.get(b"authorization", b"").decode("latin-1")
            return hmac.compare_digest(given, f"Bearer {self.token}")
        client = scope.get("client")
        return client is not None and client[0] in LOOPBACK
