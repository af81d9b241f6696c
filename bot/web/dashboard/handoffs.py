"""The dashboard's human handoff queue: owners waiting for a person, with their chat;
staff reply (the reply reaches the owner on their channel through the outbox) and close
the handoff, which hands the conversation back to the bot where it was."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.settings import Settings
from bot.web.auth import insurer_of
from bot.web.dashboard.rendering import PageRenderer, request_locale
from dialogs import human
from dialogs.conversation import Conversation
from dialogs.router import reprompt
from domain.clock import Clock
from locales.catalog import Catalogs
from messages.outbound import Outbound
from storage.db import Database
from storage.records import OutboxItem
from storage.repositories.handoffs import Handoff
from storage.uow import SqlUnitOfWork

LOGIN = "/dashboard/login"
QUEUE = "/dashboard/handoffs"
MAX_REPLY = 2000


class HandoffDesk:
    def __init__(
        self,
        database: Database,
        catalogs: Catalogs,
        settings: Settings,
        clock: Clock,
        wake: Callable[[], None],
    ) -> None:
        self._database = database
        self._settings = settings
        self._clock = clock
        self._wake = wake  # the outbox dispatcher, after rows were committed
        self._pages = PageRenderer(catalogs, settings.tz)

    def router(self) -> APIRouter:
        router = APIRouter(prefix=QUEUE, include_in_schema=False)
        router.add_api_route("", self.queue, methods=["GET"])
        router.add_api_route("/{handoff_id}/reply", self.reply, methods=["POST"])
        router.add_api_route("/{handoff_id}/close", self.close, methods=["POST"])
        return router

    def queue(self, request: Request) -> Response:
        viewer = insurer_of(request, self._database, self._clock)
        if viewer is None:
            return RedirectResponse(LOGIN, status_code=303)
        with self._database.reading() as uow:
            waiting = uow.handoffs.waiting()
        now = self._clock.now()
        locale = request_locale(request, self._settings.default_locale)
        html = self._pages.render(
            "handoffs.html",
            locale,
            viewer=viewer,
            active="handoffs",
            waiting=waiting,
            minutes=lambda h: int((now - h.opened_at).total_seconds() // 60),
            standalone=False,
            inline_css="",
            live=False,
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    def reply(
        self,
        request: Request,
        handoff_id: int,
        text: Annotated[str, Form(min_length=1, max_length=MAX_REPLY)],
    ) -> Response:
        viewer = insurer_of(request, self._database, self._clock)
        if viewer is None:
            return RedirectResponse(LOGIN, status_code=303)
        reply = text.strip()
        if not reply:
            raise HTTPException(422, "empty reply")
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            handoff = self._open(uow, handoff_id)
            uow.handoffs.add_message(
                handoff.id, now, reply, from_owner=False, author=f"token:{viewer.token_id}"
            )
            self._send(uow, handoff, Outbound("human.reply", {"text": reply}))
            uow.commit()
        self._wake()
        return RedirectResponse(QUEUE, status_code=303)

    def close(self, request: Request, handoff_id: int) -> Response:
        viewer = insurer_of(request, self._database, self._clock)
        if viewer is None:
            return RedirectResponse(LOGIN, status_code=303)
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            handoff = self._open(uow, handoff_id)
            uow.handoffs.close(handoff.id, now, f"token:{viewer.token_id}")
            record = uow.conversations.get_for_update(handoff.channel, handoff.chat_id)
            conv = Conversation(party_id=handoff.party_id, locale=handoff.locale)
            if record is not None and human.load(record.slots).handoff == handoff.id:
                record.dialog, record.state, record.slots = human.restored_state(record.slots)
                uow.conversations.save(record)
                conv = Conversation(
                    party_id=record.party_id,
                    locale=record.locale,
                    dialog=record.dialog,
                    state=record.state,
                    slots=dict(record.slots),
                )
            ended = Outbound("human.ended", {"by_owner": False})
            for n, message in enumerate([ended, *reprompt(conv)]):
                self._send(uow, handoff, message, n)
            uow.commit()
        self._wake()
        return RedirectResponse(QUEUE, status_code=303)

    @staticmethod
    def _open(uow: SqlUnitOfWork, handoff_id: int) -> Handoff:
        handoff = uow.handoffs.get(handoff_id)
        if handoff is None or handoff.closed_at is not None:
            raise HTTPException(404)
        return handoff

    def _send(self, uow: SqlUnitOfWork, handoff: Handoff, message: Outbound, n: int = 0) -> None:
        item = OutboxItem(
            channel=handoff.channel,
            chat_id=handoff.chat_id,
            locale=handoff.locale,
            payload=message.to_payload(),
            idempotency_key=f"handoff:{handoff.id}:{uuid.uuid4().hex}:{n}",
            party_id=handoff.party_id,
        )
        uow.outbox.add([item], self._clock.now())
