"""The dashboard's routes: login, the claim and booking lists, details, media, analytics.

Every page needs a token (``bot.web.auth``: bearer header, or the session cookie set at
sign-in, ``bot.web.dashboard.login``); without one a page redirects to ``/dashboard/login``
and the JSON/CSV/media routes answer 401. A shop token sees its own bookings and the
claims linked to them; anything else is answered 404, exactly like a number that does not
exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from bot.engine import SqlEngine
from bot.media_intake import MediaIntake
from bot.settings import Settings
from bot.signing import Signer
from bot.web.auth import Viewer, viewer_of
from bot.web.dashboard.analytics_view import build_report, report_csv, report_html
from bot.web.dashboard.approvals import ApprovalAction, awaiting_approval, rulebook
from bot.web.dashboard.login import Login
from bot.web.dashboard.rendering import LANG_COOKIE, STATIC, PageRenderer, request_locale
from bot.web.security.media_response import media_copy_response, media_response
from domain.claim import ClaimStatus
from domain.clock import Clock
from domain.fraud_signals import reuse_by_photo
from domain.geo import CoordinateSystem, GeoPoint, map_url
from domain.sla import take_sla_state
from locales.catalog import Catalogs
from locales.notes import NoteWords, booking_note, claim_note
from storage import read_models
from storage.db import Database
from storage.read_models.fraud import FraudQueries
from storage.read_models.personal_data import FullIdentifiers
from storage.repositories.consents import DataView

LOGIN = "/dashboard/login"
STATIC_FILES = {
    "theme.css": "text/css",
    "dashboard.css": "text/css",
    "dashboard.js": "text/javascript",
}
PAGE_SIZE = 50
STAGES = tuple(status.value for status in ClaimStatus)
ANALYTICS_DAYS = 30
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class ClaimRow:
    """A claim as a line of the list: the read model plus what needs the clock."""

    claim: read_models.ClaimSummary
    age: timedelta
    sla: str


class FilterError(Exception):
    """A filter the page cannot apply: answered 400 with the reason (``dashboard.error.*``)."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class Dashboard:
    def __init__(
        self,
        database: Database,
        catalogs: Catalogs,
        settings: Settings,
        clock: Clock,
        intake: MediaIntake,
        signer: Signer,
        engine: SqlEngine | None = None,  # the supervisor's approvals (核赔)
    ) -> None:
        self._database = database
        self._approval = ApprovalAction(database, engine, clock, self._viewer, self._answer)
        self._signer = signer
        self._settings = settings
        self._clock = clock
        self._intake = intake
        self._pages = PageRenderer(catalogs, settings.tz)

    def router(self) -> APIRouter:
        router = APIRouter(prefix="/dashboard", include_in_schema=False)
        router.add_api_route("/static/{name}", self.static, methods=["GET"])
        login = Login(
            self._database,
            self._clock,
            self._signer,
            rule=self._settings.login_rule,
            session_lifetime=timedelta(hours=self._settings.dashboard_session_hours),
            page=self._page,
            viewer=self._viewer,
        )
        router.add_api_route("/login", login.form, methods=["GET"])
        router.add_api_route("/login", login.submit, methods=["POST"])
        router.add_api_route("/logout", login.logout, methods=["POST"])
        router.add_api_route("", self.claims, methods=["GET"])
        router.add_api_route("/changes", self.changes, methods=["GET"])
        router.add_api_route("/claims/{number}", self.claim, methods=["GET"])
        router.add_api_route("/claims/{number}/full", self.claim_in_full, methods=["POST"])
        router.add_api_route("/claims/{number}/media/{media_id}", self.media, methods=["GET"])
        router.add_api_route("/claims/{number}/approval", self._approval.submit, methods=["POST"])
        router.add_api_route("/bookings/{booking_id}", self.booking, methods=["GET"])
        router.add_api_route("/analytics", self.analytics, methods=["GET"])
        router.add_api_route("/analytics.csv", self.analytics_csv, methods=["GET"])
        return router

    # --- plumbing ------------------------------------------------------------------------

    def static(self, name: str) -> FileResponse:
        if name not in STATIC_FILES:
            raise HTTPException(404)
        return FileResponse(STATIC / name, media_type=STATIC_FILES[name])

    def _locale(self, request: Request) -> str:
        return request_locale(request, self._settings.default_locale)

    def _viewer(self, request: Request) -> Viewer | None:
        return viewer_of(request, self._database, self._clock)

    def _page(self, request: Request, template: str, status: int = 200, **context: Any) -> Response:
        locale = self._locale(request)
        context.setdefault("standalone", False)
        context.setdefault("inline_css", "")
        context.setdefault("live", False)
        html = self._pages.render(template, locale, **context)
        response = HTMLResponse(html, status_code=status, headers=NO_STORE)
        wanted = request.query_params.get("lang")
        if wanted:
            response.set_cookie(LANG_COOKIE, locale, samesite="strict", httponly=True)
        return response

    def _refused(
        self, request: Request, viewer: Viewer, problem: FilterError, back: str
    ) -> Response:
        reason = self._pages.text(self._locale(request), problem.key, **problem.params)
        return self._page(
            request, "error.html", status=400, viewer=viewer, active="", problem=reason, back=back
        )

    def _answer(
        self, request: Request, viewer: Viewer, key: str, params: dict[str, Any], back: str
    ) -> Response:
        """A refused action, answered with the chat's own sentence for it."""
        return self._refused(request, viewer, FilterError(key, **params), back)

    def _notes(self, request: Request) -> NoteWords:
        return self._pages.note_words(self._locale(request))

    def _sla(self, claim: read_models.ClaimSummary, now: datetime) -> str:
        """On time, at risk or breached: the promise of an adjuster taking the claim."""
        return take_sla_state(
            self._settings.sla_policy,
            urgent=claim.urgent,
            reported_at=claim.reported_at,
            taken_at=claim.taken_at,
            now=now,
        ).value

    def _marker(self, viewer: Viewer) -> str:
        with self._database.reader.connect() as conn:
            return read_models.change_marker(conn, shop_code=viewer.shop_code)

    # --- lists and details ---------------------------------------------------------------

    def claims(
        self,
        request: Request,
        q: Annotated[str, Query(max_length=40)] = "",
        stage: Annotated[str, Query(max_length=30)] = "",
        reported_from: Annotated[str, Query(alias="from", max_length=10)] = "",
        reported_to: Annotated[str, Query(alias="to", max_length=10)] = "",
        offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    ) -> Response:
        viewer = self._viewer(request)
        if viewer is None:
            return RedirectResponse(LOGIN, status_code=303)
        try:
            first, last = _date_range(reported_from, reported_to)
            if stage and stage not in STAGES:
                raise FilterError("dashboard.error.bad_stage", value=stage)
        except FilterError as problem:
            return self._refused(request, viewer, problem, "/dashboard")
        now = self._clock.now()
        with self._database.reader.connect() as conn:
            found = read_models.list_claims(
                conn,
                shop_code=viewer.shop_code,
                text=q or None,
                stage=stage or None,
                reported_from=first,
                reported_to=last,
                limit=PAGE_SIZE + 1,
                offset=offset,
                tz=self._settings.tz,
            )
            bookings = read_models.list_bookings(conn, shop_code=viewer.shop_code, limit=PAGE_SIZE)
            stages = read_models.count_claims_by_stage(conn, shop_code=viewer.shop_code)
            marker = read_models.change_marker(conn, shop_code=viewer.shop_code)
        filters = {"q": q, "stage": stage, "from": reported_from, "to": reported_to}
        rows = [
            ClaimRow(claim, now - claim.reported_at, self._sla(claim, now))
            for claim in found[:PAGE_SIZE]
        ]
        return self._page(
            request,
            "claims.html",
            viewer=viewer,
            active="list",
            live=True,
            marker=marker,
            rows=rows,
            bookings=bookings,
            stages=stages,
            filters=filters,
            stage_names=list(STAGES),
            awaiting=awaiting_approval(self._database) if viewer.is_insurer else [],
            page_query=lambda at: urlencode({**filters, "offset": max(at, 0)}),
            offset=offset,
            more=len(found) > PAGE_SIZE,
            page_size=PAGE_SIZE,
        )

    def claim(self, request: Request, number: str) -> Response:
        return self._claim(request, number, full=False)

    def claim_in_full(self, request: Request, number: str) -> Response:
        """The claim page with plate, policy, holder and phone unmasked: the insurer's
        staff only (a shop gets 403), and each such view is recorded (``data_views``)."""
        return self._claim(request, number, full=True)

    def _claim(self, request: Request, number: str, *, full: bool) -> Response:
        viewer = self._viewer(request)
        if viewer is None:
            return RedirectResponse(LOGIN, status_code=303)
        if full and not viewer.is_insurer:
            raise HTTPException(403)
        with self._database.reader.connect() as conn:
            detail = read_models.claim_detail(
                conn,
                number.strip().upper()[:20],
                shop_code=viewer.shop_code,
                tolerance=self._settings.adjudication_rules.evidence,
            )
            marker = read_models.change_marker(conn, shop_code=viewer.shop_code)
            if detail is None:
                raise HTTPException(404)
            reused = self._reused(conn, detail.summary) if viewer.is_insurer else {}
        summary = detail.summary
        now = self._clock.now()
        identifiers, views = self._personal_data(viewer, summary.number, full, now)
        sla = self._sla(summary, now)
        words = self._notes(request)
        return self._page(
            request,
            "claim.html",
            viewer=viewer,
            active="claim",
            live=True,
            marker=marker,
            detail=detail,
            c=summary,
            sla=sla,
            age=now - summary.reported_at,
            map_link=_map_link(detail),
            reused=reused,
            actor=lambda value: self._actor(request, value),
            note=lambda entry: claim_note(words, entry.action, entry.reason),
            full=identifiers,
            data_views=views,
            rulebook=rulebook(
                self._database, summary.number, viewer, self._settings.clock_rules, now
            ),
        )

    def _reused(self, conn: Connection, summary: read_models.ClaimSummary) -> dict[int, list[str]]:
        """The other claims each photo also appears in (insurer staff only: a shop is not
        shown other claims)."""
        rule = self._settings.adjudication_rules.photo_reuse
        since = summary.reported_at - rule.lookback
        matches = FraudQueries(conn).photo_matches(summary.number, since, rule.max_distance)
        return reuse_by_photo(matches)

    def _personal_data(
        self, viewer: Viewer, number: str, full: bool, now: datetime
    ) -> tuple[FullIdentifiers | None, list[DataView]]:
        """The unmasked identifiers when asked for (the view recorded first), and for the
        insurer the record of such views."""
        if not viewer.is_insurer:
            return None, []
        with self._database.unit_of_work() as uow:
            identifiers = uow.full_identifiers(number) if full else None
            if identifiers is not None:
                uow.data_views.record(number, f"token:{viewer.token_id}", now)
            views = uow.data_views.of_claim(number)
            uow.commit()
        return identifiers, views

    def media(self, request: Request, number: str, media_id: int) -> Response:
        """A claim's photo or video, for a viewer who may open the claim (else 404)."""
        viewer = self._viewer(request)
        if viewer is None:
            raise HTTPException(401)
        with self._database.reader.connect() as conn:
            detail = read_models.claim_detail(conn, number[:20], shop_code=viewer.shop_code)
        if detail is None or media_id not in {item.media_id for item in detail.evidence}:
            raise HTTPException(404)
        if viewer.shop_code is not None:  # shops get a copy without the recorded location
            copy = self._intake.served_copy(media_id)
            if copy is None:
                raise HTTPException(404)
            return media_copy_response(copy[0], copy[1], media_id)
        found = self._intake.stored_file(media_id)  # the insurer checks the original
        if found is None:
            raise HTTPException(404)
        path, mime = found
        return media_response(path, mime)

    def booking(self, request: Request, booking_id: int) -> Response:
        viewer = self._viewer(request)
        if viewer is None:
            return RedirectResponse(LOGIN, status_code=303)
        with self._database.reader.connect() as conn:
            detail = read_models.booking_detail(conn, booking_id, shop_code=viewer.shop_code)
            marker = read_models.change_marker(conn, shop_code=viewer.shop_code)
        if detail is None:
            raise HTTPException(404)
        words = self._notes(request)
        return self._page(
            request,
            "booking.html",
            viewer=viewer,
            active="booking",
            live=True,
            marker=marker,
            b=detail.summary,
            detail=detail,
            actor=lambda value: self._actor(request, value),
            note=lambda entry: booking_note(words, entry.from_status, entry.to_status, entry.note),
        )

    def changes(self, request: Request, since: Annotated[str, Query(max_length=200)] = "") -> Any:
        """Whether anything the viewer sees changed since the page's marker (the poller)."""
        viewer = self._viewer(request)
        if viewer is None:
            raise HTTPException(401)
        marker = self._marker(viewer)
        return JSONResponse({"marker": marker, "changed": marker != since}, headers=NO_STORE)

    def _actor(self, request: Request, value: str) -> str:
        """Who did it, in words: the owner, an adjuster by code, shop staff, the system."""
        kind, _, ident = value.partition(":")
        locale = self._locale(request)
        if kind in {"party", "adjuster", "shop_staff", "system"}:
            return self._pages.text(locale, f"dashboard.actor.{kind}", id=ident)
        return value

    # --- analytics -----------------------------------------------------------------------

    def _window(self, since: str, until: str) -> tuple[datetime, datetime]:
        """Local dates, both inclusive; by default the last 30 days up to today.

        Raises FilterError for a date that is not one or an end before the start."""
        tz = self._settings.tz
        first, last = _date_range(since, until)
        last = last or self._clock.now().astimezone(tz).date()
        first = first or last - timedelta(days=ANALYTICS_DAYS - 1)
        _check_order(first, last)  # a start after today, with no end given
        start = datetime.combine(first, time(0), tzinfo=tz)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
        return start, end

    async def analytics(
        self,
        request: Request,
        since: Annotated[str, Query(max_length=10)] = "",
        until: Annotated[str, Query(max_length=10)] = "",
    ) -> Response:
        viewer = self._viewer(request)
        if viewer is None:
            return RedirectResponse(LOGIN, status_code=303)
        try:
            start, end = self._window(since, until)
        except FilterError as problem:
            return self._refused(request, viewer, problem, "/dashboard/analytics")
        report = await run_in_threadpool(self._report, viewer, start, end)
        locale = self._locale(request)
        query = f"?since={start.date().isoformat()}&until={(end - timedelta(days=1)).date()}"
        html = report_html(
            self._pages,
            locale,
            report,
            standalone=False,
            query=query,
            shop_view=not viewer.is_insurer,
            viewer=viewer,
            since_value=start.date().isoformat(),
            until_value=(end - timedelta(days=1)).date().isoformat(),
        )
        return HTMLResponse(html, headers=NO_STORE)

    def analytics_csv(
        self,
        request: Request,
        since: Annotated[str, Query(max_length=10)] = "",
        until: Annotated[str, Query(max_length=10)] = "",
    ) -> Response:
        viewer = self._viewer(request)
        if viewer is None:
            raise HTTPException(401)
        try:
            start, end = self._window(since, until)
        except FilterError as problem:
            reason = self._pages.text(self._locale(request), problem.key, **problem.params)
            return PlainTextResponse(reason, status_code=400, headers=NO_STORE)
        report = self._report(viewer, start, end)
        body = report_csv(report, shop_view=not viewer.is_insurer)
        name = f"claimbot-analytics-{start.date()}-{(end - timedelta(days=1)).date()}.csv"
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
        )

    def _report(self, viewer: Viewer, start: datetime, end: datetime) -> Any:
        return build_report(
            self._database,
            since=start,
            until=end,
            policy=self._settings.sla_policy,
            now=self._clock.now(),
            shop_code=viewer.shop_code,
        )


def _date(text: str) -> date | None:
    """A YYYY-MM-DD date, None when empty; anything else is refused (FilterError)."""
    if not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise FilterError("dashboard.error.bad_date", value=text.strip()) from None
    # nothing happened before or after these; year 1 or 9999 has no UTC midnight
    return min(max(day, read_models.EARLIEST_DAY), read_models.LATEST_DAY)


def _date_range(since: str, until: str) -> tuple[date | None, date | None]:
    first, last = _date(since), _date(until)
    if first is not None and last is not None:
        _check_order(first, last)
    return first, last


def _check_order(first: date, last: date) -> None:
    if last < first:
        raise FilterError(
            "dashboard.error.window_order", since=first.isoformat(), until=last.isoformat()
        )


def _map_link(detail: read_models.ClaimDetail) -> str | None:
    if detail.lat is None or detail.lon is None:
        return None
    system = CoordinateSystem(detail.coord_system or CoordinateSystem.WGS84.value)
    return map_url(GeoPoint(detail.lat, detail.lon, system))
