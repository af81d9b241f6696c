"""The payment port's confirmation webhook: ``POST /payments/confirm`` with
``{"claim_number": …, "reference": …}``, signed like the instructions
(``X-Claimbot-Signature``: hex HMAC-SHA256 of the body with
``CLAIMBOT_PAYMENT_WEBHOOK_SECRET``). Without a secret configured the endpoint is off (404).
A confirmation closes the claim once; a repeated one answers ``already``."""

from __future__ import annotations

import hmac
import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from bot.smallclaim_services import (
    SIGNATURE_HEADER,
    PaymentNotConfirmed,
    confirm_payment,
    signature,
)
from domain.clock import Clock
from storage.db import Database

MAX_BODY = 4096


def payment_router(
    database: Database, clock: Clock, secret: str, locales: tuple[str, ...]
) -> APIRouter:
    router = APIRouter()

    @router.post("/payments/confirm", include_in_schema=False)
    async def confirm(request: Request) -> JSONResponse:
        if not secret:
            raise HTTPException(404)
        body = await request.body()
        if len(body) > MAX_BODY:
            raise HTTPException(413)
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(given, signature(secret, body)):
            raise HTTPException(403)
        try:
            data = json.loads(body)
            number = str(data["claim_number"]).strip().upper()
            reference = str(data.get("reference", "")).strip()[:64]
        except (ValueError, KeyError, TypeError):
            raise HTTPException(400) from None
        try:
            closed = confirm_payment(database, number, reference, clock.now(), locales)
        except PaymentNotConfirmed as refused:
            return JSONResponse({"status": "refused", **refused.params}, status_code=409)
        return JSONResponse({"status": "confirmed" if closed else "already"})

    return router
