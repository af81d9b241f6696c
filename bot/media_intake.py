"""Store what an owner uploads and describe it to the dialogs: kept items and refusals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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

    def served_copy(self, media_id: int) -> tuple[bytes, str] | None:
        """A stored photo or video as owners and shops get it (no recorded location), and
        its MIME type (None: unknown or gone)."""
        with self._database.unit_of_work() as uow:
            stored = uow.media.get(media_id)
        if stored is None:
            return None
        try:
            return self._store.served_copy(stored.relative_path, stored.mime)
        except (ValueError, FileNotFoundError):
            return None

    def stored_file(self, media_id: int) -> tuple[Path, str] | None:
        """Where a stored photo or video is, and its MIME type (None: unknown or gone)."""
        with self._database.unit_of_work() as uow:
            stored = uow.media.get(media_id)
        if stored is None:
            return None
        try:
            return self._store.open(stored.relative_path), stored.mime
        except (ValueError, FileNotFoundError):
            return None
