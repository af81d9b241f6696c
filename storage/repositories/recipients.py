"""Where a party is reached: its channel identities, and the locale it reads."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, select

from domain.ports import Recipients
from domain.records import Recipient
from storage.tables.core import identity_t, party_t

_IDENTITIES_OF = (
    select(identity_t.c.party_id, identity_t.c.channel, identity_t.c.external_id, party_t.c.locale)
    .select_from(identity_t.join(party_t, party_t.c.id == identity_t.c.party_id))
    .where(identity_t.c.party_id.in_(bindparam("party_ids", expanding=True)))
    .order_by(identity_t.c.channel, identity_t.c.external_id)
)


_PARTY_OF = select(identity_t.c.party_id).where(
    identity_t.c.channel == bindparam("channel"),
    identity_t.c.external_id == bindparam("external_id"),
)


class RecipientDirectory(Recipients):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def of_party(self, party_id: int) -> list[Recipient]:
        """Every channel identity of the party, in a stable order."""
        return self.of_parties([party_id])[party_id]

    def of_parties(self, party_ids: Sequence[int]) -> dict[int, list[Recipient]]:
        reached: dict[int, list[Recipient]] = {party: [] for party in party_ids}
        if reached:
            for row in self._conn.execute(_IDENTITIES_OF, {"party_ids": list(reached)}):
                reached[row.party_id].append(Recipient(row.channel, row.external_id, row.locale))
        return reached

    def party_of(self, channel: str, external_id: str) -> int | None:
        """The party behind a channel identity, if known (never creates one)."""
        value = self._conn.execute(
            _PARTY_OF, {"channel": channel, "external_id": external_id}
        ).scalar()
        return None if value is None else int(value)
