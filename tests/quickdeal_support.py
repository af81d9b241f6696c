"""Two drivers of one accident on the web channel, through the real engine: the owner
reports a collision with another car and invites the other driver (快处快赔)."""

from __future__ import annotations

import re
from typing import Any

from bot.bootstrap import Container
from messages.inbound import InboundKind
from tests.engine_harness import Owner
from tests.media_samples import jpeg_bytes
from tests.test_adjudication_engine import Party, outbox

NUMBER = "BA2026112500001"
OTHER_PLATE = "沪B67890"
OTHER_PHONE = "13900139002"


def report_two_cars(owner: Owner) -> list[str]:
    """A report of a rear-end collision with one other car, nobody hurt; the filed reply."""
    owner.text("/report")
    owner.text("沪A12345")
    owner.text("8001")
    owner.choose("r:time:now")
    owner.send(InboundKind.LOCATION, payload={"lat": 31.2304, "lon": 121.4737})
    owner.text("等红灯时被后车追尾，后保险杠受损")
    owner.choose("r:injuries:no")
    owner.choose("r:drivable:yes")
    owner.choose("r:has_other:yes")
    owner.text(OTHER_PLATE)
    owner.choose("r:other_insurer:skip")
    owner.choose("r:more_other:no")
    owner.choose("r:witnesses:skip")
    owner.choose("r:police:skip")
    owner.photos([jpeg_bytes(seed=n) for n in range(3)])
    owner.choose("r:evidence:done")
    return owner.choose("r:summary:confirm")


def last_payload(container: Container, party: Party, key: str) -> dict[str, Any]:
    rows = [row.payload for row in outbox(container, party.user_id) if row.payload["key"] == key]
    assert rows, f"no {key} for {party.user_id}"
    return rows[-1]


def invite(container: Container, owner: Party) -> str:
    """The owner taps the offer; the code of the invitation."""
    assert owner.choose(f"q:inv:{NUMBER}") == ["quickdeal.invitation"]
    params = last_payload(container, owner, "quickdeal.invitation")["params"]
    code = str(params["code"])
    assert re.fullmatch(r"[23456789A-Z]{8}", code)
    return code


def join_with_details(other: Party, code: str) -> list[str]:
    assert other.text(f"快处 {code}") == ["quickdeal.joined", "quickdeal.ask.plate"]
    assert other.text(OTHER_PLATE) == ["quickdeal.ask.phone"]
    assert other.text(OTHER_PHONE) == ["quickdeal.ask.insurer"]
    return other.text("人保财险")
