"""The choices a chat was last shown from outside its own turns, read back from the outbox.

A card written from another party's turn (a handoff card, a proposal, a shop's request
card) or by a timer (a reminder) is an outbox row of the recipient's chat; on channels
without buttons its choices are shown numbered. The row itself is the record: nothing is
written into the recipient's conversation, so no turn ever locks or overwrites another
party's conversation row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from domain.ports import PushedChoiceLog
from storage.repositories.outbox import SENT
from storage.tables.core import outbox_t

LOOK_BACK = 20  # the newest rows of the chat looked at; older ones are off the screen

_c = outbox_t.c
_NEWEST = (
    select(_c.payload, _c.created_at, _c.status)
    .where(_c.channel == bindparam("channel"), _c.chat_id == bindparam("chat_id"))
    .order_by(_c.id.desc())
    .limit(LOOK_BACK)
)


class PushedChoices(PushedChoiceLog):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def latest(self, channel: str, chat_id: str, since: datetime | None) -> tuple[str, ...]:
        """The choice values of the newest delivered row with choices created after
        ``since`` (the conversation's last turn; None: ever), or () when there is none.

        Only delivered (``sent``) rows count: a row still queued, or parked until the
        user writes again, has not been seen, so a typed number cannot mean it.
        """
        rows = self._conn.execute(_NEWEST, {"channel": channel, "chat_id": chat_id})
        for row in rows:
            if row.status != SENT or (since is not None and row.created_at <= since):
                continue
            choices = row.payload.get("choices") or []
            if choices:
                return tuple(str(choice["value"]) for choice in choices)
        return ()
