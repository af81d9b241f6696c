from __future__ import annotations

import threading

from sqlalchemy import func, select

from storage.db import Database
from storage.records import PartyRecord
from storage.tables.core import identity_t, party_t


def test_resolve_creates_once(database: Database) -> None:
    with database.unit_of_work() as uow:
        first = uow.parties.resolve("telegram", "42", locale="en")
        again = uow.parties.resolve("telegram", "42", kind="adjuster", locale="zh_CN")
        other = uow.parties.resolve("wechat", "42")
        uow.commit()
    assert first == PartyRecord(first.id, "owner", None, "en")
    assert again == first
    assert other.id != first.id and other.locale is None
    with database.unit_of_work() as uow:
        uow.parties.set_locale(first.id, "zh_CN")
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.parties.resolve("telegram", "42").locale == "zh_CN"
        assert uow.parties.get(first.id) == PartyRecord(first.id, "owner", None, "zh_CN")
        assert uow.parties.get(first.id + 1000) is None


def test_resolve_race_makes_one_party(database: Database) -> None:
    threads = 6
    start = threading.Barrier(threads)
    ids: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            with database.unit_of_work() as uow:
                party = uow.parties.resolve("wechat", "oRACE")
                uow.commit()
            ids.append(party.id)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(set(ids)) == 1
    with database.unit_of_work() as uow:
        conn = uow.connection
        assert conn.execute(select(func.count()).select_from(party_t)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(identity_t)).scalar_one() == 1
