"""What the access log keeps of a request: never a WeChat signature nor a status token."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from tests.live_server import serve


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def access_log(container: Container) -> Iterator[tuple[httpx.Client, list[str]]]:
    lines = Lines()
    logger = logging.getLogger("uvicorn.access")
    with serve(create_app(container), log_level="info") as base:
        logger.addHandler(lines)  # after uvicorn configured its loggers
        try:
            with httpx.Client(base_url=base) as http:
                yield http, lines.lines
        finally:
            logger.removeHandler(lines)


def test_callback_query_strings_and_status_tokens_are_not_logged(
    access_log: tuple[httpx.Client, list[str]],
) -> None:
    http, lines = access_log
    query = {
        "signature": "5d8a1c0b9e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b",
        "msg_signature": "0f1e2d3c4b5a69788796a5b4c3d2e1f0aa55bb66",
        "timestamp": "1795000000",
        "nonce": "918273645",
        "openid": "o6_bmjrPTlm6_2sgVt7hMZOPfL2M",
        "encrypt_type": "aes",
    }
    http.post("/wechat/callback", params=query, content=b"<xml/>")
    http.get("/wechat/callback", params={**query, "echostr": "hello42"})
    http.get("/status/Zq3xV9mKp2LwT7rYcB4nHd8sFg")
    http.get("/status/Zq3xV9mKp2LwT7rYcB4nHd8sFg", params={"lang": "en"})
    http.get("/chat", params={"visible": "yes"})
    logged = "\n".join(lines)
    assert logged.count("/wechat/callback") == 2 and logged.count("/status/") == 2
    for secret in (*query.values(), "Zq3xV9mKp2LwT7rYcB4nHd8sFg"):
        assert secret not in logged
    assert "/chat?visible=yes" in logged  # other query strings are kept
