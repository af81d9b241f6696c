"""Issued agreements kept as files with their claim, and the links that open them.

``<media dir>/agreements/<claim number>.pdf`` and ``.html`` (the printable page, its photos
embedded, so that it reads the same for as long as it is kept). A link is
``/agreements/<number>.pdf?sig=…``: an HMAC of the number and the kind, with no expiry, since
both drivers keep the agreement; without the signature, 404.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from bot.signing import Signer
from domain.claim import looks_like_claim_number

PURPOSE = "agreement"
KINDS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
MAX_SIGNATURE = 100
LANGS = ("", "en")  # "": the Chinese original
LOCALE_LANG = {"zh_CN": "", "en": "en"}


class AgreementFiles:
    def __init__(self, root: Path, signer: Signer, base_url: str) -> None:
        self.root = root
        self._signer = signer
        self._base_url = base_url.rstrip("/")

    def path(self, number: str, kind: str, lang: str = "") -> Path:
        """``<number>.<kind>``, the Chinese original; ``<number>.<lang>.<kind>`` a copy in
        another locale (``en``)."""
        return self.root / (f"{number}.{lang}.{kind}" if lang else f"{number}.{kind}")

    def keep(
        self, number: str, kind: str, data: bytes, signer: Signer | None = None, lang: str = ""
    ) -> str:
        """Write the file (atomically); its link (signed by ``signer`` when given: inside
        a turn, the one on the turn's own transaction)."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.root, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, self.path(number, kind, lang))
        return self.url(number, kind, signer, lang)

    def url(self, number: str, kind: str, signer: Signer | None = None, lang: str = "") -> str:
        signed = (signer or self._signer).sign(PURPOSE, number, kind, *([lang] if lang else []))
        query = f"lang={lang}&sig={signed}" if lang else f"sig={signed}"
        return f"{self._base_url}/agreements/{number}.{kind}?{query}"

    def read(self, number: str, kind: str, signature: str, lang: str = "") -> bytes | None:
        if kind not in KINDS or not looks_like_claim_number(number) or lang not in LANGS:
            return None
        parts = (number, kind, *([lang] if lang else []))
        if len(signature) > MAX_SIGNATURE or not self._signer.valid(signature, PURPOSE, *parts):
            return None
        path = self.path(number, kind, lang)
        return path.read_bytes() if path.is_file() else None

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.get("/agreements/{number}.{kind}", include_in_schema=False)
        def agreement(
            number: str,
            kind: str,
            sig: Annotated[str, Query(max_length=MAX_SIGNATURE)] = "",
            lang: Annotated[str, Query(max_length=5)] = "",
        ) -> Response:
            data = self.read(number, kind, sig, lang)
            if data is None:
                raise HTTPException(404)
            headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
            return Response(data, media_type=KINDS[kind], headers=headers)

        return router
