"""Analytics: the domain's computations on known inputs, the CSV, and `claimbot report`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.web.dashboard.analytics_view import report_csv
from domain.analytics import (
    BookingFacts,
    ClaimFacts,
    DurationStats,
    Rate,
    analyse,
    percentile,
    shop_figures,
)
from domain.sla import SlaPolicy
from storage.db import Database
from tests.dashboard.support import seed
from tests.engine_harness import database_url, make_container
from tests.fakes import FixedClock

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def test_percentile_interpolates_between_the_nearest_ranks() -> None:
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([40, 10, 30, 20], 90) == pytest.approx(37)
    assert percentile([7], 90) == 7
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_duration_stats_and_rates() -> None:
    stats = DurationStats.of([10 * MIN, 20 * MIN, 30 * MIN, 40 * MIN, 100 * MIN])
    assert (stats.count, stats.p50, stats.p90) == (5, 30 * MIN, 76 * MIN)
    assert DurationStats.of([]) == DurationStats(0, None, None)
    assert Rate(1, 4).percent == 25
    assert Rate(0, 0).percent is None


def claim(n: int, taken_after: int | None, *, urgent: bool = False, **later: int) -> ClaimFacts:
    reached = {} if taken_after is None else {"assigned": T0 + taken_after * MIN}
    reached.update({stage: T0 + minutes * MIN for stage, minutes in later.items()})
    return ClaimFacts(
        number=f"BA20261102{n:05d}",
        reported_at=T0,
        urgent=urgent,
        reached=reached,
        adjuster=None if taken_after is None else ("ADJ-1" if n % 2 else "ADJ-2"),
    )


def test_the_report_over_known_claims_and_bookings() -> None:
    claims = [
        claim(1, 10, surveying=60, paid=3000),
        claim(2, 20, surveying=120),
        claim(3, 90),  # taken after the 60-minute escalation: breached
        claim(4, None),  # never taken, 2 days old: breached
        claim(5, None, urgent=True),
    ]
    now = T0 + timedelta(days=2)
    report = analyse(claims, [], since=T0, until=now, policy=SlaPolicy(), now=now)
    assert report.claims == 5
    cycle = {c.stage: c.stats for c in report.cycle}
    assert cycle["assigned"] == DurationStats(3, 20 * MIN, 76 * MIN)
    assert cycle["surveying"] == DurationStats(2, 90 * MIN, 114 * MIN)
    assert cycle["paid"] == DurationStats(1, 3000 * MIN, 3000 * MIN)
    assert cycle["agreed"].count == 0
    assert report.response.count == 3
    per = {r.adjuster: r.stats for r in report.response_by_adjuster}
    assert per["ADJ-1"] == DurationStats(2, 50 * MIN, 82 * MIN)  # claims 1 and 3
    assert per["ADJ-2"] == DurationStats(1, 20 * MIN, 20 * MIN)
    sla = report.sla
    assert (sla.on_time, sla.at_risk, sla.breached, sla.urgent_breached) == (2, 0, 3, 1)
    assert sla.breach_rate.percent == 60


def test_shop_figures_confirmation_on_time_and_ratings() -> None:
    def booking(i: int, shop: str, **kw: object) -> BookingFacts:
        return BookingFacts(id=i, shop_code=shop, shop_name=shop.lower(), requested_at=T0, **kw)  # type: ignore[arg-type]

    estimate = T0 + timedelta(days=2)
    bookings = [
        booking(
            1,
            "A",
            confirmed_at=T0 + 30 * MIN,
            estimated_done_at=estimate,
            ready_at=estimate - MIN,
            rating=5,
        ),
        booking(
            2,
            "A",
            confirmed_at=T0 + 90 * MIN,
            estimated_done_at=estimate,
            ready_at=estimate + MIN,
            rating=2,
        ),
        booking(3, "A", estimated_done_at=estimate),  # not ready yet: not judged
        booking(4, "B"),
    ]
    a, b = shop_figures(bookings)
    assert (a.code, a.bookings, b.bookings) == ("A", 3, 1)
    assert a.confirmation == DurationStats(2, 60 * MIN, 84 * MIN)
    assert (a.on_time.part, a.on_time.whole) == (1, 2)
    assert (a.ratings, a.rating_mean) == (2, 3.5)
    assert (b.confirmation.count, b.on_time.percent, b.rating_mean) == (0, None, None)


def test_the_csv_has_one_figure_a_line() -> None:
    claims = [claim(1, 10, surveying=60), claim(2, None)]
    bookings = [
        BookingFacts(1, "SHOP-A", "A", T0, confirmed_at=T0 + 45 * MIN, rating=4),
    ]
    now = T0 + timedelta(minutes=30)
    report = analyse(claims, bookings, since=T0, until=now, policy=SlaPolicy(), now=now)
    lines = report_csv(report).splitlines()
    assert lines[:4] == [
        "section,subject,metric,value",
        f"window,,since,{T0.isoformat()}",
        f"window,,until,{now.isoformat()}",
        "claims,,count,2",
    ]
    for line in (
        "cycle,assigned,p50_minutes,10.0",
        "cycle,paid,count,0",
        "cycle,paid,p50_minutes,",
        "response,ADJ-1,p90_minutes,10.0",
        "sla,all,at_risk,1",
        "sla,all,breach_percent,0.0",
        "shop,SHOP-A,confirmation_p50_minutes,45.0",
        "shop,SHOP-A,on_time_percent,",
        "shop,SHOP-A,rating_mean,4.00",
    ):
        assert line in lines


def test_claimbot_report_writes_the_csv_and_the_html(
    sqlite_database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = FixedClock()
    container = make_container(sqlite_database, tmp_path / "media", clock)
    try:
        seed(container, clock)
    finally:
        container.close()
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", database_url(sqlite_database))
    window = ["--since", "2026-11-01", "--until", "2026-11-30"]
    assert main(["report", *window, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "claims,,count,2" in lines
    assert "shop,SHOP-PD-01,bookings,1" in lines and "shop,SHOP-XH-02,bookings,1" in lines
    assert "cycle,agreed,count,1" in lines
    # the agreed direct repair: 全责, alone, the 车损险 pays the 1,200.00 (no deductible)
    assert "payout,own_damage,yuan,1200.00" in lines and "payout,own_damage,lines,1" in lines
    assert not any(line.startswith("payout,jiaoqiang") for line in lines)

    out = tmp_path / "report.html"
    assert (
        main(
            [
                "report",
                "--since",
                "2026-11-01",
                "--format",
                "html",
                "--lang",
                "en",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<style>" in html
    assert "/dashboard/static" not in html and "<script" not in html  # standalone
    assert "Time from report to each stage" in html and html.count("<svg") == 4
    payouts = html[html.index('id="payouts"') :]
    assert "Payouts by cover" in payouts and "own damage" in payouts and "1,200.00" in payouts

    assert main(["report", "--since", "2026-11-30", "--until", "2026-11-01"]) == 2


def test_payouts_are_totalled_by_coverage_largest_first() -> None:
    lines = [("own_damage", 500_000), ("jiaoqiang_property", 200_000), ("own_damage", 80_000)]
    report = analyse([], [], since=T0, until=T0, policy=SlaPolicy(), now=T0, payout_lines=lines)
    assert [(p.coverage, p.amount_fen, p.lines) for p in report.payouts] == [
        ("own_damage", 580_000, 2),
        ("jiaoqiang_property", 200_000, 1),
    ]
    csv_lines = report_csv(report).splitlines()
    assert "payout,own_damage,yuan,5800.00" in csv_lines
    assert "payout,jiaoqiang_property,lines,1" in csv_lines
