"""What the history says (数据管理与分析): cycle times, response times, SLA breaches, shops.

Pure computations over plain facts read by ``storage.read_models.analytics``. Percentiles
interpolate linearly between the two nearest ranks (the "inclusive" definition of
``statistics.quantiles`` and numpy's default): p50 of 10, 20, 30, 40 minutes is 25.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.claim import PATH_TO_PAYMENT
from domain.sla import SlaPolicy, SlaState, take_sla_state

# The stages reached after the report, each timed from it.
CYCLE_STAGES: tuple[str, ...] = tuple(stage.value for stage in PATH_TO_PAYMENT[1:])


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) of the values; None when there are none."""
    if not 0 <= q <= 100:
        raise ValueError("q is between 0 and 100")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class DurationStats:
    """How long something took, over ``count`` cases: median and 90th percentile."""

    count: int
    p50: timedelta | None
    p90: timedelta | None

    @classmethod
    def of(cls, durations: Iterable[timedelta]) -> DurationStats:
        seconds = [d.total_seconds() for d in durations]
        p50, p90 = percentile(seconds, 50), percentile(seconds, 90)
        return cls(
            count=len(seconds),
            p50=None if p50 is None else timedelta(seconds=p50),
            p90=None if p90 is None else timedelta(seconds=p90),
        )


@dataclass(frozen=True)
class Rate:
    """``part`` of ``whole`` cases; percent is None when there are no cases."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return None if self.whole == 0 else 100 * self.part / self.whole


@dataclass(frozen=True)
class ClaimFacts:
    """One reported claim: when it first reached each stage, and who took it."""

    number: str
    reported_at: datetime
    urgent: bool
    reached: dict[str, datetime] = field(default_factory=dict)  # stage → first time
    adjuster: str | None = None  # the code of who took it

    @property
    def taken_at(self) -> datetime | None:
        return self.reached.get("assigned")


@dataclass(frozen=True)
class BookingFacts:
    """One booking: its shop, when it was asked for, confirmed, estimated, ready; stars."""

    id: int
    shop_code: str
    shop_name: str
    requested_at: datetime
    confirmed_at: datetime | None = None
    estimated_done_at: datetime | None = None  # the first estimate the shop gave
    ready_at: datetime | None = None
    rating: int | None = None

    @property
    def on_time(self) -> bool | None:
        """Ready by the shop's first estimate; None when it cannot be judged (yet)."""
        if self.ready_at is None or self.estimated_done_at is None:
            return None
        return self.ready_at <= self.estimated_done_at


@dataclass(frozen=True)
class StageCycle:
    stage: str
    stats: DurationStats


@dataclass(frozen=True)
class AdjusterResponse:
    adjuster: str
    stats: DurationStats


@dataclass(frozen=True)
class SlaSummary:
    claims: int
    on_time: int
    at_risk: int
    breached: int
    urgent_breached: int

    @property
    def breach_rate(self) -> Rate:
        return Rate(self.breached, self.claims)


@dataclass(frozen=True)
class ShopFigures:
    code: str
    name: str
    bookings: int
    confirmation: DurationStats
    on_time: Rate
    ratings: int
    rating_mean: float | None


@dataclass(frozen=True)
class CoverageTotal:
    """What this insurer agreed to pay under one cover (a settlement statement's coverage)."""

    coverage: str
    amount_fen: int
    lines: int


@dataclass(frozen=True)
class AnalyticsReport:
    since: datetime
    until: datetime
    claims: int
    cycle: tuple[StageCycle, ...]
    response: DurationStats
    response_by_adjuster: tuple[AdjusterResponse, ...]
    sla: SlaSummary
    shops: tuple[ShopFigures, ...]
    payouts: tuple[CoverageTotal, ...] = ()  # by coverage, largest first


def cycle_times(claims: Sequence[ClaimFacts]) -> tuple[StageCycle, ...]:
    """From report to the first arrival in each stage, over the claims that got there."""
    return tuple(
        StageCycle(stage, DurationStats.of(_to(c, stage) for c in claims if stage in c.reached))
        for stage in CYCLE_STAGES
    )


def _to(claim: ClaimFacts, stage: str) -> timedelta:
    return claim.reached[stage] - claim.reported_at


def response_times(
    claims: Sequence[ClaimFacts],
) -> tuple[DurationStats, tuple[AdjusterResponse, ...]]:
    """Report → take, overall and per adjuster (by code, sorted)."""
    taken = [c for c in claims if c.taken_at is not None]
    overall = DurationStats.of(_response(c) for c in taken)
    codes = sorted({c.adjuster for c in taken if c.adjuster is not None})
    per = tuple(
        AdjusterResponse(code, DurationStats.of(_response(c) for c in taken if c.adjuster == code))
        for code in codes
    )
    return overall, per


def _response(claim: ClaimFacts) -> timedelta:
    assert claim.taken_at is not None
    return claim.taken_at - claim.reported_at


def sla_summary(claims: Sequence[ClaimFacts], policy: SlaPolicy, now: datetime) -> SlaSummary:
    counts = {state: 0 for state in SlaState}
    urgent_breached = 0
    for claim in claims:
        state = take_sla_state(
            policy,
            urgent=claim.urgent,
            reported_at=claim.reported_at,
            taken_at=claim.taken_at,
            now=now,
        )
        counts[state] += 1
        if claim.urgent and state is SlaState.BREACHED:
            urgent_breached += 1
    return SlaSummary(
        claims=len(claims),
        on_time=counts[SlaState.ON_TIME],
        at_risk=counts[SlaState.AT_RISK],
        breached=counts[SlaState.BREACHED],
        urgent_breached=urgent_breached,
    )


def shop_figures(bookings: Sequence[BookingFacts]) -> tuple[ShopFigures, ...]:
    """Per shop (by code): bookings, request → confirmation, on-time completion, ratings."""
    figures = []
    for code in sorted({b.shop_code for b in bookings}):
        mine = [b for b in bookings if b.shop_code == code]
        judged = [b.on_time for b in mine if b.on_time is not None]
        stars = [b.rating for b in mine if b.rating is not None]
        figures.append(
            ShopFigures(
                code=code,
                name=mine[0].shop_name,
                bookings=len(mine),
                confirmation=DurationStats.of(
                    b.confirmed_at - b.requested_at for b in mine if b.confirmed_at is not None
                ),
                on_time=Rate(sum(judged), len(judged)),
                ratings=len(stars),
                rating_mean=sum(stars) / len(stars) if stars else None,
            )
        )
    return tuple(figures)


def payout_totals(lines: Iterable[tuple[str, int]]) -> tuple[CoverageTotal, ...]:
    """(coverage, amount in fen) lines summed per coverage, the largest total first."""
    amounts: dict[str, int] = {}
    counts: dict[str, int] = {}
    for coverage, amount in lines:
        amounts[coverage] = amounts.get(coverage, 0) + amount
        counts[coverage] = counts.get(coverage, 0) + 1
    order = sorted(amounts, key=lambda c: (-amounts[c], c))
    return tuple(CoverageTotal(c, amounts[c], counts[c]) for c in order)


def analyse(
    claims: Sequence[ClaimFacts],
    bookings: Sequence[BookingFacts],
    *,
    since: datetime,
    until: datetime,
    policy: SlaPolicy,
    now: datetime,
    payout_lines: Iterable[tuple[str, int]] = (),
) -> AnalyticsReport:
    """The whole report over the claims reported and bookings made in [since, until)."""
    overall, per_adjuster = response_times(claims)
    return AnalyticsReport(
        since=since,
        until=until,
        claims=len(claims),
        cycle=cycle_times(claims),
        response=overall,
        response_by_adjuster=per_adjuster,
        sla=sla_summary(claims, policy, now),
        shops=shop_figures(bookings),
        payouts=payout_totals(payout_lines),
    )
