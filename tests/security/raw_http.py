"""HTTP/1.1 by hand over a socket: a client that lies about sizes or never stops sending."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit


def _connect(base_url: str) -> socket.socket:
    parts = urlsplit(base_url)
    sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=10)
    return sock


def status_line(sock: socket.socket) -> str:
    """The response's status line (empty if the server closed without answering)."""
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def declared_post(
    base_url: str,
    path: str,
    declared: int,
    sent: bytes,
    content_type: str = "application/json",
) -> str:
    """POST declaring ``declared`` bytes of body but sending only ``sent``; the status line."""
    with _connect(base_url) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {declared}\r\n\r\n"
        )
        sock.sendall(head.encode() + sent)
        return status_line(sock)


def chunked_post(
    base_url: str,
    path: str,
    chunk: bytes,
    chunks: int,
    content_type: str = "application/json",
    preamble: bytes = b"",
) -> str:
    """POST a chunked body of ``chunks`` x ``chunk`` without a length; the status line.

    Sending stops at the first refusal the server makes (a reset or a closed socket)."""
    with _connect(base_url) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        )
        sock.sendall(head.encode())
        if preamble:
            sock.sendall(f"{len(preamble):x}\r\n".encode() + preamble + b"\r\n")
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        try:
            for _ in range(chunks):
                sock.sendall(framed)
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return status_line(sock)
