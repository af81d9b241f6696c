"""The timer runner with a clock the test moves: no sleeping anywhere."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from scheduler.kinds import (
    SEND_LATE,
    Defer,
    FireContext,
    Message,
    Misfire,
    Outcome,
    Send,
    Skip,
    TimerKind,
)
from scheduler.runner import TimerRunner
from storage.db import Database
from storage.repositories.timers import Timer, TimerSpec
from tests.fakes import FixedClock
from tests.scheduler.helpers import (
    NOON_SHANGHAI,
    bare_runner,
    config,
    outbox,
    owner_chat,
    timers,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOON_SHANGHAI)


def hello(ctx: FireContext, timer: Timer) -> Outcome:
    contact = ctx.uow.reminders.contact(int(timer.payload["party_id"]))
    assert contact is not None
    return Send([Message.of(contact, "reminders.unmuted", {"n": timer.payload.get("n")})])


def arm(database: Database, *specs: TimerSpec, clock: FixedClock) -> None:
    with database.unit_of_work() as uow:
        for spec in specs:
            uow.timers.set(spec, clock.now())
        uow.commit()


def kind(name: str = "hello", handler: Any = hello, **kw: Any) -> TimerKind:
    kw.setdefault("quiet_hours", False)
    return TimerKind(name, handler, **kw)


def test_a_due_timer_fires_once_with_its_outbox_row(database: Database, clock: FixedClock) -> None:
    party, _ = owner_chat(database, "tg-1", locale="en")
    arm(
        database,
        TimerSpec("hello", "h1", clock.now() + timedelta(minutes=5), {"party_id": party}),
        clock=clock,
    )
    run = bare_runner(database, clock, [kind()])
    assert run.run_due() == 0  # not due yet
    clock.advance(timedelta(minutes=5))
    assert run.run_due() == 1
    assert run.run_due() == 0
    (row,) = outbox(database)
    assert (row.channel, row.chat_id, row.locale, row.party_id) == ("telegram", "tg-1", "en", party)
    assert row.payload["key"] == "reminders.unmuted"
    assert set(row.payload) == {"key", "params", "choices", "attachments", "request_location"}
    assert row.idempotency_key.startswith("timer:") and row.idempotency_key.endswith(":1:0")
    t = timers(database)["h1"]
    assert (t["status"], t["fires"]) == ("fired", 1)
    assert t["claimed_by"].startswith(f"{run.worker}#")  # who fired it


def test_late_timers_follow_their_misfire_policy(database: Database, clock: FixedClock) -> None:
    party, _ = owner_chat(database, "tg-1")
    due = clock.now()
    arm(
        database,
        TimerSpec("late_ok", "a", due, {"party_id": party}),
        TimerSpec("grace_1h", "b", due, {"party_id": party}),
        TimerSpec("grace_1h", "c", due + timedelta(hours=2), {"party_id": party}),
        # An appointment reminder whose appointment has started: pointless, dropped.
        TimerSpec(
            "late_ok",
            "d",
            due,
            {"party_id": party, "expires_at": (due + timedelta(hours=1)).isoformat()},
        ),
        clock=clock,
    )
    run = bare_runner(
        database,
        clock,
        [kind("late_ok", misfire=SEND_LATE), kind("grace_1h", misfire=Misfire(timedelta(hours=1)))],
    )
    clock.advance(timedelta(hours=2, minutes=30))  # the process was down
    assert run.run_due() == 4
    rows = timers(database)
    assert rows["a"]["status"] == "fired"
    assert rows["b"]["status"] == "dropped" and "late by 2:30:00" in rows["b"]["outcome"]
    assert rows["c"]["status"] == "fired"  # 30 minutes late: within its grace
    assert rows["d"]["status"] == "dropped" and rows["d"]["outcome"].startswith("expired at")
    assert len(outbox(database)) == 2


def test_quiet_hours_hold_non_urgent_timers_until_the_owners_morning(
    database: Database, clock: FixedClock
) -> None:
    clock.current = NOON_SHANGHAI + timedelta(hours=10)  # 22:00 in Shanghai
    party, _ = owner_chat(database, "tg-1")
    london, _ = owner_chat(database, "tg-2")
    with database.unit_of_work() as uow:
        uow.reminders.set_timezone(london, "Europe/London", clock.now())  # 14:00 there
        uow.commit()
    arm(
        database,
        TimerSpec("reminder", "r1", clock.now(), {"party_id": party}),
        TimerSpec("urgent", "u1", clock.now(), {"party_id": party}),
        TimerSpec("reminder", "r2", clock.now(), {"party_id": london}),
        clock=clock,
    )
    run = bare_runner(
        database, clock, [kind("reminder", quiet_hours=True), kind("urgent", quiet_hours=False)]
    )
    assert run.run_due() == 3
    rows = timers(database)
    assert rows["u1"]["status"] == "fired" and rows["r2"]["status"] == "fired"
    assert rows["r1"]["status"] == "pending" and rows["r1"]["outcome"] == "quiet hours"
    morning = NOON_SHANGHAI + timedelta(hours=20)  # 08:00 the next day in Shanghai
    assert rows["r1"]["due_at"] == morning and rows["r1"]["attempts"] == 0
    clock.current = morning
    assert run.run_due() == 1
    assert timers(database)["r1"]["status"] == "fired"
    assert len(outbox(database)) == 3


def test_muted_owners_get_no_reminders_but_other_pushes(
    database: Database, clock: FixedClock
) -> None:
    party, _ = owner_chat(database, "tg-1")
    with database.unit_of_work() as uow:
        uow.reminders.set_muted(party, True, clock.now())
        uow.commit()
    arm(
        database,
        TimerSpec("reminder", "r1", clock.now(), {"party_id": party}),
        TimerSpec("progress", "p1", clock.now(), {"party_id": party}),
        clock=clock,
    )
    run = bare_runner(
        database, clock, [kind("reminder", mutable=True), kind("progress", mutable=False)]
    )
    run.run_due()
    rows = timers(database)
    assert (rows["r1"]["status"], rows["r1"]["outcome"]) == ("dropped", "muted")
    assert rows["p1"]["status"] == "fired"
    assert len(outbox(database)) == 1
    with database.unit_of_work() as uow:
        uow.reminders.set_muted(party, False, clock.now())
        uow.timers.set(TimerSpec("reminder", "r2", clock.now(), {"party_id": party}))
        uow.commit()
    run.run_due()
    assert timers(database)["r2"]["status"] == "fired"


def test_defer_and_skip_outcomes(database: Database, clock: FixedClock) -> None:
    later = clock.now() + timedelta(hours=1)

    def decide(ctx: FireContext, timer: Timer) -> Outcome:
        if timer.key == "defer" and ctx.now < later:
            return Defer(later, "not yet")
        if timer.key == "skip":
            return Skip("nothing to say", then=[TimerSpec("decide", "next", later, {})])
        return Send()

    arm(
        database,
        TimerSpec("decide", "defer", clock.now()),
        TimerSpec("decide", "skip", clock.now()),
        clock=clock,
    )
    run = bare_runner(database, clock, [kind("decide", decide)])
    run.run_due()
    rows = timers(database)
    assert (rows["defer"]["status"], rows["defer"]["due_at"]) == ("pending", later)
    assert (rows["skip"]["status"], rows["skip"]["outcome"]) == ("dropped", "nothing to say")
    assert rows["next"]["status"] == "pending"
    clock.current = later
    assert run.run_due() == 2
    assert timers(database)["defer"]["status"] == "fired"


def test_a_failing_handler_is_retried_with_backoff_then_given_up(
    database: Database, clock: FixedClock
) -> None:
    party, _ = owner_chat(database, "tg-1")
    calls: list[str] = []

    def flaky(ctx: FireContext, timer: Timer) -> Outcome:
        calls.append(timer.key)
        if timer.key == "bad":
            raise RuntimeError("boom")
        return hello(ctx, timer)

    arm(
        database,
        TimerSpec("flaky", "bad", clock.now(), {"party_id": party}),
        TimerSpec("flaky", "good", clock.now(), {"party_id": party}),
        clock=clock,
    )
    run = bare_runner(database, clock, [kind("flaky", flaky)], config(max_attempts=3))
    run.run_due()
    rows = timers(database)
    assert rows["good"]["status"] == "fired"  # a poisoned neighbour does not hold it back
    assert rows["bad"]["status"] == "pending" and "RuntimeError: boom" in rows["bad"]["outcome"]
    assert rows["bad"]["due_at"] == clock.now() + timedelta(seconds=10)
    for _ in range(5):
        clock.advance(timedelta(hours=1))
        run.run_due()
    rows = timers(database)
    assert (rows["bad"]["status"], rows["bad"]["attempts"]) == ("failed", 3)
    assert len(outbox(database)) == 1


def test_a_timer_of_an_unknown_kind_waits_for_a_worker_that_knows_it(
    database: Database, clock: FixedClock
) -> None:
    arm(database, TimerSpec("from_the_future", "f1", clock.now()), clock=clock)
    bare_runner(database, clock, [kind()]).run_due()
    row = timers(database)["f1"]
    assert row["status"] == "pending" and row["due_at"] == clock.now() + timedelta(minutes=5)


def test_a_stale_claim_is_reaped_and_fired_once(database: Database, clock: FixedClock) -> None:
    party, _ = owner_chat(database, "tg-1")
    arm(database, TimerSpec("hello", "h1", clock.now(), {"party_id": party}), clock=clock)
    with database.unit_of_work() as uow:  # a worker claimed it, then died
        (dead,) = uow.timers.claim_due("dead#1", clock.now(), 10)
        uow.commit()
    run = bare_runner(database, clock, [kind()])
    assert run.run_due() == 0
    clock.advance(timedelta(minutes=3))  # past stale_after (2 minutes)
    run.reap()
    assert run.run_due() == 1
    # The dead worker comes back to life and tries to fire its old claim: nothing happens.
    with database.unit_of_work() as uow:
        assert not uow.timers.hold(dead, clock.now())
    assert len(outbox(database)) == 1
    assert timers(database)["h1"]["fires"] == 1


def test_recurring_sweeps_rearm_themselves(database: Database, clock: FixedClock) -> None:
    runs: list[str] = []

    def sweep(ctx: FireContext, timer: Timer) -> Outcome:
        runs.append(ctx.now.isoformat())
        return Send()

    sweeper = kind("sweeper", sweep, recurring=timedelta(minutes=5))
    first = bare_runner(database, clock, [sweeper])
    second = bare_runner(database, clock, [sweeper])
    assert first.ensure_recurring() == 1
    assert second.ensure_recurring() == 0  # another worker starting: still one sweep
    first.run_due()
    second.run_due()
    assert len(runs) == 1
    clock.advance(timedelta(hours=1))  # down for an hour: one late run, not twelve
    second.run_due()
    first.run_due()
    assert len(runs) == 2
    row = timers(database)["sweep:sweeper"]
    assert (row["status"], row["fires"], row["due_at"]) == (
        "pending",
        2,
        clock.now() + timedelta(minutes=5),
    )


def test_two_runners_fire_each_timer_once(database: Database, clock: FixedClock) -> None:
    party, _ = owner_chat(database, "tg-1")
    arm(
        database,
        *[TimerSpec("hello", f"h{i}", clock.now(), {"party_id": party, "n": i}) for i in range(30)],
        clock=clock,
    )
    cfg = config(batch=7, chunk=3)
    a = bare_runner(database, clock, [kind()], cfg)
    b = bare_runner(database, clock, [kind()], cfg)
    assert isinstance(a, TimerRunner) and a.worker != b.worker
    assert a.run_due() + b.run_due() == 30
    rows = outbox(database)
    assert sorted(r.payload["params"]["n"] for r in rows) == list(range(30))


def test_a_deferral_into_the_past_does_not_spin(database: Database, clock: FixedClock) -> None:
    def stubborn(ctx: FireContext, timer: Timer) -> Outcome:
        return Defer(ctx.now - timedelta(hours=1), "a buggy handler")

    arm(database, TimerSpec("stubborn", "s1", clock.now()), clock=clock)
    run = bare_runner(database, clock, [kind("stubborn", stubborn)])
    assert run.run_due() == 1
    assert timers(database)["s1"]["due_at"] == clock.now() + timedelta(seconds=1)
