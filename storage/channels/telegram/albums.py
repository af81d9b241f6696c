"""Telegram albums gathered in the database: parts arrive one update at a time, possibly on
different workers, with no "last part" marker; the album is closed after a quiet period.

Built on a unit of work's connection (``AlbumBuffer(uow.connection)``); the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, exists, or_, select, update

from storage._sql import per_dialect, pick, require_aware
from storage.channels.telegram.tables import telegram_album_part_t, telegram_album_t

_a = telegram_album_t.c
_p = telegram_album_part_t.c

_NEW_ALBUM = per_dialect(
    lambda ins: (
        ins(telegram_album_t)
        .on_conflict_do_nothing(index_elements=["chat_id", "media_group_id"])
        .returning(_a.id)
    )
)
_NEW_PART = per_dialect(
    lambda ins: (
        ins(telegram_album_part_t)
        .on_conflict_do_nothing(index_elements=["album_id", "message_id"])
        .returning(_p.id)
    )
)
_FIND_ALBUM = select(_a.id, _a.closed_at).where(
    _a.chat_id == bindparam("chat_id"), _a.media_group_id == bindparam("media_group_id")
)
_FIND_PART = select(_p.id, _p.done).where(
    _p.album_id == bindparam("album_id"), _p.message_id == bindparam("message_id")
)
_TOUCH = (
    update(telegram_album_t)
    .where(_a.id == bindparam("album_id"), _a.last_at < bindparam("at"))
    .values(last_at=bindparam("at"))
)
_FINISH_PART = (
    update(telegram_album_part_t)
    .where(_p.id == bindparam("part_id"))
    .values(done=True, media=bindparam("media"), rejected=bindparam("rejected"))
    .returning(_p.album_id)
)
_PENDING_PART = exists().where(
    _p.album_id == _a.id, _p.done.is_(False), _p.arrived_at > bindparam("stale_before")
)
_CLOSE = (
    update(telegram_album_t)
    .where(
        _a.id == bindparam("album_id"),
        or_(
            _a.closed_at.is_(None),
            and_(_a.processed_at.is_(None), _a.closed_at <= bindparam("reclaim_before")),
        ),
        _a.last_at <= bindparam("quiet_before"),
        ~_PENDING_PART,
    )
    .values(closed_at=bindparam("at"))
    .returning(_a.id)
)
_REOPEN = update(telegram_album_t).where(_a.id == bindparam("album_id")).values(closed_at=None)
_PROCESSED = (
    update(telegram_album_t)
    .where(_a.id == bindparam("album_id"))
    .values(processed_at=bindparam("at"))
)
_ALBUM = select(_a.chat_id, _a.media_group_id, _a.user_id, _a.language).where(
    _a.id == bindparam("album_id")
)
_PARTS = (
    select(_p.message_id, _p.done, _p.media, _p.rejected)
    .where(_p.album_id == bindparam("album_id"))
    .order_by(_p.message_id)
)
_DUE = (
    select(_a.id)
    .where(
        or_(
            and_(_a.closed_at.is_(None), _a.last_at <= bindparam("quiet_before")),
            and_(_a.processed_at.is_(None), _a.closed_at <= bindparam("reclaim_before")),
        )
    )
    .order_by(_a.id)
)
_PRUNE = delete(telegram_album_t).where(_a.processed_at < bindparam("before"))


class PartStatus(StrEnum):
    NEW = "new"  # recorded: download it, then ``finish_part``
    RETRY = "retry"  # recorded before but never finished (a redelivery after a failure)
    DUPLICATE = "duplicate"  # recorded and finished already: nothing to do
    LATE = "late"  # the album was closed already: handle the part on its own


@dataclass(frozen=True)
class PartSlot:
    status: PartStatus
    album_id: int | None = None
    part_id: int | None = None


@dataclass(frozen=True)
class AlbumContent:
    chat_id: str
    media_group_id: str
    user_id: str
    language: str | None
    media: tuple[dict[str, Any], ...]  # media items in message order
    rejected: tuple[str, ...]
    unfinished: int  # parts whose download never finished (given up)


class AlbumBuffer:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_part(
        self,
        *,
        chat_id: str,
        media_group_id: str,
        user_id: str,
        language: str | None,
        message_id: int,
        at: datetime,
    ) -> PartSlot:
        """Record one part of an album (the album itself on its first part)."""
        at = require_aware(at, "at")
        album_id = self._conn.execute(
            pick(_NEW_ALBUM, self._conn),
            {
                "chat_id": chat_id,
                "media_group_id": media_group_id,
                "user_id": user_id,
                "language": language,
                "first_at": at,
                "last_at": at,
                "closed_at": None,
                "processed_at": None,
            },
        ).scalar()
        if album_id is None:
            found = self._conn.execute(
                _FIND_ALBUM, {"chat_id": chat_id, "media_group_id": media_group_id}
            ).one()
            album_id = found.id
            if found.closed_at is not None:
                existing = self._conn.execute(
                    _FIND_PART, {"album_id": album_id, "message_id": message_id}
                ).first()
                if existing is not None:  # a redelivered part of a processed album
                    return PartSlot(PartStatus.DUPLICATE, album_id, existing.id)
                return PartSlot(PartStatus.LATE, album_id)
            self._conn.execute(_TOUCH, {"album_id": album_id, "at": at})
        part_id = self._conn.execute(
            pick(_NEW_PART, self._conn),
            {
                "album_id": album_id,
                "message_id": message_id,
                "arrived_at": at,
                "done": False,
                "media": [],
                "rejected": [],
            },
        ).scalar()
        if part_id is not None:
            return PartSlot(PartStatus.NEW, album_id, part_id)
        existing = self._conn.execute(
            _FIND_PART, {"album_id": album_id, "message_id": message_id}
        ).one()
        status = PartStatus.DUPLICATE if existing.done else PartStatus.RETRY
        return PartSlot(status, album_id, existing.id)

    def finish_part(
        self, part_id: int, media: list[dict[str, Any]], rejected: list[str], at: datetime
    ) -> None:
        """What the media store made of the part; the album's quiet period starts again."""
        album_id = self._conn.execute(
            _FINISH_PART, {"part_id": part_id, "media": media, "rejected": rejected}
        ).scalar_one()
        self._conn.execute(_TOUCH, {"album_id": album_id, "at": require_aware(at, "at")})

    def close(
        self,
        album_id: int,
        *,
        at: datetime,
        quiet_before: datetime,
        stale_before: datetime,
        reclaim_before: datetime,
    ) -> bool:
        """Take the album to process: True if it was quiet since ``quiet_before``, no part is
        still downloading (parts that arrived before ``stale_before`` are given up), and no
        other worker holds it (a worker that took it before ``reclaim_before`` and never
        marked it processed has died)."""
        closed = self._conn.execute(
            _CLOSE,
            {
                "album_id": album_id,
                "at": require_aware(at, "at"),
                "quiet_before": require_aware(quiet_before, "quiet_before"),
                "stale_before": require_aware(stale_before, "stale_before"),
                "reclaim_before": require_aware(reclaim_before, "reclaim_before"),
            },
        ).first()
        return closed is not None

    def reopen(self, album_id: int) -> None:
        """Processing failed: let a later attempt take the album again."""
        self._conn.execute(_REOPEN, {"album_id": album_id})

    def mark_processed(self, album_id: int, at: datetime) -> None:
        self._conn.execute(_PROCESSED, {"album_id": album_id, "at": require_aware(at, "at")})

    def content(self, album_id: int) -> AlbumContent:
        album = self._conn.execute(_ALBUM, {"album_id": album_id}).one()
        parts = self._conn.execute(_PARTS, {"album_id": album_id}).all()
        done = [part for part in parts if part.done]
        return AlbumContent(
            chat_id=album.chat_id,
            media_group_id=album.media_group_id,
            user_id=album.user_id,
            language=album.language,
            media=tuple(item for part in done for item in part.media),
            rejected=tuple(reason for part in done for reason in part.rejected),
            unfinished=len(parts) - len(done),
        )

    def due(self, *, quiet_before: datetime, reclaim_before: datetime) -> list[int]:
        """Albums to close now: quiet ones nobody closed, and ones taken by a worker that
        never finished them (taken before ``reclaim_before``)."""
        rows = self._conn.execute(
            _DUE,
            {
                "quiet_before": require_aware(quiet_before, "quiet_before"),
                "reclaim_before": require_aware(reclaim_before, "reclaim_before"),
            },
        )
        return [row.id for row in rows]

    def prune(self, before: datetime) -> int:
        """Forget albums processed before ``before`` (their parts go with them)."""
        return self._conn.execute(_PRUNE, {"before": require_aware(before, "before")}).rowcount
