"""The timer table's API on SQLite and PostgreSQL: arm once, re-arm, move, cancel, claim."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from storage.db import Database
from storage.repositories.timers import TimerSpec
from tests.scheduler.helpers import NOON_SHANGHAI as NOW
from tests.scheduler.helpers import timers


def spec(key: str, due_in: float = 0, **kw: object) -> TimerSpec:
    return TimerSpec("k", key, NOW + timedelta(minutes=due_in), **kw)  # type: ignore[arg-type]


def test_add_is_once_per_key_even_after_firing(database: Database) -> None:
    with database.unit_of_work() as uow:
        assert uow.timers.add(spec("a"), NOW)
        assert not uow.timers.add(spec("a", due_in=5), NOW)  # unchanged
        uow.commit()
    with database.unit_of_work() as uow:
        (claimed,) = uow.timers.claim_due("w#1", NOW, 10)
        assert uow.timers.hold(claimed, NOW)
        uow.timers.finish(claimed, "fired", NOW)
        assert not uow.timers.add(spec("a", due_in=60), NOW)  # "once" means once
        assert uow.timers.add_many([spec("a"), spec("b"), spec("c")], NOW) == 2
        uow.commit()
    row = timers(database)["a"]
    assert (row["status"], row["fires"], row["due_at"]) == ("fired", 1, NOW)


def test_set_rearms_and_move_and_cancel(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.timers.set(spec("booking:1:day_before", 60, subject="booking:1"), NOW)
        uow.timers.set(spec("booking:1:two_hours", 90, subject="booking:1"), NOW)
        uow.timers.set(spec("booking:2:day_before", 60, subject="booking:2"), NOW)
        uow.commit()
    with database.unit_of_work() as uow:
        # Rescheduling moves; set replaces the payload too.
        uow.timers.set(spec("booking:1:day_before", 120, payload={"v": 2}, subject="booking:1"))
        assert uow.timers.move("booking:1:two_hours", NOW + timedelta(minutes=150), NOW)
        assert not uow.timers.move("no-such-key", NOW, NOW)
        assert uow.timers.cancel("booking:2:day_before", NOW)
        assert not uow.timers.cancel("booking:2:day_before", NOW)  # already cancelled
        uow.commit()
    rows = timers(database)
    assert rows["booking:1:day_before"]["due_at"] == NOW + timedelta(minutes=120)
    assert rows["booking:1:day_before"]["payload"] == {"v": 2}
    assert rows["booking:1:two_hours"]["due_at"] == NOW + timedelta(minutes=150)
    assert rows["booking:2:day_before"]["status"] == "cancelled"
    with database.unit_of_work() as uow:
        assert uow.timers.cancel_subject("booking:1", kinds=["other"], now=NOW) == 0
        assert uow.timers.cancel_subject("booking:1", now=NOW) == 2
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.timers.claim_due("w#1", NOW + timedelta(days=2), 10) == []
        # A cancelled reminder comes back when the booking is confirmed again.
        uow.timers.set(spec("booking:2:day_before", 10, subject="booking:2"), NOW)
        uow.commit()
    assert timers(database)["booking:2:day_before"]["status"] == "pending"


def test_ensure_revives_only_finished_timers(database: Database) -> None:
    with database.unit_of_work() as uow:
        assert uow.timers.ensure(spec("sweep:x"), NOW)
        assert not uow.timers.ensure(spec("sweep:x", 30), NOW)  # pending: left as it is
        (claimed,) = uow.timers.claim_due("w#1", NOW, 10)
        assert uow.timers.hold(claimed, NOW)
        assert not uow.timers.ensure(spec("sweep:x", 30), NOW)  # firing: left alone
        uow.timers.finish(claimed, "failed", NOW, "boom")
        assert uow.timers.ensure(spec("sweep:x", 30), NOW)  # finished: armed again
        uow.commit()
    row = timers(database)["sweep:x"]
    assert (row["status"], row["due_at"], row["outcome"]) == (
        "pending",
        NOW + timedelta(minutes=30),
        None,
    )


def test_claim_takes_due_timers_earliest_first_once(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.timers.add_many([spec(f"t{i}", due_in=-i) for i in range(5)] + [spec("later", 10)])
        uow.commit()
    with database.unit_of_work() as uow:
        first = uow.timers.claim_due("w#1", NOW, 3)
        second = uow.timers.claim_due("w#2", NOW, 10)
        uow.commit()
    assert [t.key for t in first] == ["t4", "t3", "t2"]
    assert [t.key for t in second] == ["t1", "t0"]
    assert {t.claimed_by for t in first} == {"w#1"} and first[0].attempts == 1


def test_a_reaped_claim_cannot_be_fired_by_its_old_owner(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.timers.add(spec("a"), NOW)
        uow.commit()
    with database.unit_of_work() as uow:
        (stale,) = uow.timers.claim_due("dead#1", NOW, 10)
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.timers.release_stale(NOW) == 0  # not old yet
        assert uow.timers.release_stale(NOW + timedelta(minutes=3)) == 1
        (fresh,) = uow.timers.claim_due("w2#1", NOW + timedelta(minutes=3), 10)
        uow.commit()
    assert fresh.id == stale.id and fresh.attempts == 2
    with database.unit_of_work() as uow:
        assert not uow.timers.hold(stale, NOW)  # the slow old owner backs off
        assert uow.timers.hold(fresh, NOW)
        uow.commit()


def test_set_voids_a_claim_in_flight(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.timers.add(spec("a"), NOW)
        uow.commit()
    with database.unit_of_work() as uow:
        (claimed,) = uow.timers.claim_due("w#1", NOW, 10)
        uow.commit()
    with database.unit_of_work() as uow:
        uow.timers.set(spec("a", 60), NOW)  # the booking was rescheduled meanwhile
        uow.commit()
    with database.unit_of_work() as uow:
        assert not uow.timers.hold(claimed, NOW)
    assert timers(database)["a"]["status"] == "pending"


def test_next_due_and_stats(database: Database) -> None:
    with database.unit_of_work() as uow:
        assert uow.timers.next_due() is None
        uow.timers.add_many([spec("late", -10), spec("now", 0), spec("soon", 5)], NOW)
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.timers.next_due() == NOW - timedelta(minutes=10)
        stats = uow.timers.stats(NOW)
    assert (stats.due, stats.oldest_due_at, stats.firing, stats.failed) == (
        2,
        NOW - timedelta(minutes=10),
        0,
        0,
    )


def test_concurrent_claims_never_share_a_timer(database: Database) -> None:
    total = 400
    with database.unit_of_work() as uow:
        uow.timers.add_many([spec(f"t{i}", due_in=-1) for i in range(total)], NOW)
        uow.commit()
    claimed: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            for n in range(1000):
                with database.unit_of_work() as uow:
                    rows = uow.timers.claim_due(f"{name}#{n}", NOW, 7)
                    uow.commit()
                if not rows:
                    return
                with lock:
                    claimed.extend(t.id for t in rows)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(claimed) == total == len(set(claimed))


def test_claim_in_flight_is_skipped_on_postgres(database: Database) -> None:
    if not database.is_postgres:
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no claim runs alongside")
    with database.unit_of_work() as uow:
        uow.timers.add_many([spec(f"t{i}", due_in=-i) for i in range(4)], NOW)
        uow.commit()
    with database.unit_of_work() as first:
        a = first.timers.claim_due("a#1", NOW, 2)
        with database.unit_of_work() as second:  # while the first claim is uncommitted
            b = second.timers.claim_due("b#1", NOW, 10)
            second.commit()
        first.commit()
    assert [t.key for t in a] == ["t3", "t2"]
    assert [t.key for t in b] == ["t1", "t0"]


def test_naive_times_are_refused(database: Database) -> None:
    with database.unit_of_work() as uow, pytest.raises(ValueError):
        uow.timers.add(TimerSpec("k", "naive", NOW.replace(tzinfo=None)), NOW)
