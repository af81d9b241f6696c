"""The daily retention purge (storage/repositories/retention.py) as timers.

- ``retention_purge_scan`` (hourly) arms today's purge (while still ahead or within the
  grace) and tomorrow's, keyed ``retention_purge:<local date>``: one per day however often
  the scan runs or the process restarts, so one worker runs it.
- ``retention_purge`` runs the purge in the timer's transaction at ``CLAIMBOT_PURGE_LOCAL_TIME``
  and deletes the removed media's files; what it removed is its recorded reason (and logged).
  Should the transaction then fail, the next day's run removes the same rows again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from domain.retention import MediaFile, Removed
from domain.timers import Timer, TimerSpec
from scheduler.kinds import FireContext, Misfire, Outcome, Skip, TimerKind, arm_page

RETENTION_PURGE = "retention_purge"
RETENTION_PURGE_SCAN = "retention_purge_scan"
LATE_GRACE = timedelta(hours=12)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionConfig:
    retention: timedelta
    at: time
    tz: tzinfo
    remove_files: Callable[[Sequence[MediaFile]], int]  # deletes the media rows' files
    scan_every: timedelta = timedelta(hours=1)


def summary(removed: Removed) -> str:
    return (
        f"claims {len(removed.claims)}, media files {len(removed.media)} "
        f"({removed.media_bytes} bytes), bookings {removed.bookings}, "
        f"conversations {removed.conversations}, outbox messages {removed.outbox_messages}, "
        f"wechat messages {removed.wechat_messages}"
    )


class PurgeScan:
    def __init__(self, config: RetentionConfig) -> None:
        self._config = config

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        today = ctx.now.astimezone(self._config.tz).date()
        specs = []
        for day in (today, today + timedelta(days=1)):
            due = datetime.combine(day, self._config.at, tzinfo=self._config.tz)
            if ctx.now <= due + LATE_GRACE:
                specs.append(TimerSpec(RETENTION_PURGE, f"{RETENTION_PURGE}:{day}", due, {}))
        return arm_page(ctx, timer, specs, full=False)


class Purge:
    def __init__(self, config: RetentionConfig) -> None:
        self._config = config

    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome:
        removed = ctx.uow.purge(ctx.now, self._config.retention, dry_run=False)
        self._config.remove_files(removed.media)
        log.info("retention purge removed %s", summary(removed))
        return Skip(f"purged: {summary(removed)}")


def retention_timer_kinds(config: RetentionConfig) -> list[TimerKind]:
    return [
        TimerKind(
            RETENTION_PURGE_SCAN,
            PurgeScan(config),
            Misfire(None, "runs once, late; then every interval"),
            quiet_hours=False,
            mutable=False,
            recurring=config.scan_every,
            summary="arms today's and tomorrow's retention purge",
        ),
        TimerKind(
            RETENTION_PURGE,
            Purge(config),
            Misfire(LATE_GRACE, f"run up to {LATE_GRACE} late, dropped after that"),
            quiet_hours=False,
            mutable=False,
            summary="deletes media and personal fields past retention (docs/security.md)",
        ),
    ]
