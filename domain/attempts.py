"""Failed attempts counted per subject over a window, then a cool-down.

A subject is a key such as ``verify:plate:沪A12345`` or ``login:ip:203.0.113.9``. Each
failure within ``window`` of the first one counts; at ``limit`` failures the subject is
blocked for ``cooldown`` from that failure. A failure after the window has passed starts
a new count. Successes do not reset the count: a guesser who also knows one right answer
must not win back the tries.

The counts live behind ``AttemptStore`` (a row per subject in the database, updated in
one statement), so every worker sees the same numbers.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime, timedelta


class InvalidAttemptRule(ValueError):
    """A limit below 1 or a window or cool-down that is not positive."""


@dataclass(frozen=True)
class AttemptRule:
    limit: int
    window: timedelta
    cooldown: timedelta

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise InvalidAttemptRule("the limit is at least 1")
        if self.window <= timedelta(0) or self.cooldown <= timedelta(0):
            raise InvalidAttemptRule("the window and the cool-down are positive")


@dataclass(frozen=True)
class AttemptState:
    """One subject's count as of now: failures in the current window, and the end of its
    cool-down if it is blocked."""

    failures: int
    blocked_until: datetime | None

    def blocked(self, now: datetime) -> bool:
        return self.blocked_until is not None and self.blocked_until > now

    def left(self, rule: AttemptRule) -> int:
        return max(rule.limit - self.failures, 0)


CLEAR = AttemptState(failures=0, blocked_until=None)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Limits:
    """The rules the dialogs apply: checks of a plate's policy (per plate and per
    sender), and staff invite codes sent with /bind (per sender)."""

    verification: AttemptRule = AttemptRule(limit=5, window=HOUR, cooldown=HOUR)
    binding: AttemptRule = AttemptRule(limit=5, window=HOUR, cooldown=HOUR)


def current(
    state: AttemptState, window_start: datetime, rule: AttemptRule, now: datetime
) -> AttemptState:
    """A stored count as it stands at ``now``: a window that has passed counts nothing,
    a cool-down that has ended blocks nothing."""
    failures = state.failures if now - window_start < rule.window else 0
    blocked = state.blocked_until if state.blocked(now) else None
    return AttemptState(failures=failures, blocked_until=blocked)


class AttemptStore(abc.ABC):
    @abc.abstractmethod
    def state(self, key: str, rule: AttemptRule, now: datetime) -> AttemptState:
        """The subject's count as it stands at ``now``."""

    def states(
        self, keys: tuple[str, ...], rule: AttemptRule, now: datetime
    ) -> list[AttemptState]:
        """The subjects' counts at ``now``, in the order of ``keys`` (a store may read them
        at once)."""
        return [self.state(key, rule, now) for key in keys]

    @abc.abstractmethod
    def fail(self, key: str, rule: AttemptRule, now: datetime) -> AttemptState:
        """Count one failure, atomically (two workers failing at once count two), and
        return the count after it."""


def blocked_until(
    store: AttemptStore, keys: tuple[str, ...], rule: AttemptRule, now: datetime
) -> datetime | None:
    """The latest end of a cool-down among the subjects, None when none is blocked."""
    states = store.states(keys, rule, now)
    ends = [end for state in states if (end := state.blocked_until) is not None]
    return max(ends, default=None)


def fail_all(
    store: AttemptStore, keys: tuple[str, ...], rule: AttemptRule, now: datetime
) -> AttemptState:
    """Count a failure against every subject; the tightest of their counts after it."""
    states = [store.fail(key, rule, now) for key in keys]
    ends = [end for state in states if (end := state.blocked_until) is not None and end > now]
    return AttemptState(
        failures=max(state.failures for state in states), blocked_until=max(ends, default=None)
    )
