from __future__ import annotations

from datetime import UTC

from storage.db import Database
from tests.storage.helpers import media


def test_media_add_is_idempotent_by_content(database: Database) -> None:
    with database.unit_of_work() as uow:
        first = uow.media.add(media(1))
        assert uow.media.add(media(1)) == first
        second = uow.media.add(media(2, gps=False))
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.media.add(media(1)) == first
        stored = uow.media.get(first)
        assert stored == media(1)
        assert stored is not None and stored.taken_at is not None
        assert stored.taken_at.tzinfo == UTC
        assert uow.media.get(second) == media(2, gps=False)
        assert uow.media.get(second + 100) is None
        assert uow.media.ids_exist([first, second, second + 100]) == {first, second}
        assert uow.media.ids_exist([]) == set()
        assert uow.media.id_for(media(2).sha256) == second
