"""Demo mode only (``CLAIMBOT_DEMO_MODE=true``): the web chat's identity switcher.

A tester plays the owner, the adjuster ADJ-SH-01 and the staff of shop SHOP-PD-01 from
one browser. Each identity is its own web chat user id (kept by the page); switching to
a staff identity binds that id exactly as a real person is bound: a one-time invite is
created and ``/bind CODE`` is sent through the engine as that user, so the chat shows the
usual confirmation. Outside demo mode these routes are not mounted (404).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from bot.engine import ConversationEngine
from bot.webchat import CHANNEL, ID_PATTERN
from domain.booking_services import create_shop_invite
from domain.clock import Clock
from domain.services import create_invite
from domain.staff import StaffRole
from messages.inbound import Inbound, InboundKind
from storage.db import Database

DEMO_ADJUSTER = "ADJ-SH-01"
DEMO_SHOP = "SHOP-PD-01"
INVITE_TTL = timedelta(minutes=5)

Role = Literal["owner", "adjuster", "shop"]


class Identity(BaseModel):
    role: Role
    code: str | None  # the adjuster's or the shop's code


class SwitchIn(BaseModel):
    user_id: Annotated[str, Field(pattern=ID_PATTERN)]
    role: Role
    language: Annotated[str | None, Field(max_length=35)] = None


class Switched(BaseModel):
    role: Role
    bound: bool  # False: the id already was that party (nothing sent)


def demo_router(engine: ConversationEngine, database: Database, clock: Clock) -> APIRouter:
    router = APIRouter(prefix="/chat/api/demo", include_in_schema=False)

    @router.get("/identities")
    def identities() -> list[Identity]:
        return [
            Identity(role="owner", code=None),
            Identity(role="adjuster", code=DEMO_ADJUSTER),
            Identity(role="shop", code=DEMO_SHOP),
        ]

    @router.post("/identity")
    def switch(body: SwitchIn) -> Switched:
        if body.role == "owner":
            return Switched(role="owner", bound=False)
        code = _invite(database, clock, body.user_id, body.role)
        if code is None:
            return Switched(role=body.role, bound=False)
        engine.process(
            Inbound(
                channel=CHANNEL,
                user_id=body.user_id,
                chat_id=body.user_id,
                message_id=f"demo-bind-{uuid.uuid4().hex}",
                kind=InboundKind.TEXT,
                text=f"/bind {code}",
                received_at=clock.now(),
                language_hint=body.language,
            )
        )
        return Switched(role=body.role, bound=True)

    return router


def _invite(database: Database, clock: Clock, user_id: str, role: Role) -> str | None:
    """A one-time code for the staff identity; None when the id already is that person."""
    now = clock.now()
    with database.unit_of_work() as uow:
        party = uow.recipients.party_of(CHANNEL, user_id)
        if party is not None:
            adjuster = uow.staff.adjuster_for_party(party)
            staff = uow.shops.staff_for_party(party)
            if adjuster is not None or staff is not None:
                if role == "adjuster" and adjuster is not None and adjuster.code == DEMO_ADJUSTER:
                    return None
                shop = uow.shops.by_code(DEMO_SHOP)
                if role == "shop" and staff is not None and shop and staff.shop_id == shop.id:
                    return None
                raise HTTPException(409, "this browser id is already another staff member")
        if role == "adjuster":
            known = uow.staff.adjuster_by_code(DEMO_ADJUSTER)
            code, _ = create_invite(
                uow,
                role=StaffRole.ADJUSTER,
                name=known.name if known else DEMO_ADJUSTER,
                now=now,
                staff_code=DEMO_ADJUSTER,
                region=known.region if known else None,
                ttl=INVITE_TTL,
            )
        else:
            shop = uow.shops.by_code(DEMO_SHOP)
            if shop is None or shop.id is None:
                raise HTTPException(409, f"import the sample directory first (no {DEMO_SHOP})")
            members = uow.shops.staff(shop.id)
            name = members[0].name if members else DEMO_SHOP
            code, _ = create_shop_invite(
                uow, shop_code=DEMO_SHOP, name=name, now=now, ttl=INVITE_TTL
            )
        uow.commit()
    return code
