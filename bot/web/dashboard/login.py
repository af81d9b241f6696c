"""Dashboard sign-in: a CSRF-protected form, a session cookie, sign-out by POST.

The form carries a signed, expiring token that must match a random value in an HttpOnly
cookie set with the form (a double submit: another site can neither read the cookie nor
forge the signature). A presented API token that is valid starts a server-side session
(``storage.repositories.web_sessions``); the cookie holds only the session's random id, never the
token, and the session ends after ``CLAIMBOT_DASHBOARD_SESSION_HOURS``, at sign-out, or
when the token is revoked. Wrong tokens are counted per client address
(``domain.attempts``); past the limit the address waits out a cool-down (429).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.channels.webchat.sessions import client_address, retry_after
from bot.signing import Signer
from bot.web.auth import SESSION_COOKIE, Viewer, verify_token
from domain.attempts import AttemptRule
from domain.clock import Clock
from storage.db import Database

FORM_COOKIE = "claimbot_login"
FORM_PURPOSE = "login-form"
FORM_LIFETIME = timedelta(hours=1)
HOME = "/dashboard"
LOGIN = "/dashboard/login"
Page = Callable[..., Response]


class Login:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        signer: Signer,
        *,
        rule: AttemptRule,
        session_lifetime: timedelta,
        page: Page,
        viewer: Callable[[Request], Viewer | None],
    ) -> None:
        self._database = database
        self._clock = clock
        self._signer = signer
        self._rule = rule
        self._lifetime = session_lifetime
        self._page = page
        self._viewer = viewer

    def form(self, request: Request) -> Response:
        if self._viewer(request) is not None:
            return RedirectResponse(HOME, status_code=303)
        return self._form(request)

    def submit(
        self,
        request: Request,
        token: Annotated[str, Form(max_length=200)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        if not _same_origin(request) or not self._form_token_valid(request, csrf):
            return self._form(request, status=400, problem="security.login.form_expired")
        now = self._clock.now()
        key = f"login:ip:{client_address(request)}"
        with self._database.unit_of_work() as uow:
            until = uow.attempts.state(key, self._rule, now).blocked_until
        if until is not None:
            return self._locked(request, until.isoformat(), retry_after(until, now))
        viewer = verify_token(self._database, token.strip(), self._clock)
        if viewer is None:
            with self._database.unit_of_work() as uow:
                state = uow.attempts.fail(key, self._rule, now)
                uow.commit()
            if state.blocked_until is not None:
                until_text = state.blocked_until.isoformat()
                return self._locked(request, until_text, retry_after(state.blocked_until, now))
            return self._form(request, status=401, error=True)
        return self._start_session(request, viewer)

    def logout(self, request: Request) -> Response:
        if not _same_origin(request):
            return Response(status_code=403)
        raw = request.cookies.get(SESSION_COOKIE)
        if raw:
            with self._database.unit_of_work() as uow:
                uow.web_sessions.end(raw)
                uow.commit()
        response = RedirectResponse(LOGIN, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    def _start_session(self, request: Request, viewer: Viewer) -> Response:
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            sessions = uow.web_sessions
            old = request.cookies.get(SESSION_COOKIE)
            if old:
                sessions.end(old)  # a new id at every sign-in
            sessions.purge_expired(now)
            raw, _ = sessions.issue(
                "dashboard", now, now + self._lifetime, api_token_id=viewer.token_id
            )
            uow.commit()
        response = RedirectResponse(HOME, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            raw,
            max_age=int(self._lifetime.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        response.delete_cookie(FORM_COOKIE, path=LOGIN)
        return response

    def _form(
        self, request: Request, status: int = 200, error: bool = False, **context: Any
    ) -> Response:
        nonce = secrets.token_urlsafe(16)
        issued = str(int(self._clock.now().timestamp()))
        signature = self._signer.sign(FORM_PURPOSE, nonce, issued)
        context.setdefault("problem", None)
        response = self._page(
            request,
            "login.html",
            status=status,
            viewer=None,
            error=error,
            lang_query="",
            csrf=f"{nonce}.{issued}.{signature}",
            **context,
        )
        response.set_cookie(
            FORM_COOKIE,
            nonce,
            max_age=int(FORM_LIFETIME.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=LOGIN,
        )
        return response

    def _locked(self, request: Request, until: str, retry: str) -> Response:
        response = self._form(request, status=429, problem="security.login.locked", until=until)
        response.headers["Retry-After"] = retry
        return response

    def _form_token_valid(self, request: Request, csrf: str) -> bool:
        nonce, _, rest = csrf.partition(".")
        issued, _, signature = rest.partition(".")
        if not (nonce and issued.isdigit() and signature):
            return False
        if nonce != request.cookies.get(FORM_COOKIE):
            return False
        age = self._clock.now().timestamp() - int(issued)
        if not 0 <= age <= FORM_LIFETIME.total_seconds():
            return False
        return self._signer.valid(signature, FORM_PURPOSE, nonce, issued)


def _same_origin(request: Request) -> bool:
    """A browser's form post names its origin; one from another site is refused. Hosts are
    compared, not schemes: behind a TLS-terminating proxy the app may see plain HTTP."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")
