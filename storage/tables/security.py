"""Tables of web identity and abuse limits (sqlmodel, same conventions as storage/tables/core.py).

``attempt_counter``: failed attempts of one subject (a plate, a sender, a client
address) in the current window, and the end of its cool-down; updated in one statement
so that every worker counts on the same row.

``web_session``: a browser's session. The cookie holds a random id; the table keeps its
SHA-256 only. A web chat session names the chat it speaks as (``chat_user``, a random id
the server chose, never shown in a URL); a dashboard session names the API token its
login presented. A rotated session stays valid for a short grace, for requests already
under way.

``server_secret``: a signing key generated once when ``CLAIMBOT_SECRET_KEY`` is not set,
shared by every worker.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from storage.tables.core import _in, table_of

SESSION_KINDS = ("chat", "dashboard")


class AttemptCounterRow(SQLModel, table=True):
    __tablename__ = "attempt_counter"

    subject: str = Field(max_length=200, primary_key=True)
    window_start: datetime
    failures: int = 0
    blocked_until: datetime | None = None


class WebSessionRow(SQLModel, table=True):
    __tablename__ = "web_session"
    __table_args__ = (
        CheckConstraint(_in("kind", SESSION_KINDS), name="kind"),
        CheckConstraint(
            "(kind = 'chat' AND chat_user IS NOT NULL)"
            " OR (kind = 'dashboard' AND api_token_id IS NOT NULL)",
            name="subject",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(max_length=64, unique=True)  # SHA-256 hex of the cookie value
    kind: str = Field(max_length=10)
    chat_user: str | None = Field(default=None, max_length=128)
    api_token_id: int | None = Field(
        default=None, foreign_key="api_token.id", ondelete="CASCADE", index=True
    )
    created_at: datetime
    expires_at: datetime = Field(index=True)
    rotated_at: datetime | None = None


class ServerSecretRow(SQLModel, table=True):
    __tablename__ = "server_secret"

    name: str = Field(max_length=40, primary_key=True)
    value: str = Field(max_length=128)
    created_at: datetime


attempt_counter_t = table_of(AttemptCounterRow)
web_session_t = table_of(WebSessionRow)
server_secret_t = table_of(ServerSecretRow)
