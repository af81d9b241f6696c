"""Retention: what is removed once personal data is no longer needed.

A claim closed (paid, withdrawn, rejected) longer than the retention period loses its
photos and videos and its personal fields (plate, policy number, place, account of the
accident, other vehicles, witnesses, police number, the notes and reasons written on it);
what analytics count stays: the claim number, when it was reported, urgency, its status
changes with their times and actors, the adjuster, the amounts. Its bookings lose plate,
policy, origin and the owner's comments. Beyond claims: delivered or failed outbox
messages older than the period are deleted; conversations silent for ``ABANDONED_AFTER``
(30 days, or the period if shorter) forget their unfinished dialog, and media no claim
uses that old are deleted; processed WeChat messages drop their raw XML.

``anonymise_claims`` is shared with the erasure of one person (storage/repositories/party_data.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)

from domain.booking import TERMINAL as BOOKING_TERMINAL
from domain.claim import TERMINAL_STATUSES
from domain.retention import MediaFile, Removed
from storage.channels.wechat.inbox import WeChatInbox
from storage.media.store import MediaStore
from storage.tables.adjudication import claim_adjudication_t, claim_settlement_t
from storage.tables.booking import booking_t
from storage.tables.core import (
    claim_evidence_t,
    claim_status_change_t,
    claim_t,
    conversation_t,
    media_t,
    outbox_t,
)
from storage.tables.privacy import claim_purge_t

if TYPE_CHECKING:  # storage.db builds the units of work, which run the purge
    from storage.db import Database

# An unfinished report silent this long is abandoned: its draft and the photos no claim
# uses are removed (sooner than closed claims: nobody agreed to keep them for a claim).
ABANDONED_AFTER = timedelta(days=30)
CLOSED = tuple(status.value for status in TERMINAL_STATUSES)
ENDED_BOOKINGS = tuple(status.value for status in BOOKING_TERMINAL)
_c, _e, _m, _b = claim_t.c, claim_evidence_t.c, media_t.c, booking_t.c
_CLAIM_PERSONAL_FIELDS = {
    "policy_number": "",
    "plate": None,
    "lat": None,
    "lon": None,
    "coord_system": None,
    "address": None,
    "description": None,
    "other_vehicles": None,
    "witnesses": None,
    "police_report_no": None,
}
_BOOKING_PERSONAL_FIELDS = {
    "policy_number": None,
    "plate": None,
    "origin_lat": None,
    "origin_lon": None,
    "origin_system": None,
    "problem": None,
    "comment": None,
}


def closed_before(conn: Connection, cutoff: datetime) -> list[tuple[int, str]]:
    """(id, number) of claims closed before ``cutoff`` and not purged yet."""
    closed_at = (
        select(claim_status_change_t.c.claim_id, func.max(claim_status_change_t.c.at).label("at"))
        .group_by(claim_status_change_t.c.claim_id)
        .subquery()
    )
    purged = exists().where(claim_purge_t.c.claim_id == _c.id)
    rows = conn.execute(
        select(_c.id, _c.number)
        .join(closed_at, closed_at.c.claim_id == _c.id)
        .where(_c.status.in_(CLOSED), closed_at.c.at < cutoff, ~purged)
        .order_by(_c.id)
    )
    return [(row.id, row.number) for row in rows]


def media_only_of(conn: Connection, claim_ids: Sequence[int]) -> list[MediaFile]:
    """The media of these claims that no other claim uses."""
    if not claim_ids:
        return []
    elsewhere = exists().where(
        claim_evidence_t.c.media_id == _m.id, claim_evidence_t.c.claim_id.not_in(claim_ids)
    )
    rows = conn.execute(
        select(_m.id, _m.relative_path, _m.size)
        .where(_m.id.in_(select(_e.media_id).where(_e.claim_id.in_(claim_ids))), ~elsewhere)
        .order_by(_m.id)
    )
    return [MediaFile(row.id, row.relative_path, row.size) for row in rows]


def unused_media_before(conn: Connection, cutoff: datetime) -> list[MediaFile]:
    """Media no claim uses, stored before ``cutoff`` (a report never sent, a refused
    contact's upload)."""
    used = exists().where(claim_evidence_t.c.media_id == _m.id)
    rows = conn.execute(
        select(_m.id, _m.relative_path, _m.size)
        .where(_m.created_at < cutoff, ~used)
        .order_by(_m.id)
    )
    return [MediaFile(row.id, row.relative_path, row.size) for row in rows]


def anonymise_claims(
    conn: Connection, claims: Sequence[tuple[int, str]], now: datetime, *, dry_run: bool
) -> Removed:
    """Remove the personal fields, photos and videos of these claims (see the module)."""
    ids = [claim_id for claim_id, _ in claims]
    removed = Removed(claims=[number for _, number in claims], media=media_only_of(conn, ids))
    numbers = removed.claims
    linked = and_(_b.claim_number.in_(numbers), _b.plate.is_not(None))
    removed.bookings = int(
        conn.execute(select(func.count()).select_from(booking_t).where(linked)).scalar_one()
    )
    if dry_run or not ids:
        return removed
    conn.execute(delete(claim_evidence_t).where(_e.claim_id.in_(ids)))
    _delete_media(conn, removed.media)
    conn.execute(update(claim_t).where(_c.id.in_(ids)).values(**_CLAIM_PERSONAL_FIELDS))
    conn.execute(
        update(claim_status_change_t)
        .where(claim_status_change_t.c.claim_id.in_(ids))
        .values(note="")
    )
    conn.execute(
        update(claim_adjudication_t)
        .where(claim_adjudication_t.c.claim_id.in_(ids))
        .values(liability_note=None)
    )
    conn.execute(
        update(claim_settlement_t)
        .where(claim_settlement_t.c.claim_id.in_(ids))
        .values(dispute_reason=None)
    )
    conn.execute(update(booking_t).where(linked).values(**_BOOKING_PERSONAL_FIELDS))
    conn.execute(insert(claim_purge_t), [{"claim_id": i, "purged_at": now} for i in ids])
    return removed


def _delete_media(conn: Connection, media: Sequence[MediaFile]) -> None:
    if media:
        conn.execute(delete(media_t).where(_m.id.in_([item.media_id for item in media])))


def purge(conn: Connection, now: datetime, retention: timedelta, *, dry_run: bool) -> Removed:
    """Everything past retention at ``now`` (see the module); the media files are the
    caller's to delete once this transaction commits."""
    cutoff = now - retention
    abandoned = now - min(retention, ABANDONED_AFTER)
    removed = anonymise_claims(conn, closed_before(conn, cutoff), now, dry_run=dry_run)
    unused = [m for m in unused_media_before(conn, abandoned) if m not in removed.media]
    removed.media.extend(unused)
    old_bookings = and_(
        _b.claim_number.is_(None),
        _b.status.in_(ENDED_BOOKINGS),
        _b.updated_at < cutoff,
        _b.plate.is_not(None),
    )
    silent = and_(
        conversation_t.c.last_activity < abandoned,
        conversation_t.c.dialog.is_not(None),
    )
    old_outbox = and_(outbox_t.c.status.in_(("sent", "failed")), outbox_t.c.created_at < cutoff)
    removed.bookings += _count(conn, booking_t, old_bookings)
    removed.conversations = _count(conn, conversation_t, silent)
    removed.outbox_messages = _count(conn, outbox_t, old_outbox)
    inbox = WeChatInbox(conn)
    if dry_run:
        removed.wechat_messages = inbox.processed_with_body()
        return removed
    _delete_media(conn, unused)
    conn.execute(update(booking_t).where(old_bookings).values(**_BOOKING_PERSONAL_FIELDS))
    conn.execute(update(conversation_t).where(silent).values(dialog=None, state="idle", slots={}))
    conn.execute(delete(outbox_t).where(old_outbox))
    removed.wechat_messages = inbox.blank_processed()
    return removed


def _count(conn: Connection, table: Table, where: ColumnElement[bool]) -> int:
    return int(conn.execute(select(func.count()).select_from(table).where(where)).scalar_one())


def remove_files(store: MediaStore, media: Sequence[MediaFile]) -> int:
    """Delete the files of media whose rows are gone; how many were there."""
    return sum(store.remove(item.relative_path) for item in media)


def run_purge(
    database: Database, store: MediaStore, now: datetime, retention: timedelta, *, dry_run: bool
) -> Removed:
    """``purge`` in its own transaction; the files go once it has committed."""
    with database.unit_of_work() as uow:
        removed = purge(uow.connection, now, retention, dry_run=dry_run)
        if not dry_run:
            uow.commit()
    if not dry_run:
        remove_files(store, removed.media)
    return removed
