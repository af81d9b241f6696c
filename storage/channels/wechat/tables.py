"""Tables of the wechat feature (sqlmodel, same conventions as storage/tables/core.py).

- ``wechat_inbox``: every accepted callback message, recorded before the callback answers
  and processed afterwards; unique by its dedupe key, so WeChat's retries are one row.
- ``wechat_session``: the wechatpy session storage (the access token), shared by workers.
- ``wechat_user``: what user/info said of an openid (fetched once, on first contact).
- ``wechat_quota``: each user's customer-service allowances (one per kind of grant) and
  what has been sent against them.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, PrimaryKeyConstraint, Text
from sqlmodel import Field, SQLModel

from storage.tables.core import _in, table_of

INBOX_STATUSES = ("pending", "processing", "done", "failed")
QUOTA_KINDS = ("message", "event")


class WeChatInboxRow(SQLModel, table=True):
    __tablename__ = "wechat_inbox"
    __table_args__ = (
        CheckConstraint(_in("status", INBOX_STATUSES), name="status"),
        Index("ix_wechat_inbox_status_available_at", "status", "available_at"),
        Index("ix_wechat_inbox_openid_id", "openid", "id"),
        {"sqlite_autoincrement": True},  # ids order each user's messages: never reuse one
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    openid: str = Field(max_length=128)
    msg_type: str = Field(max_length=40)
    body: str = Field(sa_type=Text)  # the (decrypted) message XML as WeChat sent it
    received_at: datetime
    status: str = Field(max_length=10)
    attempts: int = 0
    available_at: datetime
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = None
    processed_at: datetime | None = Field(default=None, index=True)
    last_error: str | None = Field(default=None, sa_type=Text)


class WeChatSessionRow(SQLModel, table=True):
    __tablename__ = "wechat_session"

    key: str = Field(max_length=200, primary_key=True)
    value: str = Field(sa_type=Text)
    expires_at: datetime | None = None
    refreshing_until: datetime | None = None  # a worker's lease on refreshing the value


class WeChatUserRow(SQLModel, table=True):
    __tablename__ = "wechat_user"

    openid: str = Field(max_length=128, primary_key=True)
    language: str | None = Field(default=None, max_length=16)  # zh_CN | zh_TW | en | None
    fetched_at: datetime


class WeChatQuotaRow(SQLModel, table=True):
    __tablename__ = "wechat_quota"
    __table_args__ = (
        PrimaryKeyConstraint("openid", "kind"),
        CheckConstraint(_in("kind", QUOTA_KINDS), name="kind"),
    )

    openid: str = Field(max_length=128)
    kind: str = Field(max_length=10)
    granted_at: datetime
    expires_at: datetime
    allowance: int
    used: int = 0


wechat_inbox_t = table_of(WeChatInboxRow)
wechat_session_t = table_of(WeChatSessionRow)
wechat_user_t = table_of(WeChatUserRow)
wechat_quota_t = table_of(WeChatQuotaRow)
