"""Tables of the telegram feature (sqlmodel, same conventions as storage/tables/core.py).

- ``telegram_album``: one album (updates sharing a ``media_group_id``) being gathered in a
  chat; closed once no part has arrived for a quiet period, then processed as one message.
- ``telegram_album_part``: one photo/video of an album, unique per Telegram message, with
  what the media store made of it once downloaded (``done``).
- ``telegram_update``: polling mode's inbox: every update fetched with getUpdates, recorded
  before the next getUpdates confirms it to Telegram, until it has been processed.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.tables.core import table_of


class TelegramAlbumRow(SQLModel, table=True):
    __tablename__ = "telegram_album"
    __table_args__ = (
        UniqueConstraint("chat_id", "media_group_id"),
        Index("ix_telegram_album_closed_at_last_at", "closed_at", "last_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(max_length=64)
    media_group_id: str = Field(max_length=64)
    user_id: str = Field(max_length=64)
    language: str | None = Field(default=None, max_length=35)
    first_at: datetime
    last_at: datetime  # when the latest part arrived or finished downloading
    closed_at: datetime | None = None  # set by the worker that takes the album to process
    processed_at: datetime | None = None  # its message went through the engine


class TelegramAlbumPartRow(SQLModel, table=True):
    __tablename__ = "telegram_album_part"
    __table_args__ = (UniqueConstraint("album_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    album_id: int = Field(foreign_key="telegram_album.id", ondelete="CASCADE")
    message_id: int = Field(sa_type=BigInteger)  # Telegram's message id in the chat
    arrived_at: datetime
    done: bool = False
    media: list[dict[str, Any]] = Field(sa_type=JSON)  # media items (dialogs' JSON form)
    rejected: list[str] = Field(sa_type=JSON)  # refusal reasons (media.rejected.<reason>)


class TelegramUpdateRow(SQLModel, table=True):
    __tablename__ = "telegram_update"
    __table_args__ = (
        Index(
            "ix_telegram_update_unprocessed",
            "update_id",
            sqlite_where=text("processed_at IS NULL"),
            postgresql_where=text("processed_at IS NULL"),
        ),
    )

    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    payload: dict[str, Any] = Field(sa_type=JSON)  # the update as Telegram sent it
    received_at: datetime
    processed_at: datetime | None = None


telegram_album_t = table_of(TelegramAlbumRow)
telegram_album_part_t = table_of(TelegramAlbumPartRow)
telegram_update_t = table_of(TelegramUpdateRow)
