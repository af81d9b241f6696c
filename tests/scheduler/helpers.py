"""Builders shared by the scheduler tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from dialogs.report.dialog import REPORT
from domain.clock import Clock
from scheduler.config import SchedulerConfig, WaitingDialog
from scheduler.kinds import Registry, TimerKind
from scheduler.quiet import QuietHours
from scheduler.reminders import default_registry
from scheduler.runner import TimerRunner
from storage.db import Database
from storage.records import ConversationRecord, OutboxRow
from storage.repositories.timers import Timer
from storage.tables.core import outbox_t
from storage.tables.timers import timer_t

# Noon in Shanghai (04:00 UTC): daytime, outside the default quiet hours.
NOON_SHANGHAI = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


def config(**overrides: Any) -> SchedulerConfig:
    base: dict[str, Any] = {
        "quiet_hours": QuietHours(time(21, 0), time(8, 0)),
        "report": WaitingDialog(REPORT.name, REPORT.unfinished),
    }
    base.update(overrides)
    return SchedulerConfig(**base)


def runner(
    database: Database,
    clock: Clock,
    cfg: SchedulerConfig | None = None,
    extra: list[TimerKind] | None = None,
    *,
    worker: str = "test",
) -> TimerRunner:
    cfg = cfg or config()
    registry = default_registry(cfg)
    for kind in extra or []:
        registry.register(kind)
    return TimerRunner(database, registry, clock, cfg, worker=worker)


def bare_runner(
    database: Database, clock: Clock, kinds: list[TimerKind], cfg: SchedulerConfig | None = None
) -> TimerRunner:
    return TimerRunner(database, Registry(kinds), clock, cfg or config(), worker="test")


def owner_chat(
    database: Database,
    external_id: str,
    *,
    channel: str = "telegram",
    locale: str = "zh_CN",
    at: datetime = NOON_SHANGHAI,
    dialog: str | None = None,
    state: str = "idle",
    slots: dict[str, Any] | None = None,
) -> tuple[int, int]:
    """A party with one conversation; returns (party id, conversation id)."""
    with database.unit_of_work() as uow:
        party = uow.parties.resolve(channel, external_id, locale=locale)
        record = uow.conversations.save(
            ConversationRecord(
                id=None,
                channel=channel,
                chat_id=external_id,
                party_id=party.id,
                dialog=dialog,
                state=state,
                slots=slots or {},
                locale=locale,
                last_activity=at,
            )
        )
        uow.commit()
    assert record.id is not None
    return party.id, record.id


def outbox(database: Database) -> list[OutboxRow]:
    from storage.repositories.outbox import _row

    with database.engine.connect() as conn:
        rows = conn.execute(
            select(
                outbox_t.c.id,
                outbox_t.c.channel,
                outbox_t.c.chat_id,
                outbox_t.c.locale,
                outbox_t.c.payload,
                outbox_t.c.created_at,
                outbox_t.c.status,
                outbox_t.c.attempts,
                outbox_t.c.sent_at,
                outbox_t.c.idempotency_key,
                outbox_t.c.party_id,
                outbox_t.c.available_at,
            ).order_by(outbox_t.c.id)
        )
        return [_row(row) for row in rows]


def timers(database: Database, kind: str | None = None) -> dict[str, dict[str, Any]]:
    """Every timer row by key: status, due_at, fires, attempts, outcome."""
    with database.engine.connect() as conn:
        statement = select(timer_t)
        if kind is not None:
            statement = statement.where(timer_t.c.kind == kind)
        return {row.dedupe_key: dict(row._mapping) for row in conn.execute(statement)}


Handler = Callable[..., Any]


def fired_keys(database: Database) -> list[str]:
    return sorted(k for k, row in timers(database).items() if row["status"] == "fired")


def ids(rows: list[Timer]) -> list[int]:
    return [t.id for t in rows]


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
