"""HMAC signatures with the server's key: media links, login forms, chat markers.

The key is ``CLAIMBOT_SECRET_KEY``; without it, a random key generated once and kept in
the database (``storage.repositories.server_secrets``), so that every worker signs alike. Each use
names its purpose, so a signature made for one thing is never accepted for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Callable

from domain.clock import Clock
from storage.db import Database

KEY_NAME = "signing"


class Signer:
    def __init__(self, key: Callable[[], str]) -> None:
        self._source = key
        self._key: bytes | None = None
        self._lock = threading.Lock()

    def _secret(self) -> bytes:
        if self._key is None:
            with self._lock:
                if self._key is None:
                    self._key = self._source().encode("utf-8")
        return self._key

    def sign(self, purpose: str, *parts: str) -> str:
        message = "\x1f".join((purpose, *parts)).encode("utf-8")
        digest = hmac.new(self._secret(), message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def valid(self, signature: str, purpose: str, *parts: str) -> bool:
        return hmac.compare_digest(signature.encode("utf-8"), self.sign(purpose, *parts).encode())


def server_signer(configured: str | None, database: Database, clock: Clock) -> Signer:
    """The configured key, else the one generated once and shared through the database
    (read when first needed, so that building the app needs no migrated database)."""
    if configured:
        return Signer(lambda: configured)

    def stored() -> str:
        with database.unit_of_work() as uow:
            key = uow.shared_secret(KEY_NAME, clock.now())
            uow.commit()
        return key

    return Signer(stored)
