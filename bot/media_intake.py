"""Store what an owner uploads and describe it to the dialogs: kept items and refusals.

Each sender has an upload quota over a rolling 24 hours (files and bytes; a file sent
again counts again): past it, uploads are refused with ``quota_exceeded``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from domain.clock import Clock
from messages.inbound import MediaItem
from storage.db import Database
from storage.media.store import MediaStore
from storage.media.types import MediaRejected, MediaRejection, StoredMedia

QUOTA_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Upload:
    data: bytes
    declared_kind: str | None = None  # "photo" | "video", as the channel labelled it
    filename: str | None = None
    uploader: str | None = None  # "<channel>:<user id>", whose quota it counts against


@dataclass(frozen=True)
class UploadQuota:
    files: int  # per sender per 24 hours; 0: no limit
    bytes: int


@dataclass(frozen=True)
class IntakeResult:
    items: tuple[MediaItem, ...]
    rejected: tuple[str, ...]


class MediaIntake:
    def __init__(
        self,
        store: MediaStore,
        database: Database,
        clock: Clock,
        quota: UploadQuota = UploadQuota(0, 0),
    ) -> None:
        self._store = store
        self._database = database
        self._clock = clock
        self._quota = quota

    def accept(self, uploads: Sequence[Upload]) -> IntakeResult:
        """Store what passes, then record it in one transaction. The quota is read once, by
        a reading unit of work (it never waits for SQLite's write lock), and counts the
        files accepted earlier in the same batch."""
        used = self._usage(uploads)
        accepted: list[tuple[Upload, StoredMedia]] = []
        rejected: list[str] = []
        for upload in uploads:
            try:
                self._check_quota(upload, used)
                stored = self._store.save(
                    upload.data, declared_kind=upload.declared_kind, filename=upload.filename
                )
            except MediaRejected as refusal:
                rejected.append(refusal.reason.value)
                continue
            if upload.uploader is not None:
                files, size = used[upload.uploader]
                used[upload.uploader] = (files + 1, size + stored.size)
            accepted.append((upload, stored))
        return IntakeResult(self._record(accepted), tuple(rejected))

    def _record(self, accepted: list[tuple[Upload, StoredMedia]]) -> tuple[MediaItem, ...]:
        if not accepted:
            return ()
        items: list[MediaItem] = []
        with self._database.unit_of_work() as uow:
            for upload, stored in accepted:
                media_id = uow.media.add(stored)
                if upload.uploader is not None:
                    uow.media_uploads.record(
                        upload.uploader, media_id, stored.size, self._clock.now()
                    )
                items.append(
                    MediaItem(
                        media_id=media_id,
                        kind=stored.kind,
                        taken_at=stored.taken_at,
                        gps_lat=stored.gps_lat,
                        gps_lon=stored.gps_lon,
                    )
                )
            uow.commit()
        return tuple(items)

    def _usage(self, uploads: Sequence[Upload]) -> dict[str, tuple[int, int]]:
        """Files and bytes each uploader of the batch sent in the quota's window."""
        quota = self._quota
        uploaders = {upload.uploader for upload in uploads if upload.uploader is not None}
        if not uploaders or not (quota.files or quota.bytes):
            return {uploader: (0, 0) for uploader in uploaders}
        since = self._clock.now() - QUOTA_WINDOW
        with self._database.reading() as uow:
            return {u: uow.media_uploads.used_since(u, since) for u in sorted(uploaders)}

    def _check_quota(self, upload: Upload, used: dict[str, tuple[int, int]]) -> None:
        quota = self._quota
        if upload.uploader is None or not (quota.files or quota.bytes):
            return
        files, size = used[upload.uploader]
        if (quota.files and files >= quota.files) or (
            quota.bytes and size + len(upload.data) > quota.bytes
        ):
            raise MediaRejected(MediaRejection.QUOTA_EXCEEDED)

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
