"""A browser on the web chat over real HTTP: its own cookie jar, as a browser has.

The identity is the session cookie the server issues with the first message; a test
that needs a chat with a known id (bound as staff beforehand, say) starts from a session
issued for that chat, exactly as the server issues one.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from bot.bootstrap import Container
from bot.channels.webchat.sessions import COOKIE, COOKIE_PATH
from dialogs.consent import AGREE
from storage.repositories.web_sessions import WebSessionRepository

Message = dict[str, Any]


def chat_of_session(container: Container, raw: str) -> str:
    """The chat a session cookie's value stands for, looked up as the server does."""
    with container.database.unit_of_work() as uow:
        found = WebSessionRepository(uow.connection).find(raw, "chat", container.clock.now())
    assert found is not None and found.chat_user is not None, "no live session"
    return found.chat_user


class ChatBrowser:
    """``agreed``: the owner taps the privacy notice's agree button before their first
    message (the notice itself is tested in tests/test_consent_notice.py)."""

    def __init__(self, base: str, language: str = "zh-CN", agreed: bool = True) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)
        self.language = language
        self.cursor = 0
        self._to_agree = agreed

    def agree_first(self) -> None:
        if self._to_agree:
            self._to_agree = False
            self.tap(AGREE)

    @classmethod
    def as_chat(cls, base: str, container: Container, chat: str, **kw: Any) -> ChatBrowser:
        """A browser whose session speaks as ``chat``."""
        browser = cls(base, **kw)
        now = container.clock.now()
        with container.database.unit_of_work() as uow:
            raw, _ = WebSessionRepository(uow.connection).issue(
                "chat", now, now + timedelta(days=30), chat_user=chat
            )
            uow.commit()
        browser.http.cookies.set(COOKIE, raw, domain="127.0.0.1", path=COOKIE_PATH)
        return browser

    def post(self, kind: str = "text", **body: Any) -> httpx.Response:
        self.agree_first()
        payload = {
            "message_id": uuid.uuid4().hex,
            "language": self.language,
            "kind": kind,
            "after": self.cursor,
            **body,
        }
        return self.http.post("/chat/api/messages", json=payload)

    def say(self, text: str = "", kind: str = "text", **body: Any) -> list[Message]:
        response = self.post(kind, **({"text": text} if kind == "text" else {}), **body)
        assert response.status_code == 200, response.text
        return self.take(response.json())

    def tap(self, value: str) -> list[Message]:
        return self.say(kind="choice", value=value)

    def upload(self, files: list[tuple[str, bytes, str]]) -> list[Message]:
        self.agree_first()
        response = self.http.post(
            "/chat/api/upload",
            data={"message_id": uuid.uuid4().hex, "language": self.language, "after": self.cursor},
            files=[("files", item) for item in files],
        )
        assert response.status_code == 200, response.text
        return self.take(response.json())

    def poll(self, after: int | None = None) -> list[Message]:
        params = {"after": self.cursor if after is None else after}
        response = self.http.get("/chat/api/messages", params=params)
        assert response.status_code == 200, response.text
        return self.take(response.json())

    def take(self, batch: dict[str, Any]) -> list[Message]:
        self.cursor = max(self.cursor, batch["cursor"])
        messages: list[Message] = batch["messages"]
        return messages

    @property
    def session(self) -> str | None:
        return self.http.cookies.get(COOKIE)

    def chat(self, container: Container) -> str:
        """The chat this browser's session speaks as (looked up as the server does)."""
        return chat_of_session(container, self.session or "")

    def close(self) -> None:
        self.http.close()
