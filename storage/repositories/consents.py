"""Agreements to the privacy notice, and the audit of unmasked personal data views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select

from domain.ports import ConsentLog
from storage._sql import require_aware
from storage.tables.privacy import consent_t, personal_data_view_t

_LATEST = (
    select(consent_t.c.version)
    .where(consent_t.c.party_id == bindparam("party_id"))
    .order_by(consent_t.c.id.desc())  # the latest recorded, whatever the clocks said
    .limit(1)
)


@dataclass(frozen=True)
class Consent:
    version: str
    channel: str
    agreed_at: datetime


@dataclass(frozen=True)
class DataView:
    claim_number: str
    viewer: str
    at: datetime


class ConsentRepository(ConsentLog):
    """``agreed`` holds, for this unit of work, the versions already known: the party
    directory fills it when it resolves a party (the turn's first read), so the consent
    gate does not ask again."""

    __slots__ = ("_agreed", "_conn")

    def __init__(self, conn: Connection, agreed: dict[int, str | None] | None = None) -> None:
        self._conn = conn
        self._agreed = {} if agreed is None else agreed

    def agreed_version(self, party_id: int) -> str | None:
        """The notice version the party last agreed to (None: never)."""
        if party_id not in self._agreed:
            self._agreed[party_id] = self._conn.execute(_LATEST, {"party_id": party_id}).scalar()
        return self._agreed[party_id]

    def record(self, party_id: int, version: str, channel: str, at: datetime) -> None:
        require_aware(at, "at")
        self._conn.execute(
            insert(consent_t),
            {"party_id": party_id, "version": version, "channel": channel, "agreed_at": at},
        )
        self._agreed[party_id] = version

    def of_party(self, party_id: int) -> list[Consent]:
        rows = self._conn.execute(
            select(consent_t.c.version, consent_t.c.channel, consent_t.c.agreed_at)
            .where(consent_t.c.party_id == party_id)
            .order_by(consent_t.c.id)
        )
        return [Consent(row.version, row.channel, row.agreed_at) for row in rows]


class DataViewLog:
    """Each time a claim's personal data was shown unmasked, and to whom."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def record(self, claim_number: str, viewer: str, at: datetime) -> None:
        require_aware(at, "at")
        self._conn.execute(
            insert(personal_data_view_t),
            {"claim_number": claim_number, "viewer": viewer[:100], "at": at},
        )

    def of_claim(self, claim_number: str) -> list[DataView]:
        rows = self._conn.execute(
            select(personal_data_view_t)
            .where(personal_data_view_t.c.claim_number == claim_number)
            .order_by(personal_data_view_t.c.id)
        )
        return [DataView(row.claim_number, row.viewer, row.at) for row in rows]
