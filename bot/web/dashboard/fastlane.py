"""The dashboard's fast lane: the sampled automatic decisions a supervisor reviews
(``CLAIMBOT_FAST_SAMPLE_PERCENT``), each marked reviewed or reopened, and the issued
快处快赔 agreements with their printable page and PDF.

Reopening hands the claim to a person: the decision is marked reviewed as reopened, a
proposal still awaiting the owner is withdrawn (superseded, the claim back to 已定损), and
the claim's adjuster (else the region's) is told with the reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.agreement.files import AgreementFiles
from bot.settings import Settings
from bot.web.auth import insurer_of
from bot.web.dashboard.rendering import PageRenderer, request_locale
from domain.adjudication import ProposalOutcome
from domain.claim import Action, ClaimStatus
from domain.clock import Clock
from domain.services import adjusters_to_page
from locales.catalog import Catalogs
from messages.outbound import Outbound
from storage.db import Database
from storage.records import OutboxItem
from storage.repositories.fastlane_decisions import RecordedDecision
from storage.uow import SqlUnitOfWork

LOGIN = "/dashboard/login"
PAGE = "/dashboard/fastlane"
MAX_AGREEMENTS = 100
ACTIONS = ("reviewed", "reopen")


@dataclass(frozen=True)
class AgreementLink:
    number: str
    html_url: str
    pdf_url: str


class FastLaneDesk:
    def __init__(
        self,
        database: Database,
        catalogs: Catalogs,
        settings: Settings,
        clock: Clock,
        agreements: AgreementFiles | None,
        wake: Callable[[], None],
    ) -> None:
        self._database = database
        self._settings = settings
        self._clock = clock
        self._agreements = agreements
        self._wake = wake
        self._pages = PageRenderer(catalogs, settings.tz)
        self._locales = catalogs.locales

    def router(self) -> APIRouter:
        router = APIRouter(prefix=PAGE, include_in_schema=False)
        router.add_api_route("", self.page, methods=["GET"])
        router.add_api_route("/decisions/{decision_id}", self.review, methods=["POST"])
        return router

    def page(self, request: Request) -> Response:
        viewer = insurer_of(request, self._database, self._clock)
        if viewer is None:
            return RedirectResponse(LOGIN, status_code=303)
        with self._database.reading() as uow:
            sampled = uow.fastlane_decisions.to_review()
            numbers = uow.quick_deals.agreed_claims(MAX_AGREEMENTS)
        agreements = [self._links(number) for number in numbers]
        locale = request_locale(request, self._settings.default_locale)
        html = self._pages.render(
            "fastlane.html",
            locale,
            viewer=viewer,
            active="fastlane",
            sampled=sampled,
            agreements=agreements,
            standalone=False,
            inline_css="",
            live=False,
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    def review(
        self,
        request: Request,
        decision_id: int,
        action: Annotated[str, Form(max_length=20)],
    ) -> Response:
        viewer = insurer_of(request, self._database, self._clock)
        if viewer is None:
            return RedirectResponse(LOGIN, status_code=303)
        if action not in ACTIONS:
            raise HTTPException(400)
        who = viewer.staff_code or f"token:{viewer.token_id}"
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            store = uow.fastlane_decisions
            decision = next((d for d in store.to_review(1000) if d.id == decision_id), None)
            if decision is None:
                raise HTTPException(404)  # not sampled, or reviewed already
            store.mark_reviewed(decision_id, f"{who} {action}", now)
            if action == "reopen":
                self._reopen(uow, decision, who)
            uow.commit()
        self._wake()
        return RedirectResponse(PAGE, status_code=303)

    def _reopen(self, uow: SqlUnitOfWork, decision: RecordedDecision, who: str) -> None:
        now = self._clock.now()
        claim = uow.claims.get_for_update(decision.claim_number)
        if claim is None:
            return
        pending = claim.adjudication.pending_settlement
        if pending is not None and claim.status is ClaimStatus.SETTLEMENT_PROPOSED:
            pending.outcome = ProposalOutcome.SUPERSEDED
            note = f"reopened by {who}"
            claim.change_status(ClaimStatus.ASSESSED, now, who, note, Action.SETTLE)
            uow.claims.save(claim)
        if claim.adjuster_id is not None:
            adjuster = uow.staff.adjuster(claim.adjuster_id)
            staff = [adjuster] if adjuster is not None else []
        else:
            staff = adjusters_to_page(uow, claim)
        reason = {"key": "smallclaim.reason.reopened", "params": {"by": who}}
        notice = Outbound("smallclaim.adjuster", {"number": claim.number, "reasons": [reason]})
        for person in staff:
            if person.party_id is None:
                continue
            uow.outbox.add(
                [
                    OutboxItem(
                        channel=r.channel,
                        chat_id=r.chat_id,
                        locale=r.locale if r.locale in self._locales else self._locales[0],
                        payload=notice.to_payload(),
                        idempotency_key=f"reopen:{decision.id}:{r.channel}:{r.chat_id}",
                        party_id=person.party_id,
                    )
                    for r in uow.recipients.of_party(person.party_id)
                ],
                now,
            )

    def _links(self, number: str) -> AgreementLink:
        files = self._agreements
        if files is None:
            return AgreementLink(number, "", "")
        pdf = files.url(number, "pdf") if files.path(number, "pdf").is_file() else ""
        html = files.url(number, "html") if files.path(number, "html").is_file() else ""
        return AgreementLink(number, html, pdf)

