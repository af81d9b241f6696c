"""The scheduler's settings, as plain values (the composition root fills them in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from scheduler.quiet import QuietHours

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_QUIET_HOURS = QuietHours(time(21, 0), time(8, 0))


@dataclass(frozen=True)
class WaitingDialog:
    """A dialog and the states in which it waits for its party. scheduler/ may not import
    dialogs/: the composition root reads them from the dialogs' registry."""

    name: str
    states: frozenset[str]


@dataclass(frozen=True)
class SchedulerConfig:
    default_tz: tzinfo = DEFAULT_TZ
    quiet_hours: QuietHours | None = DEFAULT_QUIET_HOURS

    # The timer runner.
    poll: timedelta = timedelta(seconds=1)  # APScheduler's wake-up interval
    batch: int = 200  # timers claimed at once
    chunk: int = 50  # timers fired per transaction
    stale_after: timedelta = timedelta(minutes=2)  # a claim older than this is reaped
    reap_every: timedelta = timedelta(seconds=30)
    max_attempts: int = 5  # a timer whose handler keeps failing is given up (status failed)
    # SQLite has one write lock, and its waiters retry after sleeps of up to 100 ms: while
    # draining a backlog, the runner pauses after each chunk transaction at least as long
    # as it held the lock (and at least this long), so that conversation turns and the
    # dispatcher get in well within their busy timeout.
    sqlite_pause: timedelta = timedelta(milliseconds=5)

    # The report nudge: once per report, after this much silence; None = off. It looks at
    # the report dialog's conversations (None: there is nothing to nudge).
    nudge_after: timedelta | None = timedelta(hours=3)
    report: WaitingDialog | None = None
    nudge_max_silence: timedelta = timedelta(hours=48)  # older silences are not nudged
    nudge_scan_every: timedelta = timedelta(minutes=5)

    # Maintenance reminders: every N months from the policy start; 0 = off.
    maintenance_every_months: int = 6
    maintenance_at: time = time(10, 0)  # local time of day (CLAIMBOT_TIMEZONE)
    maintenance_scan_every: timedelta = timedelta(hours=1)

    scan_page: int = 1000  # rows a sweep handles per transaction
    status_base_url: str = ""  # owners' messages naming their claim link its status page
