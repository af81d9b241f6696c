"""Failed-attempt counters on both databases: window, cool-down, concurrent workers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from domain.attempts import AttemptRule, blocked_until
from storage.db import Database
from tests.storage.helpers import NOW

RULE = AttemptRule(limit=3, window=timedelta(hours=1), cooldown=timedelta(minutes=30))


def fail(database: Database, key: str, minutes: float = 0) -> int:
    with database.unit_of_work() as uow:
        state = uow.attempts.fail(key, RULE, NOW + timedelta(minutes=minutes))
        uow.commit()
    return state.failures


def test_failures_count_in_the_window_then_block_for_the_cooldown(database: Database) -> None:
    assert [fail(database, "verify:plate:沪A12345", m) for m in (0, 10, 20)] == [1, 2, 3]
    with database.unit_of_work() as uow:
        at = NOW + timedelta(minutes=21)
        state = uow.attempts.state("verify:plate:沪A12345", RULE, at)
        assert state.blocked(at) and state.blocked_until == NOW + timedelta(minutes=50)
        assert uow.attempts.state("verify:plate:沪A54321", RULE, at).failures == 0
        later = NOW + timedelta(minutes=51)
        assert not uow.attempts.state("verify:plate:沪A12345", RULE, later).blocked(later)
        keys = ("verify:plate:沪A12345", "verify:party:1")
        assert blocked_until(uow.attempts, keys, RULE, at) == NOW + timedelta(minutes=50)


def test_a_failure_after_the_window_starts_a_new_count(database: Database) -> None:
    assert fail(database, "bind:web:x", 0) == 1
    assert fail(database, "bind:web:x", 30) == 2
    assert fail(database, "bind:web:x", 61) == 1  # the first window has passed


def test_workers_failing_at_once_all_count(database: Database) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: fail(database, "login:ip:203.0.113.9"), range(16)))
    with database.unit_of_work() as uow:
        state = uow.attempts.state("login:ip:203.0.113.9", RULE, NOW)
    assert state.failures == 16 and state.blocked(NOW)


def test_several_subjects_read_at_once_are_each_one_read_alone(database: Database) -> None:
    for minutes in (0, 10, 20):
        fail(database, "verify:plate:沪B00001", minutes)
    fail(database, "verify:party:7", 0)
    keys = ("verify:party:7", "verify:plate:沪B00001", "verify:party:8", "verify:party:7")
    for at in (NOW + timedelta(minutes=21), NOW + timedelta(minutes=90)):
        with database.reading() as uow:
            together = uow.attempts.states(keys, RULE, at)
            assert together == [uow.attempts.state(key, RULE, at) for key in keys]
    assert together[0].failures == 0 and together[1].blocked_until is None  # windows passed
