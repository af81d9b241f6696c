"""Today's reminders end to end: the real engine, storage and runner, a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Container, build
from bot.settings import Settings
from messages.inbound import InboundKind
from scheduler.runner import TimerRunner
from storage.db import Database
from storage.repositories.timers import TimerSpec
from tests.engine_harness import Owner, database_url, import_sample
from tests.fakes import FixedClock
from tests.scheduler.helpers import outbox, owner_chat, timers
from tests.storage.helpers import file_claim

# 10:00 in Shanghai.
MORNING = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def make(database: Database, tmp_path: Path, clock: FixedClock, **settings: Any) -> Container:
    built = build(
        Settings(database_url=database_url(database), media_dir=tmp_path / "media", **settings),
        clock=clock,
    )
    import_sample(built)
    return built


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MORNING)


@pytest.fixture
def container(database: Database, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    built = make(database, tmp_path, clock)
    yield built
    built.close()


def runner_of(container: Container) -> TimerRunner:
    assert container.scheduler is not None
    run = container.scheduler.runner
    run.ensure_recurring()
    return run


def nudges(container: Container) -> list[Any]:
    return [r for r in outbox(container.database) if r.payload["key"] == "reminder.report_nudge"]


def start_report(owner: Owner) -> None:
    owner.text("/report")
    owner.text("沪A12345")
    owner.text("8001")  # policy verified: the draft now names PDAA20260001


# --- the report nudge ---------------------------------------------------------------------


def test_an_owner_who_stopped_mid_report_is_nudged_once(
    container: Container, clock: FixedClock
) -> None:
    run = runner_of(container)
    owner = Owner(container, hint="en")
    start_report(owner)
    clock.advance(timedelta(hours=2, minutes=59))
    run.run_due()
    assert nudges(container) == []  # not silent long enough
    clock.advance(timedelta(minutes=6))  # the scan runs every 5 minutes
    run.run_due()
    (nudge,) = nudges(container)
    assert (nudge.channel, nudge.chat_id, nudge.locale) == ("web", owner.user_id, "en")
    assert nudge.payload["params"]["plate"] == "沪A12345"
    text = owner.rendered()[-1]
    assert "unfinished accident report for 沪A12345" in text and "2026-11-25 10:00" in text
    clock.advance(timedelta(days=1))
    run.run_due()
    assert len(nudges(container)) == 1  # once
    # Replying after the nudge offers to continue, as after any long silence.
    assert owner.text("hello") == ["report.resume"]


def test_no_nudge_for_a_report_finished_or_cancelled_in_time(
    container: Container, clock: FixedClock
) -> None:
    run = runner_of(container)
    owner = Owner(container, user_id="owner-a")
    start_report(owner)
    clock.advance(timedelta(hours=2))
    owner.choose("r:time:now")  # still reporting: the silence starts again
    clock.advance(timedelta(hours=2))
    run.run_due()
    owner.text("/cancel")
    owner.text("/cancel")  # the second confirms "放弃本次报案？"
    clock.advance(timedelta(hours=10))
    run.run_due()
    assert nudges(container) == []


def test_a_nudge_waits_while_the_owner_is_active_and_is_dropped_if_the_report_ended(
    container: Container, clock: FixedClock
) -> None:
    run = runner_of(container)
    owner = Owner(container)
    start_report(owner)
    with container.database.unit_of_work() as uow:
        conv = uow.conversations.get_for_update("web", owner.user_id)
        assert conv is not None and conv.id is not None
        started = conv.slots["started_at"]
        key = f"report_nudge:{conv.id}:{started}"
        due = clock.now() + timedelta(hours=3)
        uow.timers.add(
            TimerSpec("report_nudge", key, due, {"conversation_id": conv.id, "started_at": started})
        )
        uow.commit()
    clock.advance(timedelta(hours=2))
    owner.choose("r:time:now")
    clock.advance(timedelta(hours=1))
    run.run_due()
    row = timers(container.database)[key]
    assert (row["status"], row["outcome"]) == ("pending", "the owner spoke again")
    assert row["due_at"] == clock.now() + timedelta(hours=2)
    owner.text("/report")  # offered to continue...
    owner.choose("r:resume:restart")  # ...and started afresh: another report
    clock.advance(timedelta(hours=2))
    run.run_due()
    row = timers(container.database)[key]
    assert (row["status"], row["outcome"]) == ("dropped", "the report is no longer waiting")
    clock.advance(timedelta(hours=1, minutes=5))
    run.run_due()
    assert len(nudges(container)) == 1  # the new report's own nudge


def test_a_nudge_due_at_night_waits_for_the_morning(database: Database, tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 11, 25, 11, 0, tzinfo=UTC))  # 19:00 in Shanghai
    container = make(database, tmp_path, clock)
    try:
        run = runner_of(container)
        owner = Owner(container)
        start_report(owner)
        clock.advance(timedelta(hours=3, minutes=5))  # 22:05
        run.run_due()
        assert nudges(container) == []
        (row,) = timers(database, "report_nudge").values()
        assert row["outcome"] == "quiet hours"
        assert row["due_at"] == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 08:00 local
        clock.current = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
        run.run_due()
        assert len(nudges(container)) == 1
    finally:
        container.close()


def test_mute_and_unmute(container: Container, clock: FixedClock) -> None:
    run = runner_of(container)
    owner = Owner(container, hint="en")
    start_report(owner)
    keys = owner.text("/mute")
    assert keys[0] == "reminders.muted" and len(keys) == 2  # and the question again
    assert "Reminders are off" in owner.rendered()[-2]
    clock.advance(timedelta(hours=3, minutes=5))
    run.run_due()
    assert nudges(container) == []
    (row,) = timers(container.database, "report_nudge").values()
    assert (row["status"], row["outcome"]) == ("dropped", "muted")
    assert owner.text("/unmute")[0] == "reminders.unmuted"
    with container.database.unit_of_work() as uow:
        party = uow.parties.resolve("web", owner.user_id)
        assert uow.reminders.preference(party.id).muted is False


def test_nudges_can_be_switched_off(database: Database, tmp_path: Path, clock: FixedClock) -> None:
    container = make(database, tmp_path, clock, nudge_after_minutes=0)
    try:
        run = runner_of(container)
        start_report(Owner(container))
        clock.advance(timedelta(hours=10))
        run.run_due()
        assert nudges(container) == []
        assert "sweep:report_nudge_scan" not in timers(database)
    finally:
        container.close()


# --- maintenance --------------------------------------------------------------------------


def maintenance_rows(container: Container) -> list[Any]:
    return [r for r in outbox(container.database) if r.payload["key"] == "reminder.maintenance"]


def test_an_owner_who_cancelled_their_only_report_is_not_known(
    database: Database, tmp_path: Path, clock: FixedClock
) -> None:
    container = make(database, tmp_path, clock, maintenance_every_months=3)
    try:
        run = runner_of(container)
        owner = Owner(container)
        start_report(owner)
        owner.text("/cancel")
        owner.text("/cancel")  # confirmed: the draft, and with it the policy link, is gone
        run.run_due()
        clock.current = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
        run.run_due()
        assert maintenance_rows(container) == []
        row = timers(database, "maintenance")["maintenance:PDAA20260001:2026-12-01"]
        assert row["outcome"].startswith("owner unknown")
    finally:
        container.close()


def test_maintenance_reminders_follow_the_policy_cadence(
    database: Database, tmp_path: Path, clock: FixedClock
) -> None:
    container = make(database, tmp_path, clock, maintenance_every_months=3)
    try:
        run = runner_of(container)
        owner = Owner(container, hint="zh-CN")
        start_report(owner)  # the owner showed PDAA20260001 is theirs (report in progress)
        run.run_due()
        pending = {k: r for k, r in timers(database, "maintenance").items()}
        # PDAA20260001 runs 2026-03-01 .. 2027-02-28: months 3, 6, 9 fall in its term.
        # PDAA20260002 (2026-01-15 .. 2027-01-14) has none left after today.
        assert list(pending) == ["maintenance:PDAA20260001:2026-12-01"]
        assert pending["maintenance:PDAA20260001:2026-12-01"]["due_at"] == datetime(
            2026, 12, 1, 2, 0, tzinfo=UTC
        )  # 10:00 local
        clock.current = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
        run.run_due()
        (reminder,) = maintenance_rows(container)
        assert (reminder.chat_id, reminder.locale) == (owner.user_id, "zh_CN")
        assert reminder.payload["params"] == {
            "plate": "沪A12345",
            "vehicle": "Volkswagen Passat",
            "policy_number": "PDAA20260001",
            "months": 3,
        }
        assert "沪A12345" in owner.rendered()[-1]
        # The next occurrence (2027-03-01) is after the policy ends: none is armed.
        assert (
            timers(database, "maintenance")["maintenance:PDAA20260001:2026-12-01"]["status"]
            == "fired"
        )
        assert len(timers(database, "maintenance")) == 1
    finally:
        container.close()


def test_a_late_maintenance_reminder_is_sent_once_and_the_next_one_is_armed(
    database: Database, tmp_path: Path, clock: FixedClock
) -> None:
    container = make(database, tmp_path, clock, maintenance_every_months=1)
    try:
        run = runner_of(container)
        party, _ = owner_chat(database, "tg-owner", locale="en")
        file_claim(database, party, "BA2026060100001")  # an owner known by their claim
        run.run_due()
        clock.current = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)  # down from 25 Nov to 20 Dec
        run.run_due()
        rows = maintenance_rows(container)
        assert [(r.chat_id, r.locale) for r in rows] == [("tg-owner", "en")]  # 1 Dec, late
        state = {k: r["status"] for k, r in timers(database, "maintenance").items()}
        assert state == {
            "maintenance:PDAA20260001:2026-12-01": "fired",
            "maintenance:PDAA20260001:2027-01-01": "pending",  # from now on: no monthly replay
            "maintenance:PDAA20260002:2026-12-15": "dropped",  # its owner never chatted
        }  # (PDAA20260002's next one, 2027-01-15, is after its end: none armed)
        skipped = timers(database, "maintenance")["maintenance:PDAA20260002:2026-12-15"]
        assert skipped["outcome"].startswith("owner unknown")
    finally:
        container.close()


def test_a_muted_owner_gets_no_maintenance_reminder_but_the_cadence_goes_on(
    database: Database, tmp_path: Path, clock: FixedClock
) -> None:
    container = make(database, tmp_path, clock, maintenance_every_months=1)
    try:
        run = runner_of(container)
        owner = Owner(container)
        start_report(owner)
        owner.text("/mute")
        run.run_due()
        clock.current = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
        run.run_due()
        assert maintenance_rows(container) == []
        rows = timers(database, "maintenance")
        assert rows["maintenance:PDAA20260001:2026-12-01"]["outcome"] == "muted"
        assert rows["maintenance:PDAA20260001:2027-01-01"]["status"] == "pending"
    finally:
        container.close()


def test_the_web_chat_turn_still_works_while_muted(container: Container) -> None:
    owner = Owner(container)
    owner.text("/mute")
    assert owner.send(InboundKind.TEXT, "/report")[0] == "report.started"
