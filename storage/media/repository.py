"""Rows of the media store: one per stored file, keyed by its SHA-256."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, insert, select

from domain.fraud_signals import phash_bands
from storage._sql import AnyRow, per_dialect, pick, utcnow
from storage.media.types import StoredMedia
from storage.tables.core import media_phash_band_t, media_t

_c = media_t.c
_ADD = per_dialect(
    lambda ins: ins(media_t).on_conflict_do_nothing(index_elements=["sha256"]).returning(_c.id)
)
_ID_BY_SHA = select(_c.id).where(_c.sha256 == bindparam("sha256"))
_GET = select(
    _c.sha256,
    _c.kind,
    _c.mime,
    _c.size,
    _c.relative_path,
    _c.width,
    _c.height,
    _c.taken_at,
    _c.gps_lat,
    _c.gps_lon,
    _c.phash,
).where(_c.id == bindparam("media_id"))
_IDS_EXIST = select(_c.id).where(_c.id.in_(bindparam("ids", expanding=True)))


def _media(row: AnyRow) -> StoredMedia:
    return StoredMedia(
        sha256=row.sha256,
        kind=row.kind,
        mime=row.mime,
        size=row.size,
        relative_path=row.relative_path,
        width=row.width,
        height=row.height,
        taken_at=row.taken_at,
        gps_lat=row.gps_lat,
        gps_lon=row.gps_lon,
        phash=row.phash,
    )


class MediaRepository:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, media: StoredMedia) -> int:
        """Record a stored file; the same content (sha256) twice gives the first row's id."""
        inserted = self._conn.execute(
            pick(_ADD, self._conn),
            {
                "sha256": media.sha256,
                "kind": media.kind,
                "mime": media.mime,
                "size": media.size,
                "relative_path": media.relative_path,
                "width": media.width,
                "height": media.height,
                "taken_at": media.taken_at,
                "gps_lat": media.gps_lat,
                "gps_lon": media.gps_lon,
                "phash": media.phash,
                "created_at": utcnow(),
            },
        ).scalar()
        if inserted is not None:
            self._add_bands(int(inserted), media.phash)
            return int(inserted)
        return int(self._conn.execute(_ID_BY_SHA, {"sha256": media.sha256}).scalar_one())

    def _add_bands(self, media_id: int, phash: str | None) -> None:
        """The pHash's bands, by which storage.read_models.fraud finds near photos."""
        if not phash:
            return
        rows = [
            {"media_id": media_id, "band": band, "value": value}
            for band, value in enumerate(phash_bands(phash))
        ]
        self._conn.execute(insert(media_phash_band_t), rows)

    def get(self, media_id: int) -> StoredMedia | None:
        row = self._conn.execute(_GET, {"media_id": media_id}).first()
        return None if row is None else _media(row)

    def id_for(self, sha256: str) -> int | None:
        value = self._conn.execute(_ID_BY_SHA, {"sha256": sha256}).scalar()
        return None if value is None else int(value)

    def ids_exist(self, ids: Iterable[int]) -> set[int]:
        wanted = list(set(ids))
        if not wanted:
            return set()
        return set(self._conn.execute(_IDS_EXIST, {"ids": wanted}).scalars())
