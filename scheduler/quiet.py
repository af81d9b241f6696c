"""Quiet hours: the local night during which non-urgent pushes wait for the morning."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_clock(text: str) -> time:
    """``"10:00"`` → ``time(10, 0)``; ValueError otherwise."""
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(f"expected HH:MM, got {text!r}")
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True)
class QuietHours:
    """``start``–``end`` in the recipient's local time; the span may cross midnight.

    ``21:00-08:00`` is quiet from 21:00 until 08:00 the next morning; ``13:00-14:00`` is
    a quiet lunch hour. A start equal to the end means no quiet hours at all.
    """

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """``"21:00-08:00"``; an empty string (or ``off``) → None (no quiet hours)."""
        if not text.strip() or text.strip().lower() in ("off", "none"):
            return None
        match = _SPAN.match(text)
        if not match:
            raise ValueError(f"quiet hours must look like 21:00-08:00, got {text!r}")
        start = time(int(match[1]), int(match[2]))
        end = time(int(match[3]), int(match[4]))
        return cls(start, end)

    def is_quiet(self, moment: datetime, tz: tzinfo) -> bool:
        return self.quiet_until(moment, tz) is not None

    def quiet_until(self, moment: datetime, tz: tzinfo) -> datetime | None:
        """When the quiet period around ``moment`` ends (aware, in ``tz``); None if not quiet."""
        if self.start == self.end:
            return None
        local = moment.astimezone(tz)
        now = local.time().replace(tzinfo=None)
        if self.start < self.end:  # e.g. 13:00-14:00, within one day
            if self.start <= now < self.end:
                return _at(local, self.end, 0, tz)
            return None
        # Crossing midnight, e.g. 21:00-08:00.
        if now >= self.start:
            return _at(local, self.end, 1, tz)
        if now < self.end:
            return _at(local, self.end, 0, tz)
        return None


def _at(local: datetime, clock: time, days: int, tz: tzinfo) -> datetime:
    """``clock`` on ``local``'s date plus ``days``, in ``tz``.

    A wall time that does not exist (a DST gap) is normalised forwards by the round trip
    through UTC; an ambiguous one takes its first occurrence.
    """
    day = local.date() + timedelta(days=days)
    naive = datetime.combine(day, clock)
    return naive.replace(tzinfo=tz).astimezone(tz)
