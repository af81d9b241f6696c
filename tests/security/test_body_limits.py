"""Oversized bodies are refused with 413 at once, declared or streamed, on every route."""

from __future__ import annotations

import uuid

import httpx

from tests.security.raw_http import chunked_post, declared_post

MIB = 1024 * 1024


def test_a_declared_200_mb_json_body_is_refused_before_it_is_sent(base_url: str) -> None:
    # Only 20 bytes follow the headers: an answer proves nothing waited for the rest.
    assert " 413 " in declared_post(
        base_url, "/chat/api/messages", 200_000_000, b'{"kind":"text"}  '
    )


def test_a_chunked_json_body_is_counted_while_it_streams(base_url: str) -> None:
    assert " 413 " in chunked_post(base_url, "/chat/api/messages", b" " * 64 * 1024, 64)


def test_uploads_have_their_own_larger_limit_and_stop_there(base_url: str) -> None:
    multipart = "multipart/form-data; boundary=x"
    refused = declared_post(base_url, "/chat/api/upload", 2_000_000_000, b"--x\r\n", multipart)
    assert " 413 " in refused
    part = (
        b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n"
    )
    streamed = chunked_post(base_url, "/chat/api/upload", b"\0" * MIB, 80, multipart, part)
    assert " 413 " in streamed


def test_routes_without_a_limit_of_their_own_take_the_default(base_url: str) -> None:
    for path in ("/dashboard/login", "/health", "/api/claims"):
        assert " 413 " in declared_post(base_url, path, 10 * MIB, b"token="), path


def test_ordinary_bodies_still_pass(client: httpx.Client) -> None:
    long_text = "追尾" * 9_000  # 18,000 characters, 54 KB of UTF-8
    response = client.post(
        "/chat/api/messages",
        json={
            "user_id": "browser-limit-0001",
            "message_id": uuid.uuid4().hex,
            "kind": "text",
            "text": long_text,
        },
    )
    assert response.status_code == 200
