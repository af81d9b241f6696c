"""Parties (owners, adjusters, shop staff) and their channel identities."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from domain.ports import PartyDirectory
from storage._sql import AnyRow, per_dialect, pick, utcnow
from storage.records import PartyRecord
from storage.tables.core import PARTY_KINDS, identity_t, party_t
from storage.tables.privacy import consent_t

_COLUMNS = (party_t.c.id, party_t.c.kind, party_t.c.name, party_t.c.locale)
# the privacy notice version the party agreed to last, read with the party: a turn asks
AGREED = (
    select(consent_t.c.version)
    .where(consent_t.c.party_id == party_t.c.id)
    .order_by(consent_t.c.id.desc())
    .limit(1)
    .scalar_subquery()
    .label("agreed")
)
_BY_IDENTITY = (
    select(*_COLUMNS, AGREED)
    .select_from(identity_t.join(party_t, identity_t.c.party_id == party_t.c.id))
    .where(
        identity_t.c.channel == bindparam("channel"),
        identity_t.c.external_id == bindparam("external_id"),
    )
)
_BY_ID = select(*_COLUMNS).where(party_t.c.id == bindparam("party_id"))
_INSERT_PARTY = insert(party_t).returning(party_t.c.id)
_INSERT_IDENTITY = per_dialect(
    lambda ins: (
        ins(identity_t)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(identity_t.c.party_id)
    )
)
_DELETE_PARTY = delete(party_t).where(party_t.c.id == bindparam("party_id"))
_SET_LOCALE = (
    update(party_t).where(party_t.c.id == bindparam("party_id")).values(locale=bindparam("loc"))
)


def _record(row: AnyRow) -> PartyRecord:
    return PartyRecord(id=row.id, kind=row.kind, name=row.name, locale=row.locale)


class PartyRepository(PartyDirectory):
    __slots__ = ("_agreed", "_conn")

    def __init__(self, conn: Connection, agreed: dict[int, str | None] | None = None) -> None:
        self._conn = conn
        self._agreed = {} if agreed is None else agreed  # ConsentRepository's, shared

    def resolve(
        self,
        channel: str,
        external_id: str,
        *,
        kind: str = "owner",
        locale: str | None = None,
        name: str | None = None,
    ) -> PartyRecord:
        """The party behind a channel identity; created (with the identity) on first contact.

        ``kind``, ``locale`` and ``name`` only apply to a party created here. Two workers
        racing on one first contact end with one party: the loser's identity insert does
        nothing, it drops its own party row and reads the winner's.
        """
        params = {"channel": channel, "external_id": external_id}
        row = self._conn.execute(_BY_IDENTITY, params).first()
        if row is not None:
            self._agreed[row.id] = row.agreed
            return _record(row)
        if kind not in PARTY_KINDS:
            raise ValueError(f"unknown party kind {kind!r}")
        party_id: int = self._conn.execute(
            _INSERT_PARTY,
            {"kind": kind, "name": name, "locale": locale, "created_at": utcnow()},
        ).scalar_one()
        bound = self._conn.execute(
            pick(_INSERT_IDENTITY, self._conn),
            {"channel": channel, "external_id": external_id, "party_id": party_id},
        ).first()
        if bound is not None:
            self._agreed[party_id] = None  # a new party has agreed to nothing yet
            return PartyRecord(id=party_id, kind=kind, name=name, locale=locale)
        self._conn.execute(_DELETE_PARTY, {"party_id": party_id})
        row = self._conn.execute(_BY_IDENTITY, params).one()
        self._agreed[row.id] = row.agreed
        return _record(row)

    def get(self, party_id: int) -> PartyRecord | None:
        row = self._conn.execute(_BY_ID, {"party_id": party_id}).first()
        return None if row is None else _record(row)

    def set_locale(self, party_id: int, locale: str | None) -> None:
        self._conn.execute(_SET_LOCALE, {"party_id": party_id, "loc": locale})
