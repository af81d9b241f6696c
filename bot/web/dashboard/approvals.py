"""The dashboard's second approval (核赔): a supervisor approves or sends back a held
decision from the claim page, and the page shows what waits, the documents checklist
and the statutory clocks.

A dashboard token acts only as the staff member it was issued to (``claimbot token
create --scope insurer --staff SUP-SH-01``). The action is the supervisor's own chat turn
(``/approve N`` or ``/sendback N reason``), run by the conversation engine for their
first chat identity: one way to approve, the same refusals, the same notices to the owner
and the adjuster, and the supervisor's chat keeps the record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from bot.engine import SqlEngine
from bot.web.auth import Viewer
from domain.approval import PendingApproval, Step, pending_approval
from domain.claim_clocks import clock_events
from domain.claim_documents import ClaimChecklist, claim_checklist
from domain.clock import Clock
from domain.statutory_clocks import ClockRules, ClockState, StatutoryClock, claim_clocks
from messages.inbound import Inbound, InboundKind
from storage.db import Database

DECISIONS = ("approve", "send_back")
MAX_REASON = 500


@dataclass(frozen=True)
class ClockView:
    clock: StatutoryClock
    state: ClockState


@dataclass(frozen=True)
class Rulebook:
    """What the claim page shows of the rule book: the held decision, the clocks."""

    pending: PendingApproval | None
    clocks: list[ClockView]
    may_approve: bool  # the viewer is a supervisor other than the one who asked
    checklist: ClaimChecklist | None = None


def rulebook(
    database: Database, number: str, viewer: Viewer, rules: ClockRules, now: datetime
) -> Rulebook | None:
    with database.reading() as uow:
        claim = uow.claims.get(number)
        staff = uow.staff.adjuster_by_code(viewer.staff_code) if viewer.staff_code else None
    if claim is None:
        return None
    held = pending_approval(claim)
    documents = claim_checklist(claim)
    complete_at = None if documents is None else documents.complete_at
    events = clock_events(claim, complete_at)
    clocks = [ClockView(c, c.state(now)) for c in claim_clocks(events, rules)]
    may = (
        held is not None
        and viewer.is_insurer
        and staff is not None
        and staff.supervisor
        and staff.actor != held.requested_by
    )
    return Rulebook(held, clocks, may, documents)


Refused = Callable[[Request, Viewer, str, dict[str, Any], str], Response]


MAX_AWAITING = 50


def awaiting_approval(database: Database) -> list[tuple[str, PendingApproval]]:
    """Open claims whose decision waits for a supervisor, oldest request first."""
    held = [step.value for step in (Step.HOLD_REJECT, Step.HOLD_SETTLE)]
    found: list[tuple[str, PendingApproval]] = []
    with database.reading() as uow:
        for number in uow.claims.open_with_action(held):
            claim = uow.claims.get(number)
            pending = None if claim is None else pending_approval(claim)
            if pending is not None:
                found.append((number, pending))
    found.sort(key=lambda entry: entry[1].requested_at)
    return found[:MAX_AWAITING]


class ApprovalAction:
    def __init__(
        self,
        database: Database,
        engine: SqlEngine | None,
        clock: Clock,
        viewer: Callable[[Request], Viewer | None],
        refused: Refused,
    ) -> None:
        self._database = database
        self._engine = engine
        self._clock = clock
        self._viewer = viewer
        self._refused = refused

    def submit(
        self,
        request: Request,
        number: str,
        decision: Annotated[str, Form(max_length=20)],
        reason: Annotated[str, Form(max_length=MAX_REASON)] = "",
    ) -> Response:
        viewer = self._viewer(request)
        if viewer is None:
            return RedirectResponse("/dashboard/login", status_code=303)
        if not viewer.is_insurer or viewer.staff_code is None or self._engine is None:
            raise HTTPException(403)
        if decision not in DECISIONS:
            raise HTTPException(400)
        number = number.strip().upper()[:20]
        chat = self._chat_of(viewer.staff_code)
        if chat is None:
            raise HTTPException(403)
        typed = f"/approve {number}" if decision == "approve" else f"/sendback {number} {reason}"
        inbound = Inbound(
            channel=chat[0],
            user_id=chat[1],
            chat_id=chat[1],
            message_id=f"dashboard-{uuid.uuid4().hex}",
            kind=InboundKind.TEXT,
            text=typed.strip(),
            received_at=self._clock.now(),
        )
        outcome = self._engine.process(inbound)
        answer = outcome.replies[0] if outcome.replies else None
        if answer is None or not answer.key.startswith("approval."):
            key = answer.key if answer else "claims.refusal.refused"
            params = dict(answer.params) if answer else {}
            return self._refused(request, viewer, key, params, f"/dashboard/claims/{number}")
        return RedirectResponse(f"/dashboard/claims/{number}", status_code=303)

    def _chat_of(self, staff_code: str) -> tuple[str, str] | None:
        """The first chat identity of the staff member the token was issued to."""
        with self._database.reading() as uow:
            staff = uow.staff.adjuster_by_code(staff_code)
            if staff is None or staff.party_id is None:
                return None
            found = uow.recipients.of_party(staff.party_id)
        return (found[0].channel, found[0].chat_id) if found else None
