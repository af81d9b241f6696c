"""Uploads per sender: what the per-sender upload quota counts (storage.tables.abuse)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from storage.tables.abuse import media_upload_t

_c = media_upload_t.c


class MediaUploads:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def used_since(self, uploader: str, since: datetime) -> tuple[int, int]:
        """(files, bytes) the sender uploaded since ``since``."""
        row = self._conn.execute(
            select(func.count(), func.coalesce(func.sum(_c.size), 0)).where(
                _c.uploader == uploader, _c.uploaded_at >= since
            )
        ).one()
        return int(row[0]), int(row[1])

    def record(self, uploader: str, media_id: int, size: int, at: datetime) -> None:
        self._conn.execute(
            insert(media_upload_t).values(
                uploader=uploader, media_id=media_id, size=size, uploaded_at=at
            )
        )
