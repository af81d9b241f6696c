"""Demo mode only (``CLAIMBOT_DEMO_MODE=true``): the web chat's identity switcher.

A tester plays the owner, the adjuster ADJ-SH-01 and the staff of shop SHOP-PD-01 from
one browser. Each identity is its own chat, derived on the server from the browser's
owner chat (``bot.channels.webchat.sessions.role_chat``); switching issues a new session cookie for
the chosen identity, so the identity stays bound to the server's session and no id is
ever sent by the page. Switching to a staff identity binds its chat exactly as a real
person is bound: a one-time invite is created and ``/bind CODE`` is sent through the
engine as that chat, so the chat shows the usual confirmation. Outside demo mode these
routes are not mounted (404).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from bot.channels.webchat import CHANNEL
from bot.channels.webchat.sessions import ChatSessions, role_chat, role_of
from bot.engine import SqlEngine
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


class Identities(BaseModel):
    current: Role  # the identity of the browser's session (owner without one)
    identities: list[Identity]


class SwitchIn(BaseModel):
    role: Role
    language: Annotated[str | None, Field(max_length=35)] = None


class Switched(BaseModel):
    role: Role
    bound: bool  # False: the chat already was that party (nothing sent)


def demo_router(
    engine: SqlEngine, database: Database, clock: Clock, sessions: ChatSessions
) -> APIRouter:
    router = APIRouter(prefix="/chat/api/demo", include_in_schema=False)

    @router.get("/identities")
    def identities(request: Request, response: Response) -> Identities:
        chat = sessions.current(request, response)
        role = role_of(chat) if chat is not None else "owner"
        return Identities(
            current=role if role in ("adjuster", "shop") else "owner",
            identities=[
                Identity(role="owner", code=None),
                Identity(role="adjuster", code=DEMO_ADJUSTER),
                Identity(role="shop", code=DEMO_SHOP),
            ],
        )

    @router.post("/identity")
    def switch(request: Request, response: Response, body: SwitchIn) -> Switched:
        chat = role_chat(sessions.current_or_new(request, response), body.role)
        code = None if body.role == "owner" else _invite(database, clock, chat, body.role)
        sessions.switch(request, response, chat)
        if code is None:
            return Switched(role=body.role, bound=False)
        engine.process(
            Inbound(
                channel=CHANNEL,
                user_id=chat,
                chat_id=chat,
                message_id=f"demo-bind-{uuid.uuid4().hex}",
                kind=InboundKind.TEXT,
                text=f"/bind {code}",
                received_at=clock.now(),
                language_hint=body.language,
            )
        )
        return Switched(role=body.role, bound=True)

    return router


def _invite(database: Database, clock: Clock, chat: str, role: Role) -> str | None:
    """A one-time code for the staff identity; None when the chat already is that person."""
    now = clock.now()
    with database.unit_of_work() as uow:
        party = uow.recipients.party_of(CHANNEL, chat)
        if party is not None:
            adjuster = uow.staff.adjuster_for_party(party)
            staff = uow.shops.staff_for_party(party)
            if adjuster is not None or staff is not None:
                if role == "adjuster" and adjuster is not None and adjuster.code == DEMO_ADJUSTER:
                    return None
                shop = uow.shops.by_code(DEMO_SHOP)
                if role == "shop" and staff is not None and shop and staff.shop_id == shop.id:
                    return None
                raise HTTPException(409, "this chat is already another staff member")
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
