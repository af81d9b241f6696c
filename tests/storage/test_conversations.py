from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from storage.db import Database
from storage.records import ConversationRecord
from storage.repositories.conversations import ConversationNotFound


def test_save_and_get(database: Database) -> None:
    at = datetime(2026, 6, 1, 16, 0, tzinfo=timezone(timedelta(hours=8)))
    with database.unit_of_work() as uow:
        party = uow.parties.resolve("telegram", "7")
        assert uow.conversations.get_for_update("telegram", "7") is None
        saved = uow.conversations.save(
            ConversationRecord(
                id=None,
                channel="telegram",
                chat_id="7",
                party_id=party.id,
                dialog="report",
                state="ask_time",
                slots={"plate": "沪A12345", "evidence": [1, 2], "nested": {"ok": True}},
                locale="zh_CN",
                last_activity=at,
            )
        )
        uow.commit()
    assert saved.id is not None

    with database.unit_of_work() as uow:
        loaded = uow.conversations.get_for_update("telegram", "7")
        assert loaded == saved
        assert loaded is not None and loaded.last_activity is not None
        assert loaded.last_activity.tzinfo == UTC
        changed = dataclasses.replace(loaded, dialog=None, state="idle", slots={}, locale="en")
        assert uow.conversations.save(changed) == changed
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.conversations.get_for_update("telegram", "7") == changed
        with pytest.raises(ConversationNotFound):
            uow.conversations.save(dataclasses.replace(changed, id=(changed.id or 0) + 99))


def test_turns_on_one_conversation_are_serialised(database: Database) -> None:
    """Read-modify-write from many threads, starting with no row: no update is lost."""
    threads, turns = 6, 5
    start = threading.Barrier(threads)
    errors: list[BaseException] = []
    with database.unit_of_work() as uow:
        party_id = uow.parties.resolve("web", "w1").id
        uow.commit()

    def work() -> None:
        try:
            start.wait()
            for _ in range(turns):
                with database.unit_of_work() as uow:
                    record = uow.conversations.get_for_update("web", "w1")
                    if record is None:
                        record = ConversationRecord(
                            None, "web", "w1", party_id, None, "idle", {"n": 0}, "en", None
                        )
                    record.slots = {"n": record.slots["n"] + 1}
                    uow.conversations.save(record)
                    uow.commit()
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with database.unit_of_work() as uow:
        record = uow.conversations.get_for_update("web", "w1")
    assert record is not None and record.slots == {"n": threads * turns}


def test_an_update_writes_the_party_only_when_it_changed(database: Database) -> None:
    with database.unit_of_work() as uow:
        first = uow.parties.resolve("telegram", "8")
        second = uow.parties.resolve("telegram", "9")
        saved = uow.conversations.save(
            ConversationRecord(None, "telegram", "8", first.id, None, "idle", {}, "zh_CN", None)
        )
        uow.commit()
    with database.unit_of_work() as uow:
        loaded = uow.conversations.get_for_update("telegram", "8")
        assert loaded is not None and loaded == saved
        uow.conversations.save(dataclasses.replace(loaded, state="asked"), loaded=loaded)
        moved = dataclasses.replace(loaded, party_id=second.id, state="moved")
        uow.conversations.save(moved, loaded=loaded)
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.conversations.get_for_update("telegram", "8") == moved
