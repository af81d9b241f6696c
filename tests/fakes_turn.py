"""Fakes of the ports a turn uses beyond the domain's repositories: the inbound log,
parties, conversations, recipients, the outbox and the choices pushed to a chat."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from domain.outbox import OutboxItem, OutboxRow
from domain.ports import (
    ConversationStore,
    OutboxStore,
    PartyDirectory,
    ProcessedInbound,
    PushedChoiceLog,
    Recipients,
)
from domain.records import ConversationRecord, PartyRecord, Recipient

LOOK_BACK = 20  # as storage/read_models/pushed_choices.py: older rows are off the screen


class FakeProcessedInbound(ProcessedInbound):
    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], datetime] = {}

    def first_time(self, channel: str, message_id: str, at: datetime) -> bool:
        if (channel, message_id) in self.seen:
            return False
        self.seen[(channel, message_id)] = at
        return True


class FakePartyDirectory(PartyDirectory):
    def __init__(self) -> None:
        self.parties: dict[int, PartyRecord] = {}
        self.identities: dict[tuple[str, str], int] = {}

    def resolve(
        self,
        channel: str,
        external_id: str,
        *,
        kind: str = "owner",
        locale: str | None = None,
        name: str | None = None,
    ) -> PartyRecord:
        known = self.identities.get((channel, external_id))
        if known is not None:
            return self.parties[known]
        party = PartyRecord(len(self.parties) + 1, kind, name, locale)
        self.parties[party.id] = party
        self.identities[(channel, external_id)] = party.id
        return party

    def get(self, party_id: int) -> PartyRecord | None:
        return self.parties.get(party_id)

    def set_locale(self, party_id: int, locale: str | None) -> None:
        if party_id in self.parties:
            self.parties[party_id] = dataclasses.replace(self.parties[party_id], locale=locale)


class FakeConversationStore(ConversationStore):
    """Stores copies, as a database would: a change counts only once saved."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], ConversationRecord] = {}

    def get_for_update(self, channel: str, chat_id: str) -> ConversationRecord | None:
        found = self.rows.get((channel, chat_id))
        return copy.deepcopy(found) if found else None

    def save(
        self, record: ConversationRecord, *, loaded: ConversationRecord | None = None
    ) -> ConversationRecord:
        if record.id is None:
            record = dataclasses.replace(record, id=len(self.rows) + 1)
        else:
            stored = self.rows.get((record.channel, record.chat_id))
            if stored is None or stored.id != record.id:
                raise LookupError(record.id)
        self.rows[(record.channel, record.chat_id)] = copy.deepcopy(record)
        return record


class FakeRecipients(Recipients):
    def __init__(self, parties: FakePartyDirectory) -> None:
        self._parties = parties

    def of_party(self, party_id: int) -> list[Recipient]:
        party = self._parties.parties.get(party_id)
        identities = sorted(k for k, v in self._parties.identities.items() if v == party_id)
        locale = party.locale if party else None
        return [Recipient(channel, chat_id, locale) for channel, chat_id in identities]

    def party_of(self, channel: str, external_id: str) -> int | None:
        return self._parties.identities.get((channel, external_id))


class FakeOutbox(OutboxStore):
    def __init__(self) -> None:
        self.rows: dict[int, OutboxRow] = {}
        self.leases: dict[int, tuple[str, datetime]] = {}  # row id: worker, renewed at
        self.errors: dict[int, str] = {}

    def add(self, items: Sequence[OutboxItem], now: datetime | None = None) -> int:
        created = now or datetime.now(UTC)
        keys = {row.idempotency_key for row in self.rows.values()}
        added = 0
        for item in items:
            if item.idempotency_key in keys:
                continue
            keys.add(item.idempotency_key)
            row_id = len(self.rows) + 1
            self.rows[row_id] = OutboxRow(
                row_id, item.channel, item.chat_id, item.locale, copy.deepcopy(item.payload),
                created, "pending", 0, None, item.idempotency_key, item.party_id,
                item.available_at or created,
            )  # fmt: skip
            added += 1
        return added

    def mark_sent(self, ids: Iterable[int], at: datetime) -> int:
        wanted = [i for i in ids if i in self.rows and self.rows[i].status != "sent"]
        for row_id in wanted:
            self.rows[row_id] = replace(self.rows[row_id], status="sent", sent_at=at)
            self.leases.pop(row_id, None)
            self.errors.pop(row_id, None)
        return len(wanted)

    def claim_chats(
        self, channel: str, chat_ids: Sequence[str], worker: str, now: datetime, limit: int
    ) -> list[OutboxRow]:
        return self._claim(
            worker, now, limit, lambda r: r.channel == channel and r.chat_id in chat_ids
        )

    def claim_due(
        self, channel: str | None, worker: str, now: datetime, limit: int
    ) -> list[OutboxRow]:
        return self._claim(worker, now, limit, lambda r: channel in (None, r.channel))

    def _claim(
        self, worker: str, now: datetime, limit: int, wanted: Callable[[OutboxRow], bool]
    ) -> list[OutboxRow]:
        """Due pending rows, each chat in order: none behind a row being sent or waiting
        for its retry."""
        due: list[OutboxRow] = []
        blocked: set[tuple[str, str]] = set()
        for row in sorted(self.rows.values(), key=lambda r: r.id):
            chat = (row.channel, row.chat_id)
            if not wanted(row) or chat in blocked:
                continue
            ready = row.available_at is None or row.available_at <= now
            if row.status == "sending" or (row.status == "pending" and row.attempts and not ready):
                blocked.add(chat)
            elif row.status == "pending" and ready and len(due) < limit:
                due.append(row)
        for row in due:
            self.rows[row.id] = replace(row, status="sending", attempts=row.attempts + 1)
            self.leases[row.id] = (worker, now)
        return [self.rows[row.id] for row in due]

    def renew(self, worker: str, now: datetime) -> list[int]:
        held = [i for i, (holder, _) in self.leases.items() if holder == worker]
        self.leases.update({i: (worker, now) for i in held})
        return held

    def release_stale(self, older_than: datetime) -> int:
        stale = [i for i, (_, at) in self.leases.items() if at < older_than]
        for row_id in stale:
            self.rows[row_id] = replace(self.rows[row_id], status="pending")
            del self.leases[row_id]
        return len(stale)

    def release(self, ids: Iterable[int], worker: str | None = None) -> int:
        held = [i for i in ids if i in self.leases and worker in (None, self.leases[i][0])]
        for row_id in held:
            row = self.rows[row_id]
            self.rows[row_id] = replace(row, status="pending", attempts=row.attempts - 1)
            del self.leases[row_id]
        return len(held)

    def mark_failed(self, row_id: int, error: str, retry_at: datetime | None) -> None:
        row = self.rows[row_id]
        status = "failed" if retry_at is None else "pending"
        self.rows[row_id] = replace(row, status=status, available_at=retry_at or row.available_at)
        self.errors[row_id] = error[:2000]
        self.leases.pop(row_id, None)

    def next_due(self, channels: Sequence[str]) -> datetime | None:
        due = [
            r.available_at
            for r in self.rows.values()
            if r.status == "pending" and r.channel in channels and r.available_at is not None
        ]
        return min(due, default=None)


class FakePushedChoices(PushedChoiceLog):
    def __init__(self, outbox: FakeOutbox) -> None:
        self._outbox = outbox

    def latest(self, channel: str, chat_id: str, since: datetime | None) -> tuple[str, ...]:
        mine = [
            r for r in self._outbox.rows.values() if (r.channel, r.chat_id) == (channel, chat_id)
        ]
        for row in sorted(mine, key=lambda r: -r.id)[:LOOK_BACK]:
            if row.status != "sent" or (since is not None and row.created_at <= since):
                continue
            choices = row.payload.get("choices") or []
            if choices:
                return tuple(str(choice["value"]) for choice in choices)
        return ()
