"""The purge, the export and the erasure on both databases (the SQL they run)."""

from __future__ import annotations

from datetime import timedelta

from bot.bootstrap import Container
from storage.repositories.party_data import collect, erase, find_party
from storage.repositories.retention import purge
from tests.booking_support import WebUser
from tests.fakes import FixedClock
from tests.test_retention import claim_row, file_claim, withdraw


def test_purge_export_and_erase_on_each_database(container: Container, clock: FixedClock) -> None:
    owner = WebUser(container, "owner-sql-0001")
    number = file_claim(owner, 80)
    withdraw(container, number)
    with container.database.unit_of_work() as uow:
        party = find_party(uow.connection, "web", "owner-sql-0001")
        assert party is not None
        exported = collect(uow.connection, party)
        assert [c["number"] for c in exported.data["claims"]] == [number]
        assert len(exported.media) == 3 and exported.data["messages_to_them"]
        dry = purge(
            uow.connection, clock.now() + timedelta(days=10), timedelta(days=5), dry_run=True
        )
    assert dry.claims == [number] and claim_row(container.database, number)["plate"]
    clock.advance(timedelta(days=10))
    with container.database.unit_of_work() as uow:
        removed = purge(uow.connection, clock.now(), timedelta(days=5), dry_run=False)
        uow.commit()
    assert removed.claims == [number] and len(removed.media) == 3
    assert claim_row(container.database, number)["plate"] is None
    with container.database.unit_of_work() as uow:
        erased = erase(uow.connection, party, clock.now(), dry_run=False)
        uow.commit()
    assert erased.removed["identities"] == 1 and erased.removed["claims_anonymised"] == 0
    with container.database.unit_of_work() as uow:
        assert find_party(uow.connection, "web", "owner-sql-0001") is None
