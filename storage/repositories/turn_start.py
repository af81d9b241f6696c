"""A turn's first reads in one statement (SQLite): the party behind the sender's channel
identity, the privacy notice version it agreed to, and the chat's conversation.

On PostgreSQL the conversation is read ``FOR UPDATE``, which cannot lock the nullable
side of an outer join: there the two reads stay apart (``UnitOfWork.turn_start``). A
sender seen for the first time has no identity yet: the party is created the usual way.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, bindparam, select

from storage.records import ConversationRecord, PartyRecord
from storage.repositories.parties import AGREED
from storage.tables.core import conversation_t, identity_t, party_t

_p = party_t.c
_v = conversation_t.c
_TURN_START = (
    select(
        _p.id.label("party_id"),
        _p.kind,
        _p.name,
        _p.locale.label("party_locale"),
        AGREED,
        _v.id.label("conversation_id"),
        _v.party_id.label("conversation_party_id"),
        _v.dialog,
        _v.state,
        _v.slots,
        _v.locale,
        _v.last_activity,
    )
    .select_from(
        identity_t.join(party_t, identity_t.c.party_id == _p.id).outerjoin(
            conversation_t,
            and_(_v.channel == bindparam("channel"), _v.chat_id == bindparam("chat_id")),
        )
    )
    .where(
        identity_t.c.channel == bindparam("channel"),
        identity_t.c.external_id == bindparam("external_id"),
    )
)

TurnStart = tuple[PartyRecord, str | None, ConversationRecord | None]


def read_turn_start(conn: Connection, channel: str, user_id: str, chat_id: str) -> TurnStart | None:
    """(party, agreed notice version, conversation), or None for an unknown sender."""
    params = {"channel": channel, "external_id": user_id, "chat_id": chat_id}
    row = conn.execute(_TURN_START, params).first()
    if row is None:
        return None
    party = PartyRecord(id=row.party_id, kind=row.kind, name=row.name, locale=row.party_locale)
    conversation = None
    if row.conversation_id is not None:
        conversation = ConversationRecord(
            id=row.conversation_id,
            channel=channel,
            chat_id=chat_id,
            party_id=row.conversation_party_id,
            dialog=row.dialog,
            state=row.state,
            slots=row.slots,
            locale=row.locale,
            last_activity=row.last_activity,
        )
    return party, row.agreed, conversation
