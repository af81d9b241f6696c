from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.db import Database

AT = datetime(2026, 6, 1, tzinfo=UTC)


def test_inbound_dedupe_keeps_transaction_usable(database: Database) -> None:
    with database.unit_of_work() as uow:
        assert uow.inbound.first_time("telegram", "1001", AT) is True
        assert uow.inbound.first_time("telegram", "1001", AT) is False
        assert uow.inbound.first_time("wechat", "1001", AT) is True
        # The duplicate did not break the transaction.
        party = uow.parties.resolve("telegram", "u1")
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.inbound.first_time("telegram", "1001", AT) is False
        assert uow.parties.get(party.id) is not None
        assert uow.inbound.first_time("telegram", "1002", AT) is True
        # left without commit: rolled back
    with database.unit_of_work() as uow:
        assert uow.inbound.first_time("telegram", "1002", AT) is True
        assert uow.inbound.prune(AT + timedelta(seconds=1)) == 3
        uow.commit()
