"""Tables that hold abuse limits (sqlmodel, same conventions as storage/tables/core.py).

- ``wechat_nonce``: each (timestamp, nonce) pair a WeChat callback was signed with, and
  a digest of the body it came with, for as long as the pair could still be accepted:
  a repeat of the pair with another body is a replay.
- ``media_upload``: one row per accepted upload (a file stored once may be uploaded many
  times), by sender, for the per-sender upload quota.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Index, PrimaryKeyConstraint
from sqlmodel import Field, SQLModel

from storage.tables.core import table_of


class WeChatNonceRow(SQLModel, table=True):
    __tablename__ = "wechat_nonce"
    __table_args__ = (PrimaryKeyConstraint("timestamp", "nonce"),)

    timestamp: int = Field(sa_type=BigInteger)  # WeChat's, seconds since the epoch
    nonce: str = Field(max_length=64)
    body_sha256: str = Field(max_length=64)
    seen_at: datetime


class MediaUploadRow(SQLModel, table=True):
    __tablename__ = "media_upload"
    __table_args__ = (Index("ix_media_upload_uploader_at", "uploader", "uploaded_at"),)

    id: int | None = Field(default=None, primary_key=True)
    uploader: str = Field(max_length=200)  # "<channel>:<external user id>"
    media_id: int = Field(foreign_key="media.id")
    size: int = Field(sa_type=BigInteger)
    uploaded_at: datetime


wechat_nonce_t = table_of(WeChatNonceRow)
media_upload_t = table_of(MediaUploadRow)
