"""What the reminders read and keep: owners' preferences, where to reach a party, and the
queries behind the report nudge and the maintenance reminder.

Where to reach a party: the conversation they used last (channel, chat, locale). A party
that never chatted has no conversation and cannot be reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, String, bindparam, cast, exists, literal, select

from domain.reminders import Contact, PolicyTerm, Preference, ReportConversation, StalledReport
from domain.scheduler_ports import ReminderReads
from storage._sql import AnyRow, per_dialect, pick, require_aware
from storage.tables.core import claim_t, conversation_t, party_t, policy_t, vehicle_t
from storage.tables.timers import reminder_preference_t, timer_t

__all__ = [
    "Contact",
    "PolicyTerm",
    "Preference",
    "ReminderRepository",
    "ReportConversation",
    "StalledReport",
]

_conv = conversation_t.c
_pref = reminder_preference_t.c

# Report slots as the report dialog keeps them (dialogs/report/slots.py): the draft, and when
# this report was started (an ISO timestamp: it tells one report from the next).
_STARTED_AT = _conv.slots["started_at"].as_string()
_DRAFT_POLICY = _conv.slots[("draft", "policy_number")].as_string()
_DRAFT_PLATE = _conv.slots[("draft", "plate")].as_string()


def _build_upsert(ins: Any, column: str) -> Any:
    """Insert the preference row, or update only ``column`` (and the time) of an existing one."""
    statement = ins(reminder_preference_t)
    return statement.on_conflict_do_update(
        index_elements=["party_id"],
        set_={column: statement.excluded[column], "updated_at": statement.excluded.updated_at},
    )


_UPSERT_MUTED = per_dialect(lambda ins: _build_upsert(ins, "muted"))
_UPSERT_TIMEZONE = per_dialect(lambda ins: _build_upsert(ins, "timezone"))
_PREFERENCE = select(_pref.muted, _pref.timezone).where(_pref.party_id == bindparam("party_id"))

_CONTACT_COLUMNS = (
    _conv.id,
    _conv.party_id,
    _conv.channel,
    _conv.chat_id,
    _conv.locale,
    _pref.muted,
    _pref.timezone,
)
_CONTACT_FROM = conversation_t.outerjoin(reminder_preference_t, _pref.party_id == _conv.party_id)
_LATEST_CONVERSATION = (
    select(*_CONTACT_COLUMNS)
    .select_from(_CONTACT_FROM)
    .where(_conv.party_id == bindparam("party_id"))
    .order_by(_conv.updated_at.desc(), _conv.id.desc())
    .limit(1)
)
_REPORT_CONVERSATION = (
    select(
        *_CONTACT_COLUMNS,
        _conv.dialog,
        _conv.state,
        _STARTED_AT.label("started_at"),
        _conv.last_activity,
        _DRAFT_PLATE.label("plate"),
    )
    .select_from(_CONTACT_FROM)
    .where(_conv.id == bindparam("conversation_id"))
)

_OWNER_BY_CLAIM = (
    select(claim_t.c.owner_party_id)
    .where(claim_t.c.policy_number == bindparam("number"))
    .order_by(claim_t.c.reported_at.desc(), claim_t.c.id.desc())
    .limit(1)
)
_OWNER_BY_DRAFT = (
    select(_conv.party_id)
    .join(party_t, party_t.c.id == _conv.party_id)
    .where(bindparam("number") == _DRAFT_POLICY, party_t.c.kind == "owner")
    .order_by(_conv.updated_at.desc(), _conv.id.desc())
    .limit(1)
)
_POLICY_TERM_COLUMNS = (
    policy_t.c.id,
    policy_t.c.number,
    policy_t.c.plate,
    policy_t.c.valid_from,
    policy_t.c.valid_to,
    vehicle_t.c.make,
    vehicle_t.c.model,
)
_POLICY_TERM = (
    select(*_POLICY_TERM_COLUMNS)
    .select_from(policy_t.outerjoin(vehicle_t, vehicle_t.c.policy_id == policy_t.c.id))
    .where(policy_t.c.number == bindparam("number"))
)


def _contact(row: AnyRow) -> Contact:
    return Contact(
        party_id=row.party_id,
        channel=row.channel,
        chat_id=row.chat_id,
        locale=row.locale,
        muted=bool(row.muted),
        timezone=row.timezone,
    )


def _term(row: AnyRow) -> PolicyTerm:
    vehicle = " ".join(part for part in (row.make, row.model) if part)
    return PolicyTerm(row.id, row.number, row.plate, row.valid_from, row.valid_to, vehicle)


class ReminderRepository(ReminderReads):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # --- preferences ------------------------------------------------------------------

    def preference(self, party_id: int) -> Preference:
        row = self._conn.execute(_PREFERENCE, {"party_id": party_id}).first()
        return Preference() if row is None else Preference(bool(row.muted), row.timezone)

    def set_muted(self, party_id: int, muted: bool, at: datetime) -> None:
        """``/mute`` and ``/unmute``: reminders (not progress updates) stop or resume."""
        moment = require_aware(at, "at")
        params = {"party_id": party_id, "muted": muted, "timezone": None, "updated_at": moment}
        self._conn.execute(pick(_UPSERT_MUTED, self._conn), params)

    def set_timezone(self, party_id: int, timezone: str | None, at: datetime) -> None:
        """The owner's own timezone (IANA name) for quiet hours; None: the default."""
        moment = require_aware(at, "at")
        params = {"party_id": party_id, "muted": False, "timezone": timezone, "updated_at": moment}
        self._conn.execute(pick(_UPSERT_TIMEZONE, self._conn), params)

    # --- reaching a party -------------------------------------------------------------

    def contact(self, party_id: int) -> Contact | None:
        """The party's latest conversation and preferences; None if they never chatted."""
        row = self._conn.execute(_LATEST_CONVERSATION, {"party_id": party_id}).first()
        return None if row is None else _contact(row)

    # --- the report nudge -------------------------------------------------------------

    def report_conversation(self, conversation_id: int) -> ReportConversation | None:
        row = self._conn.execute(_REPORT_CONVERSATION, {"conversation_id": conversation_id}).first()
        if row is None:
            return None
        return ReportConversation(
            conversation_id=row.id,
            contact=_contact(row),
            dialog=row.dialog,
            state=row.state,
            started_at=row.started_at,
            last_activity=row.last_activity,
            plate=row.plate,
        )

    def stalled_reports(
        self,
        *,
        dialog: str,
        states: Sequence[str],
        silent_since: datetime,
        not_before: datetime,
        key_prefix: str,
        limit: int,
    ) -> list[StalledReport]:
        """Unfinished reports whose last activity lies in ``[not_before, silent_since]``
        and that have no timer keyed ``{key_prefix}{conversation id}:{started_at}`` yet.
        """
        key = literal(key_prefix) + cast(_conv.id, String) + literal(":") + _STARTED_AT
        statement = (
            select(_conv.id, _STARTED_AT.label("started_at"), _conv.last_activity)
            .where(
                _conv.dialog == dialog,
                _conv.state.in_(list(states)),
                _conv.last_activity <= require_aware(silent_since, "silent_since"),
                _conv.last_activity >= require_aware(not_before, "not_before"),
                _STARTED_AT.is_not(None),
                ~exists().where(timer_t.c.dedupe_key == key),
            )
            .order_by(_conv.last_activity, _conv.id)
            .limit(limit)
        )
        return [
            StalledReport(row.id, row.started_at, row.last_activity)
            for row in self._conn.execute(statement)
        ]

    # --- maintenance ------------------------------------------------------------------

    def policy_term(self, number: str) -> PolicyTerm | None:
        row = self._conn.execute(_POLICY_TERM, {"number": number}).first()
        return None if row is None else _term(row)

    def policies_without_timer(
        self, *, kind: str, subject_prefix: str, in_force_on: date, after_id: int, limit: int
    ) -> list[PolicyTerm]:
        """Policies in force on or after ``in_force_on`` with no pending timer of ``kind``
        whose subject is ``{subject_prefix}{policy number}``, by id after ``after_id``."""
        subject = literal(subject_prefix) + policy_t.c.number
        has_timer = exists().where(
            timer_t.c.subject == subject,
            timer_t.c.kind == kind,
            timer_t.c.status.in_(("pending", "firing")),
        )
        statement = (
            select(*_POLICY_TERM_COLUMNS)
            .select_from(policy_t.outerjoin(vehicle_t, vehicle_t.c.policy_id == policy_t.c.id))
            .where(policy_t.c.id > after_id, policy_t.c.valid_to >= in_force_on, ~has_timer)
            .order_by(policy_t.c.id)
            .limit(limit)
        )
        return [_term(row) for row in self._conn.execute(statement)]

    def owner_of_policy(self, number: str) -> int | None:
        """The owner who last showed this policy is theirs: the owner of its latest claim,
        else a party whose report in progress verified it. None: nobody did yet."""
        params: dict[str, Any] = {"number": number}
        owner: int | None = self._conn.execute(_OWNER_BY_CLAIM, params).scalar()
        if owner is None:
            owner = self._conn.execute(_OWNER_BY_DRAFT, params).scalar()
        return owner
