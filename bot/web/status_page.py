"""``GET /status/{token}``: the owner's read-only page for one claim.

The token is the claim's unguessable ``status_token``; it opens that claim and nothing
else, and an unknown token gets the same 404 page as a malformed one. The page is in the
owner's locale (``?lang=`` overrides), mobile-first, with one stylesheet of its own
(``/status/static/status.css``; no inline style or script, no external asset), and
shows what the owner may see: stage, history without internal notes or staff names,
assessment and settlement in yuan, and the repair's progress.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.adjudication import effective_share
from domain.claim import INTERNAL_ACTIONS, PATH_TO_PAYMENT
from domain.masking import mask_plate
from domain.money import Money
from locales.catalog import Catalogs
from storage import read_models as rm
from storage.db import Database

WEB = Path(__file__).parent
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
}
CLAIM_STEPS = tuple(stage.value for stage in PATH_TO_PAYMENT)
# Where a stage off the straight path sits on it (a disputed proposal is still at the
# settlement step); withdrawn and rejected claims show no steps.
STEP_OF_STAGE = {"disputed": "settlement_proposed"}
REPAIR_STEPS = ("confirmed", "arrived", "in_repair", "ready", "accepted")
STEP_OF_REPAIR = {"problem": "ready", "paid": "accepted", "rated": "accepted"}
ENDED_BOOKINGS = frozenset({"declined", "expired", "cancelled"})


@dataclass(frozen=True)
class Step:
    key: str
    state: str  # done | current | todo


def steps(order: Sequence[str], current: str | None) -> list[Step]:
    if current is None or current not in order:
        return []
    at = order.index(current)
    return [
        Step(key, "done" if i < at else "current" if i == at else "todo")
        for i, key in enumerate(order)
    ]


def repair_steps(status: str) -> list[Step]:
    if status in ("requested", "held", "proposed"):
        return [Step(key, "todo") for key in REPAIR_STEPS]
    return steps(REPAIR_STEPS, STEP_OF_REPAIR.get(status, status))


def yuan(fen: int | None) -> str:
    return "" if fen is None else Money(fen).grouped()


def pick_locale(
    wanted: str | None, owner_locale: str | None, available: Sequence[str], default: str
) -> str:
    """``?lang=`` first, then the owner's locale, then the default."""
    for candidate in (wanted, owner_locale):
        code = (candidate or "").strip().lower().replace("-", "_")
        if code.startswith("zh") and "zh_CN" in available:
            return "zh_CN"
        if code.startswith("en") and "en" in available:
            return "en"
    return default


def template_environment() -> Environment:
    """The owner-facing pages' templates (bot/web/templates)."""
    return Environment(
        loader=FileSystemLoader(WEB / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class StatusPage:
    def __init__(
        self, database: Database, catalogs: Catalogs, tz: tzinfo, default_locale: str
    ) -> None:
        self._database = database
        self._catalogs = catalogs
        self._tz = tz
        self._default_locale = default_locale
        self._env = template_environment()

    def router(self) -> APIRouter:
        router = APIRouter()
        router.add_api_route(
            "/status/static/status.css", self.stylesheet, methods=["GET"], include_in_schema=False
        )
        router.add_api_route(
            "/status/{token}",
            self.page,
            methods=["GET", "HEAD"],  # link previewers ask with HEAD first
            response_class=HTMLResponse,
            include_in_schema=False,
        )
        return router

    def stylesheet(self) -> FileResponse:
        return FileResponse(WEB / "status.css", media_type="text/css")

    def page(
        self,
        token: str,
        lang: Annotated[str | None, Query(max_length=10)] = None,
    ) -> HTMLResponse:
        loaded = self._load(token) if TOKEN_PATTERN.match(token) else None
        if loaded is None:
            locale = pick_locale(lang, None, self._catalogs.locales, self._default_locale)
            html = self._render("status.html", locale, claim=None, other_lang=None)
            return HTMLResponse(html, status_code=404, headers=HEADERS)
        owner, detail, bookings = loaded
        locale = pick_locale(lang, owner.owner_locale, self._catalogs.locales, self._default_locale)
        html = self._render(
            "status.html",
            locale,
            claim=self._claim_view(detail, bookings),
            other_lang="en" if locale == "zh_CN" else "zh_CN",
        )
        return HTMLResponse(html, headers=HEADERS)

    def _load(
        self, token: str
    ) -> tuple[rm.StatusPageOwner, rm.ClaimDetail, list[rm.BookingDetail]] | None:
        with self._database.reader.connect() as conn:
            owner = rm.claim_by_status_token(conn, token)
            detail = None if owner is None else rm.claim_detail(conn, owner.number)
            if owner is None or detail is None:
                return None
            bookings = [rm.booking_detail(conn, booking.id) for booking in detail.bookings]
        return owner, detail, [booking for booking in bookings if booking is not None]

    def _claim_view(
        self, detail: rm.ClaimDetail, bookings: list[rm.BookingDetail]
    ) -> dict[str, Any]:
        summary = detail.summary
        settlement = detail.settlement
        if settlement is not None and settlement.outcome == "superseded":
            settlement = None
        return {
            "summary": summary,
            "steps": steps(CLAIM_STEPS, STEP_OF_STAGE.get(summary.stage, summary.stage)),
            "timeline": [  # shown without notes and actors
                entry for entry in detail.timeline if entry.action not in INTERNAL_ACTIONS
            ],
            "liability": detail.liability,
            **_applied_share(detail),
            "loss_items": detail.loss_items,
            "loss_total_fen": detail.loss_total_fen,
            "settlement": settlement,
            "payment": detail.payment,
            "payments": detail.payments,
            "bookings": [
                {"detail": b, "steps": repair_steps(b.summary.status)}
                for b in reversed(bookings)
                if b.summary.status not in ENDED_BOOKINGS
            ],
        }

    def _render(self, template: str, locale: str, **context: Any) -> str:
        return self._env.get_template(template).render(
            locale=locale,
            html_lang="zh-CN" if locale == "zh_CN" else "en",
            t=lambda key, **params: self._catalogs.render(locale, key, params),
            when=lambda value: self._when(locale, value),
            car=lambda value: self._catalogs.car(locale, value),
            money=lambda fen: self._catalogs.render(
                locale, "web.status.yuan", {"amount": yuan(fen)}
            ),
            mask_plate=mask_plate,
            **context,
        )

    def _when(self, locale: str, value: datetime | None) -> str:
        if value is None:
            return ""
        pattern = self._catalogs.source(locale, "format.datetime")
        return value.astimezone(self._tz).strftime(pattern)


def _applied_share(detail: rm.ClaimDetail) -> dict[str, Any]:
    """The owner's share the settlement applies (100 % with no other vehicle to recover
    from: ``liability_alone``), not only the share the grade carries."""
    found = None if detail.liability is None else detail.liability.share
    if found is None:
        return {"liability_share": None, "liability_alone": False}
    recorded = detail.accident.parties if detail.accident is not None else ()
    identified = any(vehicle.plate for vehicle in detail.other_vehicles) or any(
        party.kind != "property" for party in recorded
    )
    share = effective_share(found, identified)
    return {"liability_share": share, "liability_alone": share != found}
