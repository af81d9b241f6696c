"""小额快赔's payment port over HTTP: a fake bank on 127.0.0.1 receives the signed
instruction (refused once: it is kept and sent again), and its signed confirmation to
``/payments/confirm`` closes the claim once; a forged one changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from bot.bootstrap import Container, build
from bot.settings import Settings
from bot.web.app import create_app
from domain.claim import ClaimStatus
from storage.db import Database
from tests.engine_harness import database_url, import_sample
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.quickdeal_support import NUMBER
from tests.smallclaim_support import CARD, agreed_rear_end, documents, import_prices
from tests.test_adjudication_engine import stored

SECRET = "bank-shared-secret"


class FakeBank:
    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str]] = []
        self.refuse = 1  # the first instruction is answered 503
        self.app = FastAPI()

        @self.app.post("/instructions")
        async def instructions(request: Request) -> Response:
            body = await request.body()
            if self.refuse:
                self.refuse -= 1
                return Response(status_code=503)
            self.received.append((json.loads(body), request.headers["X-Claimbot-Signature"]))
            return Response(status_code=202)


@pytest.fixture
def bank() -> Iterator[tuple[FakeBank, str]]:
    fake = FakeBank()
    with serve(fake.app) as url:
        yield fake, url


@pytest.fixture
def webhook_container(
    database: Database, tmp_path: Path, clock: FixedClock, bank: tuple[FakeBank, str]
) -> Iterator[Container]:
    settings = Settings(
        database_url=database_url(database),
        media_dir=tmp_path / "media",
        payment_port="webhook",
        payment_webhook_url=f"{bank[1]}/instructions",
        payment_webhook_secret=SECRET,
    )
    built = build(settings, clock=clock)
    import_sample(built)
    import_prices(built)
    yield built
    built.close()


def sign(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_the_instruction_goes_to_the_bank_and_its_confirmation_closes_the_claim(
    webhook_container: Container, bank: tuple[FakeBank, str]
) -> None:
    container, (fake, _) = webhook_container, bank
    owner, _ = agreed_rear_end(container)
    owner.choose(f"f:go:{NUMBER}")
    owner.choose(f"f:part:{NUMBER}:rear_bumper")
    owner.choose(f"f:done:{NUMBER}")
    documents(owner)
    owner.text(CARD)
    owner.choose(f"f:card:{NUMBER}")
    assert owner.choose(f"f:acc:{NUMBER}:1") == ["smallclaim.paying"]
    assert fake.received == []  # refused once: kept, not lost
    assert container.small_claim is not None
    assert container.small_claim.hand_off() == 1
    ((message, signature),) = fake.received
    assert message["claim_number"] == NUMBER and message["amount_fen"] == 125_000
    body = json.dumps(message, ensure_ascii=False, sort_keys=True).encode()
    assert signature == sign(body)
    assert container.small_claim.hand_off() == 0  # sent once

    with serve(create_app(container)) as base:
        confirmation = json.dumps({"claim_number": NUMBER, "reference": "B-1"}).encode()
        headers = {"X-Claimbot-Signature": sign(confirmation)}
        forged = {"X-Claimbot-Signature": sign(b"something else")}
        url = f"{base}/payments/confirm"
        assert httpx.post(url, content=confirmation, headers=forged).status_code == 403
        assert stored(container).status is ClaimStatus.AGREED
        answer = httpx.post(url, content=confirmation, headers=headers)
        assert answer.json() == {"status": "confirmed"}
        again = httpx.post(url, content=confirmation, headers=headers)
        assert again.json() == {"status": "already"}
    claim = stored(container)
    assert claim.status is ClaimStatus.PAID
    assert claim.adjudication.payment is not None
    assert claim.adjudication.payment.reference == "B-1"
    assert owner.news()[-1] == "smallclaim.paid"
