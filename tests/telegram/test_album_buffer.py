"""The album buffer in the database: parts, the quiet period, late parts, takeovers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.channels.telegram.albums import AlbumBuffer, PartStatus
from storage.db import Database

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def add(db: Database, message_id: int, at: datetime, group: str = "g1") -> PartStatus:
    with db.unit_of_work() as uow:
        slot = AlbumBuffer(uow.connection).add_part(
            chat_id="42",
            media_group_id=group,
            user_id="42",
            language="en",
            message_id=message_id,
            at=at,
        )
        uow.commit()
    return slot.status


def finish(db: Database, message_id: int, at: datetime) -> None:
    with db.unit_of_work() as uow:
        albums = AlbumBuffer(uow.connection)
        slot = albums.add_part(
            chat_id="42",
            media_group_id="g1",
            user_id="42",
            language="en",
            message_id=message_id,
            at=at,
        )
        assert slot.part_id is not None
        item = {"media_id": message_id, "kind": "photo"}
        albums.finish_part(slot.part_id, [item], ["too_large"] if message_id == 3 else [], at)
        uow.commit()


def close(db: Database, at: datetime, album_id: int = 1) -> bool:
    with db.unit_of_work() as uow:
        taken = AlbumBuffer(uow.connection).close(
            album_id,
            at=at,
            quiet_before=at - 2 * S,
            stale_before=at - 60 * S,
            reclaim_before=at - 60 * S,
        )
        uow.commit()
    return taken


def test_an_album_closes_once_quiet_and_complete(database: Database) -> None:
    assert add(database, 1, T0) is PartStatus.NEW
    assert add(database, 2, T0 + S) is PartStatus.NEW
    assert add(database, 2, T0 + S) is PartStatus.RETRY  # recorded, never finished
    finish(database, 1, T0 + S)
    assert not close(database, T0 + 5 * S)  # part 2 is still downloading
    finish(database, 2, T0 + 2 * S)
    finish(database, 3, T0 + 3 * S)
    assert add(database, 1, T0 + 3 * S) is PartStatus.DUPLICATE
    assert not close(database, T0 + 4 * S)  # not quiet yet
    assert close(database, T0 + 6 * S)
    assert not close(database, T0 + 7 * S)  # taken once
    with database.unit_of_work() as uow:
        content = AlbumBuffer(uow.connection).content(1)
    assert [item["media_id"] for item in content.media] == [1, 2, 3]
    assert content.rejected == ("too_large",) and content.unfinished == 0
    assert add(database, 4, T0 + 8 * S) is PartStatus.LATE
    assert add(database, 2, T0 + 8 * S) is PartStatus.DUPLICATE


def test_a_stale_download_and_a_dead_worker_do_not_block_the_album(database: Database) -> None:
    add(database, 1, T0)
    finish(database, 2, T0)
    assert not close(database, T0 + 30 * S)  # part 1 may still be downloading
    assert close(database, T0 + 61 * S)  # given up on part 1
    with database.unit_of_work() as uow:
        albums = AlbumBuffer(uow.connection)
        assert albums.content(1).unfinished == 1
        # The worker that took it died: after the reclaim delay it is due again.
        assert albums.due(quiet_before=T0 + 100 * S, reclaim_before=T0 + 100 * S) == [1]
        assert albums.due(quiet_before=T0 + 100 * S, reclaim_before=T0 + 10 * S) == []
        albums.mark_processed(1, T0 + 130 * S)
        assert albums.due(quiet_before=T0 + 200 * S, reclaim_before=T0 + 200 * S) == []
        assert albums.prune(T0 + 100 * S) == 0
        assert albums.prune(T0 + 200 * S) == 1
        uow.commit()
    assert add(database, 3, T0 + 300 * S) is PartStatus.NEW  # a new album after pruning
