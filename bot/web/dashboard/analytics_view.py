"""The analytics report as the dashboard page, the standalone HTML file and the CSV.

``claimbot report`` and ``/dashboard/analytics`` render the same template; the CSV has
one figure a line: ``section,subject,metric,value`` (durations in minutes, rates in
percent, both with one decimal).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.web.dashboard.charts import Bar, bar_chart
from bot.web.dashboard.rendering import STATIC, PageRenderer
from domain.analytics import AnalyticsReport, DurationStats, Rate, analyse
from domain.money import Money
from domain.sla import SlaPolicy
from storage.db import Database
from storage.read_models.analytics import booking_facts, claim_facts, payout_lines

CSV_HEADER = ("section", "subject", "metric", "value")
STYLESHEETS = ("theme.css", "dashboard.css")


def build_report(
    database: Database,
    *,
    since: datetime,
    until: datetime,
    policy: SlaPolicy,
    now: datetime,
    shop_code: str | None = None,
) -> AnalyticsReport:
    """The insurer's report, or a shop's (``shop_code``: its own bookings, no claims)."""
    with database.engine.connect() as conn:
        claims = [] if shop_code is not None else claim_facts(conn, since, until)
        payouts = [] if shop_code is not None else payout_lines(conn, since, until)
        bookings = booking_facts(conn, since, until, shop_code=shop_code)
    return analyse(
        claims, bookings, since=since, until=until, policy=policy, now=now, payout_lines=payouts
    )


def report_csv(report: AnalyticsReport, *, shop_view: bool = False) -> str:
    """The figures one a line; a shop's (``shop_view``) has its bookings and no claims."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerow(("window", "", "since", report.since.isoformat()))
    writer.writerow(("window", "", "until", report.until.isoformat()))
    if not shop_view:
        writer.writerows(_claim_rows(report))
    writer.writerows(_shop_rows(report))
    return out.getvalue()


def _claim_rows(report: AnalyticsReport) -> list[tuple[str, str, str, object]]:
    rows: list[tuple[str, str, str, object]] = [("claims", "", "count", report.claims)]
    for cycle in report.cycle:
        rows += _duration_rows("cycle", cycle.stage, cycle.stats)
    rows += _duration_rows("response", "all", report.response)
    for row in report.response_by_adjuster:
        rows += _duration_rows("response", row.adjuster, row.stats)
    sla = report.sla
    for metric, value in (
        ("on_time", sla.on_time),
        ("at_risk", sla.at_risk),
        ("breached", sla.breached),
        ("urgent_breached", sla.urgent_breached),
    ):
        rows.append(("sla", "all", metric, value))
    rows.append(("sla", "all", "breach_percent", _percent(sla.breach_rate)))
    for total in report.payouts:
        rows.append(("payout", total.coverage, "yuan", Money(total.amount_fen).yuan()))
        rows.append(("payout", total.coverage, "lines", total.lines))
    return rows


def _shop_rows(report: AnalyticsReport) -> list[tuple[str, str, str, object]]:
    rows: list[tuple[str, str, str, object]] = []
    for shop in report.shops:
        mean = "" if shop.rating_mean is None else f"{shop.rating_mean:.2f}"
        rows.append(("shop", shop.code, "bookings", shop.bookings))
        rows += _duration_rows("shop", shop.code, shop.confirmation, "confirmation_")
        rows += [
            ("shop", shop.code, "on_time_judged", shop.on_time.whole),
            ("shop", shop.code, "on_time_percent", _percent(shop.on_time)),
            ("shop", shop.code, "ratings", shop.ratings),
            ("shop", shop.code, "rating_mean", mean),
        ]
    return rows


def _duration_rows(
    section: str, subject: str, stats: DurationStats, prefix: str = ""
) -> list[tuple[str, str, str, object]]:
    return [
        (section, subject, f"{prefix}count", stats.count),
        (section, subject, f"{prefix}p50_minutes", _minutes(stats.p50)),
        (section, subject, f"{prefix}p90_minutes", _minutes(stats.p90)),
    ]


def _minutes(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 60:.1f}"


def _percent(rate: Rate) -> str:
    return "" if rate.percent is None else f"{rate.percent:.1f}"


@dataclass(frozen=True)
class Charts:
    cycle: str
    response: str
    bookings: str
    ratings: str


def charts(renderer: PageRenderer, locale: str, report: AnalyticsReport) -> Charts:
    def hours(value: timedelta | None) -> float:
        return 0.0 if value is None else value.total_seconds() / 3600

    cycle = [
        Bar(
            renderer.text(locale, "claims.status." + c.stage),
            hours(c.stats.p50),
            f"{renderer.duration(locale, c.stats.p50)} / {renderer.duration(locale, c.stats.p90)}",
            secondary=hours(c.stats.p90),
        )
        for c in report.cycle
    ]
    response = [
        Bar(
            r.adjuster,
            hours(r.stats.p50),
            f"{renderer.duration(locale, r.stats.p50)} / {renderer.duration(locale, r.stats.p90)}",
            secondary=hours(r.stats.p90),
        )
        for r in report.response_by_adjuster
    ]
    bookings = [Bar(s.name, s.bookings, str(s.bookings)) for s in report.shops]
    ratings = [
        Bar(s.name, s.rating_mean or 0, "—" if s.rating_mean is None else f"{s.rating_mean:.1f} ★")
        for s in report.shops
    ]
    return Charts(
        cycle=bar_chart(renderer.text(locale, "dashboard.analytics.cycle"), cycle),
        response=bar_chart(renderer.text(locale, "dashboard.analytics.response"), response),
        bookings=bar_chart(renderer.text(locale, "dashboard.analytics.bookings"), bookings),
        ratings=bar_chart(renderer.text(locale, "dashboard.analytics.ratings"), ratings),
    )


def report_html(
    renderer: PageRenderer,
    locale: str,
    report: AnalyticsReport,
    *,
    standalone: bool,
    shop_view: bool = False,
    **context: object,
) -> str:
    """The analytics page; ``standalone`` inlines the stylesheets and leaves out navigation,
    the filter form and scripts (the file ``claimbot report`` writes)."""
    css = "".join((STATIC / name).read_text(encoding="utf-8") for name in STYLESHEETS)
    context.setdefault("viewer", None)
    context.setdefault("query", "")
    return renderer.render(
        "analytics.html",
        locale,
        report=report,
        charts=charts(renderer, locale, report),
        standalone=standalone,
        inline_css=css if standalone else "",
        shop_view=shop_view,
        live=False,
        active="analytics",
        **context,
    )
