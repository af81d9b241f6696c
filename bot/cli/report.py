"""``claimbot report --since YYYY-MM-DD [--until YYYY-MM-DD] --format html|csv [--output FILE]``:
the analytics page as a standalone HTML file (stylesheet inlined, charts as inline SVG) or
the CSV export, for the insurer's whole book or one shop (``--shop CODE``)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import Settings
    from storage.db import Database
from storage.read_models import EARLIEST_DAY, LATEST_DAY


def add_report_parser(commands: Any) -> None:
    report = commands.add_parser(
        "report", help="analytics: cycle times, response times, SLA, shops (HTML or CSV)"
    )
    # Read as text and checked in run_report: a bad date is a one-line error, exit 2.
    report.add_argument("--since", required=True, help="YYYY-MM-DD")
    report.add_argument("--until", help="YYYY-MM-DD, inclusive (default: today)")
    report.add_argument("--format", choices=["html", "csv"], default="html")
    report.add_argument("--output", help="write to this file instead of standard output")
    report.add_argument("--lang", choices=["zh_CN", "en"], help="default CLAIMBOT_DEFAULT_LOCALE")
    report.add_argument("--shop", help="one shop's figures only (its code)")


def run_report(args: argparse.Namespace, settings: Settings | None = None) -> int:
    from bot.settings import Settings
    from bot.web.dashboard.analytics_view import build_report, report_csv, report_html
    from bot.web.dashboard.rendering import PageRenderer
    from domain.clock import SystemClock
    from locales.catalog import Catalogs
    from storage.db import Database

    settings = settings or Settings()
    tz = settings.tz
    clock = SystemClock()
    first = _date("--since", args.since)
    if first is None:
        return 2
    last = clock.now().astimezone(tz).date() if args.until is None else _date("--until", args.until)
    if last is None:
        return 2
    if last < first:
        print("claimbot report: --until is before --since", file=sys.stderr)
        return 2
    since = datetime.combine(first, time(0), tzinfo=tz)
    until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    database = Database(settings.database_url)
    try:
        if args.shop and not _shop_exists(database, args.shop):
            print(f"claimbot report: no shop {args.shop!r}", file=sys.stderr)
            return 2
        report = build_report(
            database,
            since=since,
            until=until,
            policy=settings.sla_policy,
            now=clock.now(),
            shop_code=args.shop,
        )
    finally:
        database.dispose()
    if args.format == "csv":
        body = report_csv(report, shop_view=bool(args.shop))
    else:
        renderer = PageRenderer(Catalogs(tz), tz)
        locale = args.lang or settings.default_locale
        body = report_html(renderer, locale, report, standalone=True, shop_view=bool(args.shop))
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                handle.write(body)
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            print(f"claimbot report: cannot write {args.output}: {reason}", file=sys.stderr)
            return 2
        print(f"written: {args.output}")
    else:
        sys.stdout.write(body)
    return 0


def _date(option: str, text: str) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        print(f"claimbot report: {option}: not a date (YYYY-MM-DD): {text}", file=sys.stderr)
        return None
    return min(max(day, EARLIEST_DAY), LATEST_DAY)  # year 1 or 9999 has no UTC midnight


def _shop_exists(database: Database, code: str) -> bool:
    with database.unit_of_work() as uow:
        return uow.shops.by_code(code) is not None
