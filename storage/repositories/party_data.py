"""Everything held about one person (a party), for their export and their erasure.

``collect`` gathers the party, its channel identities, consents, claims (with status
history, assessment, settlement, payment, evidence and who viewed them in full), the
policies those claims name, bookings, conversations, the messages sent to them and the
WeChat messages they sent, as JSON-ready dictionaries plus the media files to include.

``erase`` removes it where no claim still needs it: a claim or booking still open keeps
what it needs (and the party's identities and conversation, to finish it); closed claims
are anonymised as by the retention purge (their figures stay for analytics); with nothing
open, identities, conversations, messages, consents and preferences are deleted and the
party row stays only as an anonymous owner of anonymised claims. Staff parties are
refused: their accounts are managed as staff, and what they did is the claims' record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, or_, select, tuple_, update

from domain.booking import TERMINAL as BOOKING_TERMINAL
from domain.claim import TERMINAL_STATUSES
from domain.retention import MediaFile, Removed
from storage.channels.wechat.tables import wechat_inbox_t, wechat_quota_t, wechat_user_t
from storage.repositories.retention import anonymise_claims
from storage.tables.adjudication import (
    claim_adjudication_t,
    claim_loss_item_t,
    claim_payment_t,
    claim_settlement_t,
)
from storage.tables.booking import booking_t
from storage.tables.core import (
    adjuster_t,
    claim_evidence_t,
    claim_status_change_t,
    claim_t,
    conversation_t,
    identity_t,
    media_t,
    outbox_t,
    party_t,
    policy_t,
    shop_staff_t,
    vehicle_t,
)
from storage.tables.privacy import claim_purge_t, consent_t, personal_data_view_t
from storage.tables.timers import reminder_preference_t

OPEN_CLAIM = "open_claim"
OPEN_BOOKING = "open_booking"
ANONYMISED_CLAIMS = "anonymised_claims"


class StaffParty(ValueError):
    """The party is staff (an adjuster or shop staff): not erased from here."""


@dataclass(frozen=True)
class Export:
    data: dict[str, Any]
    media: list[MediaFile]


@dataclass
class Erasure:
    removed: dict[str, int] = field(default_factory=dict)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (reason, what)
    media: list[MediaFile] = field(default_factory=list)  # files to delete after commit


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _rows(conn: Connection, table: Table, *where: Any, drop: tuple[str, ...] = ()) -> list[Any]:
    rows = conn.execute(select(table).where(*where).order_by(*table.primary_key.columns))
    return [{k: _plain(v) for k, v in row._mapping.items() if k not in drop} for row in rows]


def find_party(conn: Connection, channel: str, external_id: str) -> int | None:
    query = select(identity_t.c.party_id).where(
        identity_t.c.channel == channel, identity_t.c.external_id == external_id
    )
    found: int | None = conn.execute(query).scalar()
    return found


def party_exists(conn: Connection, party_id: int) -> bool:
    return conn.execute(select(party_t.c.id).where(party_t.c.id == party_id)).first() is not None


def _identities(conn: Connection, party_id: int) -> list[tuple[str, str]]:
    rows = conn.execute(
        select(identity_t.c.channel, identity_t.c.external_id).where(
            identity_t.c.party_id == party_id
        )
    )
    return [(row.channel, row.external_id) for row in rows]


def _claims(conn: Connection, party_id: int) -> list[Any]:
    query = select(claim_t.c.id, claim_t.c.number, claim_t.c.status, claim_purge_t.c.purged_at)
    query = query.outerjoin(claim_purge_t, claim_purge_t.c.claim_id == claim_t.c.id)
    return list(conn.execute(query.where(claim_t.c.owner_party_id == party_id)))


def collect(conn: Connection, party_id: int) -> Export:
    identities = _identities(conn, party_id)
    openids = [ext for channel, ext in identities if channel == "wechat"]
    claims = []
    media: list[MediaFile] = []
    for claim in _claims(conn, party_id):
        entry = _rows(conn, claim_t, claim_t.c.id == claim.id)[0]
        at_claim = (claim_evidence_t.c.claim_id == claim.id,)
        evidence = _rows(conn, claim_evidence_t, *at_claim)
        entry["evidence"] = evidence
        entry["status_changes"] = _rows(
            conn, claim_status_change_t, claim_status_change_t.c.claim_id == claim.id
        )
        for table in (claim_adjudication_t, claim_loss_item_t, claim_settlement_t):
            entry[str(table.name)] = _rows(conn, table, table.c.claim_id == claim.id)
        entry["claim_payment"] = _rows(
            conn, claim_payment_t, claim_payment_t.c.claim_id == claim.id
        )
        entry["full_data_views"] = _rows(
            conn, personal_data_view_t, personal_data_view_t.c.claim_number == claim.number
        )
        entry["purged_at"] = _plain(claim.purged_at)
        claims.append(entry)
        ids = [item["media_id"] for item in evidence]
        rows = conn.execute(select(media_t).where(media_t.c.id.in_(ids)).order_by(media_t.c.id))
        media += [MediaFile(r.id, r.relative_path, r.size) for r in rows]
    policy_numbers = [c["policy_number"] for c in claims if c["policy_number"]]
    policies = _rows(conn, policy_t, policy_t.c.number.in_(policy_numbers))
    for policy in policies:
        policy["vehicle"] = _rows(conn, vehicle_t, vehicle_t.c.policy_id == policy["id"])
    data = {
        "party": _rows(conn, party_t, party_t.c.id == party_id)[0],
        "identities": [{"channel": c, "external_id": e} for c, e in identities],
        "consents": _rows(conn, consent_t, consent_t.c.party_id == party_id),
        "claims": claims,
        "policies": policies,
        "bookings": _rows(conn, booking_t, booking_t.c.owner_party_id == party_id),
        "conversations": _rows(conn, conversation_t, conversation_t.c.party_id == party_id),
        "messages_to_them": _rows(conn, outbox_t, _outbox_of(party_id, identities)),
        "wechat_messages": _rows(
            conn, wechat_inbox_t, wechat_inbox_t.c.openid.in_(openids), drop=("claimed_by",)
        ),
        "reminder_preferences": _rows(
            conn, reminder_preference_t, reminder_preference_t.c.party_id == party_id
        ),
    }
    return Export(data, sorted(set(media), key=lambda item: item.media_id))


def _outbox_of(party_id: int, identities: list[tuple[str, str]]) -> Any:
    chats = tuple_(outbox_t.c.channel, outbox_t.c.chat_id).in_(identities) if identities else None
    mine = outbox_t.c.party_id == party_id
    return mine if chats is None else or_(mine, chats)


def is_staff(conn: Connection, party_id: int) -> bool:
    adjuster = select(adjuster_t.c.id).where(adjuster_t.c.party_id == party_id)
    shop = select(shop_staff_t.c.id).where(shop_staff_t.c.party_id == party_id)
    return conn.execute(adjuster.union(shop)).first() is not None


def erase(conn: Connection, party_id: int, now: datetime, *, dry_run: bool) -> Erasure:
    if is_staff(conn, party_id):
        raise StaffParty(party_id)
    result = Erasure()
    claims = _claims(conn, party_id)
    open_claims = [c for c in claims if c.status not in {s.value for s in TERMINAL_STATUSES}]
    for claim in open_claims:
        result.kept.append((OPEN_CLAIM, f"{claim.number} ({claim.status})"))
    closed = [(c.id, c.number) for c in claims if c not in open_claims and c.purged_at is None]
    anonymised: Removed = anonymise_claims(conn, closed, now, dry_run=dry_run)
    result.media = anonymised.media
    result.removed["claims_anonymised"] = len(anonymised.claims)
    result.removed["media_files"] = len(anonymised.media)
    done_claims = [c.number for c in claims if c not in open_claims]
    if done_claims:
        result.kept.append((ANONYMISED_CLAIMS, ", ".join(done_claims)))
    bookings = conn.execute(
        select(booking_t.c.id, booking_t.c.status).where(booking_t.c.owner_party_id == party_id)
    ).all()
    ended = {s.value for s in BOOKING_TERMINAL}
    open_bookings = [b for b in bookings if b.status not in ended]
    for booking in open_bookings:
        result.kept.append((OPEN_BOOKING, f"#{booking.id} ({booking.status})"))
    if open_claims or open_bookings:
        return result
    identities = _identities(conn, party_id)
    openids = [ext for channel, ext in identities if channel == "wechat"]
    targets: list[tuple[str, Table, Any]] = [
        ("messages", outbox_t, _outbox_of(party_id, identities)),
        ("conversations", conversation_t, conversation_t.c.party_id == party_id),
        ("consents", consent_t, consent_t.c.party_id == party_id),
        (
            "reminder_preferences",
            reminder_preference_t,
            reminder_preference_t.c.party_id == party_id,
        ),
        ("wechat_messages", wechat_inbox_t, wechat_inbox_t.c.openid.in_(openids)),
        ("wechat_profiles", wechat_user_t, wechat_user_t.c.openid.in_(openids)),
        ("wechat_allowances", wechat_quota_t, wechat_quota_t.c.openid.in_(openids)),
        ("identities", identity_t, identity_t.c.party_id == party_id),
    ]
    for name, table, where in targets:
        statement = select(table).where(where)
        result.removed[name] = len(conn.execute(statement).all())
        if not dry_run:
            conn.execute(delete(table).where(where))
    result.removed["bookings_cleared"] = len(bookings)
    if not dry_run:
        conn.execute(
            update(booking_t)
            .where(booking_t.c.owner_party_id == party_id)
            .values(policy_number=None, plate=None, origin_lat=None, origin_lon=None, comment=None)
        )
        conn.execute(update(party_t).where(party_t.c.id == party_id).values(name=None, phone=None))
    return result
