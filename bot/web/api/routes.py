"""``/api/``: claims, bookings, shops, timelines and metrics as JSON, behind a bearer token.

An insurer token sees everything; a shop token sees its own bookings and the claims linked
to them, and gets 404 for anything else (the same answer as for what does not exist, so
a shop cannot probe for claim numbers).
"""

import re
from collections import Counter
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from pydantic import BeforeValidator
from sqlalchemy import Connection

from bot.settings import Settings
from bot.web.api.models import (
    BookingDetailOut,
    BookingOut,
    BookingPage,
    ClaimDetailOut,
    ClaimOut,
    ClaimPage,
    ErrorOut,
    MetricsOut,
    OutboxMetricsOut,
    ShopList,
    ShopOut,
    TimelineEntryOut,
    TimelineOut,
    TimerMetricsOut,
)
from bot.web.auth import Viewer, viewer_dependency
from domain.booking import BookingStatus
from domain.claim import ClaimStatus
from domain.clock import Clock
from domain.sla import SlaState, take_sla_state
from scheduler.health import metrics as scheduler_metrics
from storage import read_models as rm
from storage.db import Database

NUMBER_PATTERN = r"^[A-Za-z0-9]{1,20}$"
TEXT_PATTERN = r"^[^\x00-\x1f]*$"
MAX_ID = 2**31 - 1  # PostgreSQL integer
MAX_OFFSET = 1_000_000

_NOT_FOUND = "not found"
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "no valid token"},
}
_ERRORS_404: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    404: {"model": ErrorOut, "description": "no such record visible to this token"},
}

Limit = Annotated[int, Query(ge=1, le=rm.MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
ClaimNumber = Annotated[str, Path(pattern=NUMBER_PATTERN, description="the claim number")]
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day_only(value: object) -> object:
    """Only ``YYYY-MM-DD``, as the dashboard's filters: pydantic would also read ``0`` or
    ``1700000000`` as a day counted from 1970."""
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        raise ValueError("a date as YYYY-MM-DD")
    return value


LocalDay = Annotated[
    date | None,
    BeforeValidator(_iso_day_only),
    Query(description="local date (YYYY-MM-DD), inclusive"),
]


def api_router(database: Database, clock: Clock, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["api"], responses=_ERRORS)
    CurrentViewer = Annotated[Viewer, Depends(viewer_dependency(database, clock))]
    policy = settings.sla_policy

    def sla_of(summary: rm.ClaimSummary, now: datetime) -> SlaState:
        return take_sla_state(
            policy,
            urgent=summary.urgent,
            reported_at=summary.reported_at,
            taken_at=summary.taken_at,
            now=now,
        )

    def read() -> Connection:
        return database.reader.connect()

    @router.get("/claims", response_model=ClaimPage, summary="Claims, newest report first")
    def list_claims(
        viewer: CurrentViewer,
        q: Annotated[
            str | None,
            Query(max_length=40, pattern=TEXT_PATTERN, description="part of number or plate"),
        ] = None,
        stage: ClaimStatus | None = None,
        reported_from: LocalDay = None,
        reported_to: LocalDay = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> ClaimPage:
        with read() as conn:
            found = rm.list_claims(
                conn,
                shop_code=viewer.shop_code,
                text=q,
                stage=None if stage is None else stage.value,
                reported_from=reported_from,
                reported_to=reported_to,
                limit=limit,
                offset=offset,
                tz=settings.tz,
            )
        now = clock.now()
        items = [ClaimOut.of(summary, sla_of(summary, now)) for summary in found]
        return ClaimPage(items=items, limit=limit, offset=offset)

    @router.get(
        "/claims/{number}",
        response_model=ClaimDetailOut,
        responses=_ERRORS_404,
        summary="One claim with its timeline, evidence, assessment, settlement and bookings",
    )
    def get_claim(viewer: CurrentViewer, number: ClaimNumber) -> ClaimDetailOut:
        with read() as conn:
            detail = rm.claim_detail(
                conn,
                number,
                shop_code=viewer.shop_code,
                tolerance=settings.adjudication_rules.evidence,
            )
        if detail is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_FOUND)
        return ClaimDetailOut.of_detail(detail, sla_of(detail.summary, clock.now()))

    @router.get(
        "/claims/{number}/timeline",
        response_model=TimelineOut,
        responses=_ERRORS_404,
        summary="Every change of a claim: who, when, why",
    )
    def get_claim_timeline(viewer: CurrentViewer, number: ClaimNumber) -> TimelineOut:
        with read() as conn:
            claim_id = rm.claim_id_of(conn, number, shop_code=viewer.shop_code)
            entries = [] if claim_id is None else rm.claim_timeline(conn, claim_id)
        if claim_id is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_FOUND)
        items = [TimelineEntryOut.model_validate(entry) for entry in entries]
        return TimelineOut(number=number, items=items)

    @router.get("/bookings", response_model=BookingPage, summary="Bookings, latest slot first")
    def list_bookings(
        viewer: CurrentViewer,
        status_: Annotated[BookingStatus | None, Query(alias="status")] = None,
        claim: Annotated[
            str | None, Query(pattern=NUMBER_PATTERN, description="only this claim's")
        ] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> BookingPage:
        with read() as conn:
            found = rm.list_bookings(
                conn,
                shop_code=viewer.shop_code,
                status=None if status_ is None else status_.value,
                claim_number=claim,
                limit=limit,
                offset=offset,
            )
        items = [BookingOut.model_validate(booking) for booking in found]
        return BookingPage(items=items, limit=limit, offset=offset)

    @router.get(
        "/bookings/{booking_id}",
        response_model=BookingDetailOut,
        responses=_ERRORS_404,
        summary="One booking with its timeline",
    )
    def get_booking(
        viewer: CurrentViewer, booking_id: Annotated[int, Path(ge=1, le=MAX_ID)]
    ) -> BookingDetailOut:
        with read() as conn:
            detail = rm.booking_detail(conn, booking_id, shop_code=viewer.shop_code)
        if detail is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_FOUND)
        return BookingDetailOut.of_detail(detail)

    @router.get("/shops", response_model=ShopList, summary="The repair network")
    def list_shops(viewer: CurrentViewer) -> ShopList:
        with read() as conn:
            shops = rm.list_shops(conn)
        return ShopList(items=[ShopOut.model_validate(shop) for shop in shops])

    @router.get("/metrics", response_model=MetricsOut, summary="Counts and delivery backlog")
    def get_metrics(viewer: CurrentViewer) -> MetricsOut:
        now = clock.now()
        with read() as conn:
            by_stage = rm.count_claims_by_stage(conn, shop_code=viewer.shop_code)
            by_status = rm.count_bookings_by_status(conn, shop_code=viewer.shop_code)
            open_claims = rm.open_claims_for_sla(conn, shop_code=viewer.shop_code)
        sla = Counter(
            take_sla_state(policy, urgent=u, reported_at=r, taken_at=t, now=now).value
            for u, r, t in open_claims
        )
        outbox = timers = None
        if viewer.is_insurer:
            operations = scheduler_metrics(database, now)
            outbox = OutboxMetricsOut(**operations["outbox"])
            timers = TimerMetricsOut(**operations["timers"])
        return MetricsOut(
            now=now,
            claims_by_stage=by_stage,
            sla={state.value: sla.get(state.value, 0) for state in SlaState},
            bookings_by_status=by_status,
            outbox=outbox,
            timers=timers,
        )

    return router
