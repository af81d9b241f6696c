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


class AgreementFiles:
    def __init__(self, root: Path, signer: Signer, base_url: str) -> None:
        self.root = root
        self._signer = signer
        self._base_url = base_url.rstrip("/")

    def path(self, number: str, kind: str) -> Path:
        return self.root / f"{number}.{kind}"

    def keep(self, number: str, kind: str, data: bytes, signer: Signer | None = None) -> str:
        """Write the file (atomically); its link (signed by ``signer`` when given: inside
        a turn, the one on the turn's own transaction)."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.root, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, self.path(number, kind))
        return self.url(number, kind, signer)

    def url(self, number: str, kind: str, signer: Signer | None = None) -> str:
        signature = (signer or self._signer).sign(PURPOSE, number, kind)
        return f"{self._base_url}/agreements/{number}.{kind}?sig={signature}"

    def read(self, number: str, kind: str, signature: str) -> bytes | None:
        if kind not in KINDS or not looks_like_claim_number(number):
            return None
        if len(signature) > MAX_SIGNATURE or not self._signer.valid(
            signature, PURPOSE, number, kind
        ):
            return None
        path = self.path(number, kind)
        return path.read_bytes() if path.is_file() else None

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.get("/agreements/{number}.{kind}", include_in_schema=False)
        def agreement(
            number: str, kind: str, sig: Annotated[str, Query(max_length=MAX_SIGNATURE)] = ""
        ) -> Response:
            data = self.read(number, kind, sig)
            if data is None:
                raise HTTPException(404)
            headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
            return Response(data, media_type=KINDS[kind], headers=headers)

        return router
