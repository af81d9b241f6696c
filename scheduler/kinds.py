"""Timer kinds: what a due timer does, and what happens when it fires late.

A kind is one registration::

    registry.register(TimerKind(
        "appointment_day_before",      # the ``kind`` of its timer rows
        remind_appointment,            # handler(ctx, timer) -> Send | Skip | Defer
        misfire=Misfire(grace=None),   # late: sent late; the payload's expires_at drops it
        quiet_hours=True,              # non-urgent: waits for the recipient's daytime
        mutable=True,                  # a reminder: /mute silences it
    ))

and the feature arms its timers in its own transaction with ``uow.timers.set(...)``,
moves them with ``set``/``move`` and removes them with ``cancel``/``cancel_subject``.

The handler reads what it needs through ``ctx.uow`` and returns messages; it does not
write the outbox or change the timer itself. The runner applies the outcome in the same
transaction: the misfire policy first, then ``/mute`` (muted recipients are left out)
and quiet hours (the whole timer waits until every recipient's night is over), then the
outbox rows, the timer's new status and the follow-up timers (``then``) together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.reminders import Contact
from domain.scheduler_ports import SchedulerUnitOfWork
from domain.timers import Timer, TimerSpec
from messages.outbound import Choice, Outbound
from scheduler.config import SchedulerConfig

EXPIRES_AT = "expires_at"  # payload field: an ISO time after which the timer is pointless


@dataclass(frozen=True)
class Misfire:
    """What happens to a timer that fires late (the process was down, the queue was long).

    ``grace``: how late it may fire; beyond that it is dropped (status ``dropped``, with the
    lateness as the reason). None: it fires however late. Independently, a timer whose
    payload has ``expires_at`` is dropped from that moment on (an appointment reminder is
    pointless once the appointment has begun).
    """

    grace: timedelta | None = None
    summary: str = "sent late"

    def drop_reason(self, timer: Timer, now: datetime) -> str | None:
        expires = timer.payload.get(EXPIRES_AT)
        if expires and now >= datetime.fromisoformat(expires):
            return f"expired at {expires}"
        late = now - timer.due_at
        if self.grace is not None and late > self.grace:
            return f"late by {late} (grace {self.grace})"
        return None


SEND_LATE = Misfire(None, "sent late, however late")


@dataclass(frozen=True)
class Message:
    """One outbox row to write: to a contact, an ``Outbound``-shaped payload."""

    to: Contact
    payload: Mapping[str, Any]

    @classmethod
    def of(
        cls,
        to: Contact,
        key: str,
        params: Mapping[str, Any] | None = None,
        choices: Sequence[Choice] = (),
    ) -> Message:
        return cls(to, Outbound(key, params or {}, tuple(choices)).to_payload())


@dataclass(frozen=True)
class Send:
    """Fire: write these messages; then arm ``then`` (``set``: e.g. the next occurrence)."""

    messages: Sequence[Message] = ()
    then: Sequence[TimerSpec] = ()


@dataclass(frozen=True)
class Skip:
    """Nothing to send any more (the report was finished, the owner is unknown, ...)."""

    reason: str
    then: Sequence[TimerSpec] = ()


@dataclass(frozen=True)
class Defer:
    """Not yet: back to pending until ``until`` (the owner spoke again, ...)."""

    until: datetime
    reason: str


Outcome = Send | Skip | Defer


def arm_page(
    ctx: FireContext,
    sweep: Timer,
    specs: Sequence[TimerSpec],
    *,
    full: bool,
    next_page: Mapping[str, Any] | None = None,
) -> Send:
    """A sweep's page: arm the timers it found; a full page means more to do, so the sweep
    runs again at once (with ``next_page`` as its payload)."""
    ctx.uow.timers.add_many(specs, ctx.now)
    if not full:
        return Send()
    return Send([], [TimerSpec(sweep.kind, sweep.key, ctx.now, dict(next_page or {}))])


@dataclass
class FireContext:
    """What a handler is given: the transaction, the time, the settings."""

    uow: SchedulerUnitOfWork
    now: datetime
    config: SchedulerConfig
    _zones: dict[str, tzinfo] = field(default_factory=dict)

    def tz(self, contact: Contact) -> tzinfo:
        """The contact's own timezone if known and valid, else the configured default."""
        name = contact.timezone
        if not name:
            return self.config.default_tz
        zone = self._zones.get(name)
        if zone is None:
            try:
                zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                zone = self.config.default_tz
            self._zones[name] = zone
        return zone


class Handler(Protocol):
    def __call__(self, ctx: FireContext, timer: Timer) -> Outcome: ...


@dataclass(frozen=True)
class TimerKind:
    name: str
    handler: Handler | Callable[[FireContext, Timer], Outcome]
    misfire: Misfire = SEND_LATE
    quiet_hours: bool = True  # non-urgent: wait for the recipients' daytime
    mutable: bool = True  # a reminder: recipients who sent /mute are left out
    recurring: timedelta | None = None  # a sweep: one row "sweep:<name>", re-armed each run
    summary: str = ""  # one line for the docs and /metrics

    @property
    def sweep_key(self) -> str:
        return f"sweep:{self.name}"


class Registry:
    """The kinds a worker knows. A timer of an unknown kind (a newer worker's, during a
    rolling deploy) is put back for a few minutes, never dropped."""

    def __init__(self, kinds: Sequence[TimerKind] = ()) -> None:
        self._kinds: dict[str, TimerKind] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: TimerKind) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"timer kind {kind.name!r} registered twice")
        if len(kind.name) > 40:
            raise ValueError(f"timer kind name too long: {kind.name!r}")
        self._kinds[kind.name] = kind

    def get(self, name: str) -> TimerKind | None:
        return self._kinds.get(name)

    def __iter__(self) -> Iterator[TimerKind]:
        return iter(self._kinds.values())

    def __contains__(self, name: object) -> bool:
        return name in self._kinds
