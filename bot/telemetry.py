"""What operators scrape on ``GET /metrics``: Prometheus figures of this worker and of the
shared database (docs/deploy.md §5).

Several workers: every figure counted in a process (turns, sends, rejections) carries a
``worker`` label (``host:pid``, the name the worker's outbox claims carry), and every
worker is scraped at its own address; ``sum by (channel) (rate(...))`` adds them up. The
figures read from the database (outbox backlog, timer lag) are the same from any worker
and have no ``worker`` label. prometheus_client's multiprocess mode is not used: it
aggregates the forks of one server sharing one directory, while claimbot's workers are
separate ``claimbot serve`` processes, possibly on separate hosts (decisions.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from domain.clock import Clock
from storage.db import Database

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
TURN_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _age(now: datetime, since: datetime | None) -> float:
    return 0.0 if since is None else max((now - since).total_seconds(), 0.0)


class _DatabaseFigures(Collector):
    """Read at scrape time, in one read-only transaction: the same from every worker."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("claimbot_database_up", "1 when the database answered")
        now = self._clock.now()
        try:
            with self._database.reading() as uow:
                outbox = uow.outbox_stats(now)
                timers = uow.timer_stats(now)
        except Exception:
            log.exception("metrics: the database did not answer")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        figures = (
            ("claimbot_outbox_backlog", "messages due and not sent yet", outbox.backlog),
            (
                "claimbot_outbox_oldest_due_age_seconds",
                "how long the oldest unsent due message has waited (0 when none)",
                _age(now, outbox.oldest_due_at),
            ),
            ("claimbot_outbox_failed", "messages given up", outbox.failed),
            ("claimbot_timers_due", "timers due and not fired", timers.due),
            (
                "claimbot_timer_lag_seconds",
                "how late the most overdue timer is (0 when none is due)",
                _age(now, timers.oldest_due_at),
            ),
            (
                "claimbot_timers_firing",
                "timers claimed by a worker and not yet fired",
                timers.firing,
            ),
            ("claimbot_timers_failed", "timers whose handler kept raising", timers.failed),
        )
        for name, documentation, value in figures:
            yield GaugeMetricFamily(name, documentation, value=float(value))


class Telemetry:
    """One per process (the composition root builds it); hooks for the engine, the
    dispatcher, the channels and the HTTP app."""

    def __init__(self, database: Database, clock: Clock, worker: str) -> None:
        self.worker = worker
        self.registry = CollectorRegistry(auto_describe=False)
        self._turns = Histogram(
            "claimbot_turn_seconds",
            "one inbound message through the engine: dedupe, dialog, state and outbox, committed",
            ["channel", "worker"],
            buckets=TURN_BUCKETS,
            registry=self.registry,
        )
        self._sends = Counter(
            "claimbot_sends",
            "outbox deliveries by channel and result: sent, retry, failed, or the channel's "
            "code (429: Telegram's flood limit; 45015/45047: WeChat's window closed)",
            ["channel", "result", "worker"],
            registry=self.registry,
        )
        self._rejections = Counter(
            "claimbot_rejections",
            "webhook and callback requests refused, by endpoint and reason",
            ["endpoint", "reason", "worker"],
            registry=self.registry,
        )
        self._retaken = Counter(
            "claimbot_outbox_retaken",
            "outbox rows taken back from a worker whose lease lapsed (it died or stalled)",
            ["worker"],
            registry=self.registry,
        )
        self._dispatcher = Gauge(
            "claimbot_dispatcher_running",
            "1 while this worker's outbox dispatcher loop runs",
            ["worker"],
            registry=self.registry,
        )
        self.registry.register(_DatabaseFigures(database, clock))

    def turn(self, channel: str, seconds: float) -> None:
        self._turns.labels(channel, self.worker).observe(seconds)

    def send(self, channel: str, result: str) -> None:
        self._sends.labels(channel, result, self.worker).inc()

    def rejected(self, endpoint: str, reason: str) -> None:
        self._rejections.labels(endpoint, reason, self.worker).inc()

    def retaken(self, rows: int) -> None:
        if rows:
            self._retaken.labels(self.worker).inc(rows)

    def dispatcher_running(self, running: bool) -> None:
        self._dispatcher.labels(self.worker).set(1 if running else 0)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
