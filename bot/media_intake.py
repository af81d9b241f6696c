"""Store what an owner uploads and describe it to the dialogs: kept items and refusals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dialogs.messages import MediaItem
from storage.db import Database
from storage.media import MediaStore
from storage.media_types import MediaRejected


@dataclass(frozen=True)
class Upload:
    data: bytes
    declared_kind: str | None = None  # "photo" | "video", as the channel labelled it
    filename: str | None = None


@dataclass(frozen=True)
class IntakeResult:
    items: tuple[MediaItem, ...]
    rejected: tuple[str, ...]


class MediaIntake:
    def __init__(self, store: MediaStore, database: Database) -> None:
        self._store = store
        self._database = database

    def accept(self, uploads: Sequence[Upload]) -> IntakeResult:
        items: list[MediaItem] = []
        rejected: list[str] = []
        for upload in uploads:
            try:
                stored = self._store.save(
                    upload.data, declared_kind=upload.declared_kind, filename=upload.filename
                )
            except MediaRejected as refusal:
                rejected.append(refusal.reason.value)
                continue
            with self._database.unit_of_work() as uow:
                media_id = uow.media.add(stored)
                uow.commit()
            items.append(
                MediaItem(
                    media_id=media_id,
                    kind=stored.kind,
                    taken_at=stored.taken_at,
                    gps_lat=stored.gps_lat,
                    gps_lon=stored.gps_lon,
                )
            )
        return IntakeResult(tuple(items), tuple(rejected))
