"""Conversation state (dialog, state, slots, locale), persisted every turn."""

from __future__ import annotations

import dataclasses

from sqlalchemy import Connection, bindparam, func, insert, select, update

from domain.ports import ConversationStore
from storage._sql import AnyRow, utcnow
from storage.records import ConversationRecord
from storage.tables.core import conversation_t

_c = conversation_t.c
_SELECT = select(
    _c.id,
    _c.channel,
    _c.chat_id,
    _c.party_id,
    _c.dialog,
    _c.state,
    _c.slots,
    _c.locale,
    _c.last_activity,
).where(_c.channel == bindparam("channel"), _c.chat_id == bindparam("chat_id"))
_SELECT_FOR_UPDATE = _SELECT.with_for_update()
# PostgreSQL: a conversation that has no row yet cannot be row-locked, so its first
# turn is serialised by a transaction-scoped advisory lock on the key instead.
_ADVISORY_LOCK = select(func.pg_advisory_xact_lock(func.hashtextextended(bindparam("key"), 0)))
_INSERT = insert(conversation_t).returning(_c.id)
_UPDATE_KEEP_PARTY = (
    update(conversation_t)
    .where(_c.id == bindparam("v_id"))
    .values(
        dialog=bindparam("v_dialog"),
        state=bindparam("v_state"),
        slots=bindparam("v_slots", type_=_c.slots.type),
        locale=bindparam("v_locale"),
        last_activity=bindparam("v_last_activity", type_=_c.last_activity.type),
        updated_at=bindparam("v_updated_at", type_=_c.updated_at.type),
    )
)
_UPDATE = _UPDATE_KEEP_PARTY.values(party_id=bindparam("v_party_id"))


def _record(row: AnyRow) -> ConversationRecord:
    return ConversationRecord(
        id=row.id,
        channel=row.channel,
        chat_id=row.chat_id,
        party_id=row.party_id,
        dialog=row.dialog,
        state=row.state,
        slots=row.slots,
        locale=row.locale,
        last_activity=row.last_activity,
    )


class ConversationNotFound(LookupError):
    """``save`` was given an id that no longer exists."""


class ConversationRepository(ConversationStore):
    __slots__ = ("_conn", "_postgres")

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._postgres = conn.dialect.name == "postgresql"

    def get_for_update(self, channel: str, chat_id: str) -> ConversationRecord | None:
        """The conversation, locked until the end of the transaction.

        PostgreSQL: ``SELECT .. FOR UPDATE`` (or, while there is no row yet, an advisory
        lock on the key). SQLite: ``BEGIN IMMEDIATE`` already serialises all writers.
        """
        params = {"channel": channel, "chat_id": chat_id}
        if not self._postgres:
            row = self._conn.execute(_SELECT, params).first()
            return None if row is None else _record(row)
        row = self._conn.execute(_SELECT_FOR_UPDATE, params).first()
        if row is None:
            self._conn.execute(_ADVISORY_LOCK, {"key": f"conversation:{channel}:{chat_id}"})
            row = self._conn.execute(_SELECT_FOR_UPDATE, params).first()
        return None if row is None else _record(row)

    def save(
        self, record: ConversationRecord, *, loaded: ConversationRecord | None = None
    ) -> ConversationRecord:
        """Insert (``id`` None) or update the conversation; returns it with its id. The
        party is written only when it differs from ``loaded``'s: assigning an indexed
        column, even to its value, rewrites a page of its index on SQLite."""
        now = utcnow()
        if record.id is None:
            new_id: int = self._conn.execute(
                _INSERT,
                {
                    "channel": record.channel,
                    "chat_id": record.chat_id,
                    "party_id": record.party_id,
                    "dialog": record.dialog,
                    "state": record.state,
                    "slots": record.slots,
                    "locale": record.locale,
                    "last_activity": record.last_activity,
                    "updated_at": now,
                },
            ).scalar_one()
            return dataclasses.replace(record, id=new_id)
        params = {
            "v_id": record.id,
            "v_party_id": record.party_id,
            "v_dialog": record.dialog,
            "v_state": record.state,
            "v_slots": record.slots,
            "v_locale": record.locale,
            "v_last_activity": record.last_activity,
            "v_updated_at": now,
        }
        same_party = loaded is not None and loaded.party_id == record.party_id
        statement = _UPDATE_KEEP_PARTY if same_party else _UPDATE
        if self._conn.execute(statement, params).rowcount != 1:
            raise ConversationNotFound(record.id)
        return record
