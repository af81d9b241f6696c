"""The web chat's identity: a server-issued session in an HttpOnly, SameSite cookie.

The cookie holds a random session id (the table keeps its hash). The session names the
chat it speaks as: a random id the server chose (``chat_user``), which the browser never
sees. A session is issued on the first message a browser sends, renewed (a new id, the
old one kept for a short grace) once it is older than the rotation age, and expires after
a period without renewal. In demo mode one browser switches between identities derived
from its owner chat (``<chat>:adjuster``, ``<chat>:shop``); each switch issues a new
session.

New sessions per client address are counted (``domain.attempts``): a script minting
sessions by the thousand is refused (429) before it fills the table.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import HTTPException, Request, Response

from bot.signing import Signer
from domain.attempts import AttemptRule
from domain.clock import Clock
from storage.db import Database
from storage.repositories.web_sessions import WebSessionRepository
from storage.uow import SqlUnitOfWork

COOKIE = "claimbot_chat"
COOKIE_PATH = "/chat"
CHAT_ID_BYTES = 18
ROLE_SEPARATOR = ":"
GRACE = timedelta(seconds=60)
MARKER = "chat-marker"


@dataclass(frozen=True)
class SessionPolicy:
    lifetime: timedelta  # without renewal
    rotate_after: timedelta
    new_per_address: AttemptRule  # new sessions one client address may open


class ChatSessions:
    def __init__(
        self, database: Database, clock: Clock, signer: Signer, policy: SessionPolicy
    ) -> None:
        self._database = database
        self._clock = clock
        self._signer = signer
        self._policy = policy

    def current(self, request: Request, response: Response, *, renew: bool = True) -> str | None:
        """The chat of the request's live session, None without one. With ``renew``, a
        session past the rotation age is replaced (the new cookie set on ``response``;
        only for answers FastAPI builds from ``response``, not for a returned Response)."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        now = self._clock.now()
        with self._database.engine.connect() as conn:
            session = WebSessionRepository(conn).find(raw, "chat", now)
        if session is None:
            return None
        if renew and now - session.created_at >= self._policy.rotate_after:
            with self._database.unit_of_work() as uow:
                if uow.web_sessions.retire(session.id, now, GRACE):
                    self._set_cookie(request, response, self._issue(uow, session.chat_user))
                uow.commit()
        return session.chat_user

    def current_or_new(self, request: Request, response: Response) -> str:
        """The request's chat, or a new chat with a new session (its cookie set)."""
        chat = self.current(request, response)
        if chat is not None:
            return chat
        chat = secrets.token_urlsafe(CHAT_ID_BYTES)
        self.switch(request, response, chat, count=True)
        return chat

    def switch(
        self, request: Request, response: Response, chat: str, *, count: bool = False
    ) -> None:
        """End the request's session (if any) and issue one for ``chat``."""
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            if count:
                self._count_new(uow, request)
            sessions = uow.web_sessions
            old = request.cookies.get(COOKIE)
            if old:
                sessions.end(old)
            sessions.purge_expired(now)
            raw = self._issue(uow, chat)
            uow.commit()
        self._set_cookie(request, response, raw)

    def marker(self, chat: str) -> str:
        """A name for the chat the page may keep (its own messages, per chat): not the
        chat id, and worth nothing as a credential."""
        return self._signer.sign(MARKER, chat)[:16]

    def _issue(self, uow: SqlUnitOfWork, chat: str | None) -> str:
        now = self._clock.now()
        raw, _ = uow.web_sessions.issue(
            "chat", now, now + self._policy.lifetime, chat_user=chat
        )
        return raw

    def _count_new(self, uow: SqlUnitOfWork, request: Request) -> None:
        key = f"chat-session:ip:{client_address(request)}"
        rule, now = self._policy.new_per_address, self._clock.now()
        until = uow.attempts.state(key, rule, now).blocked_until
        if until is not None:
            raise HTTPException(
                429,
                "too many new chats from this address",
                {"Retry-After": retry_after(until, now)},
            )
        uow.attempts.fail(key, rule, now)

    def _set_cookie(self, request: Request, response: Response, raw: str) -> None:
        response.set_cookie(
            COOKIE,
            raw,
            max_age=int(self._policy.lifetime.total_seconds()),
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )


def owner_chat(chat: str) -> str:
    """The owner chat a demo identity was derived from (itself for an owner chat)."""
    return chat.split(ROLE_SEPARATOR, 1)[0]


def role_chat(chat: str, role: str) -> str:
    """The chat of a demo identity: the owner chat itself, or ``<owner chat>:<role>``."""
    base = owner_chat(chat)
    return base if role == "owner" else f"{base}{ROLE_SEPARATOR}{role}"


def role_of(chat: str) -> str:
    _, _, role = chat.partition(ROLE_SEPARATOR)
    return role or "owner"


def client_address(request: Request) -> str:
    """The client's address (behind a proxy: as the server's forwarded-header rules set it)."""
    return request.client.host if request.client else "unknown"


def retry_after(until: datetime, now: datetime) -> str:
    """Whole seconds until ``until``, for a Retry-After header."""
    return str(max(int((until - now).total_seconds()) + 1, 1))
