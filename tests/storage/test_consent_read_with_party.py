"""The privacy notice version is read with the party: the turn's consent gate asks the
database nothing more (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from storage.db import Database
from tests.storage.helpers import NOW


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def test_an_agreement_is_known_from_the_party_read(database: Database) -> None:
    with database.unit_of_work() as uow:
        party = uow.parties.resolve("web", "consent-reader")
        assert uow.consents.agreed_version(party.id) is None  # new: nothing agreed
        uow.consents.record(party.id, "v1", "web", NOW)
        assert uow.consents.agreed_version(party.id) == "v1"
        uow.consents.record(party.id, "v2", "web", NOW)
        uow.commit()
    with database.unit_of_work() as uow, statements(database) as seen:
        party = uow.parties.resolve("web", "consent-reader")
        assert uow.consents.agreed_version(party.id) == "v2"  # the latest recorded
        assert len(seen) == 1


def test_a_party_never_resolved_is_still_asked(database: Database) -> None:
    with database.unit_of_work() as uow:
        party = uow.parties.resolve("web", "consent-other")
        uow.consents.record(party.id, "v1", "web", NOW)
        uow.commit()
    with database.unit_of_work() as uow, statements(database) as seen:
        assert uow.consents.agreed_version(party.id) == "v1"
        assert len(seen) == 1
