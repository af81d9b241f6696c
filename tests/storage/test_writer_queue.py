"""SQLite's writers in one process take turns on a lock (storage.uow.WriterQueue): a writer
starts when the one before it commits, and every way out of a unit of work gives the turn
back."""

from __future__ import annotations

import threading

import pytest

from storage.db import Database


def _turn_is_free(db: Database) -> bool:
    """A writer could start now without waiting."""
    with db.unit_of_work() as uow:
        uow.parties.resolve("telegram", "probe")
        uow.commit()
    return True


def test_a_writer_waits_for_the_one_before_it_to_commit(sqlite_database: Database) -> None:
    order: list[str] = []
    ids: list[int] = []
    first_in = threading.Event()
    release_first = threading.Event()

    def first() -> None:
        with sqlite_database.unit_of_work() as uow:
            ids.append(uow.parties.resolve("telegram", "1").id)
            first_in.set()
            release_first.wait(10)
            order.append("first commits")
            uow.commit()

    def second() -> None:
        first_in.wait(10)
        with sqlite_database.unit_of_work() as uow:
            order.append("second begins")
            ids.append(uow.parties.resolve("telegram", "2").id)
            uow.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_in.wait(10)
    release_first.set()
    for thread in threads:
        thread.join(20)
    assert order == ["first commits", "second begins"]
    with sqlite_database.reading() as uow:
        assert all(uow.parties.get(party) is not None for party in ids) and len(ids) == 2


def test_the_turn_comes_back_after_commit_rollback_exit_and_error(
    sqlite_database: Database,
) -> None:
    queue = sqlite_database._writers
    assert queue is not None
    with sqlite_database.unit_of_work() as uow:
        assert queue._lock.locked()  # a writer holds the turn from its start
        uow.commit()
        assert queue.enter()  # free once committed, while the block still runs
        queue.leave()
    with sqlite_database.unit_of_work() as uow:
        uow.rollback()
    with sqlite_database.unit_of_work():
        pass  # left without commit
    with pytest.raises(RuntimeError), sqlite_database.unit_of_work():
        raise RuntimeError("a step failed")
    assert _turn_is_free(sqlite_database)
    assert queue.enter()
    queue.leave()


def test_readers_do_not_queue(sqlite_database: Database) -> None:
    with sqlite_database.unit_of_work() as writer:
        party = writer.parties.resolve("telegram", "1")
        with sqlite_database.reading() as reader:  # would wait for the writer if it queued
            assert reader.parties.get(party.id) is None
        writer.commit()
