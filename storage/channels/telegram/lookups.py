"""Small reads the Telegram adapter makes outside a conversation turn.

``TelegramLookups`` on a unit of work (``uow.channel_store(TelegramLookups)``); the
functions on a bare connection.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from storage.tables.core import conversation_t, processed_inbound_t

_SEEN = select(processed_inbound_t.c.channel).where(
    processed_inbound_t.c.channel == bindparam("channel"),
    processed_inbound_t.c.message_id == bindparam("message_id"),
)
_LOCALE = select(conversation_t.c.locale).where(
    conversation_t.c.channel == bindparam("channel"),
    conversation_t.c.chat_id == bindparam("chat_id"),
)


def inbound_seen(conn: Connection, channel: str, message_id: str) -> bool:
    """Whether the engine processed this message already (checked before downloading)."""
    return conn.execute(_SEEN, {"channel": channel, "message_id": message_id}).first() is not None


def conversation_locale(conn: Connection, channel: str, chat_id: str) -> str | None:
    """The locale a chat's conversation speaks, if there is a conversation."""
    return conn.execute(_LOCALE, {"channel": channel, "chat_id": chat_id}).scalar()


class TelegramLookups:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def seen(self, channel: str, message_id: str) -> bool:
        return inbound_seen(self._conn, channel, message_id)

    def locale(self, channel: str, chat_id: str) -> str | None:
        return conversation_locale(self._conn, channel, chat_id)
