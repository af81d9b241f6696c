"""Claims: the claim row, its evidence in order, its status timeline."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from domain.adjudication import (
    LossItem,
    LossKind,
    Settlement,
)
from domain.claim import TERMINAL_STATUSES, Claim, ClaimStatus, StatusChange
from domain.evidence import Evidence
from domain.fraud_signals import PhotoMatch
from domain.money import Money
from domain.ports import ClaimRepository
from storage._sql import AnyRow, DialectInsert, per_dialect, pick
from storage.read_models.fraud import FraudQueries
from storage.repositories.claim_rows import (
    adjudication_from_rows,
    adjudication_values,
    change_from_row,
    change_values,
    claim_from_rows,
    claim_values,
    evidence_from_row,
    evidence_values,
    settlement_from_row,
    settlement_values,
)
from storage.tables.adjudication import (
    claim_adjudication_t,
    claim_loss_item_t,
    claim_payment_t,
    claim_settlement_t,
)
from storage.tables.core import (
    claim_counter_t,
    claim_evidence_t,
    claim_status_change_t,
    claim_t,
    media_t,
)

STATUS_TOKEN_BYTES = 24

_c = claim_t.c
_CLAIM_COLUMNS = (
    _c.id,
    _c.number,
    _c.policy_number,
    _c.plate,
    _c.owner_party_id,
    _c.status,
    _c.late,
    _c.reported_at,
    _c.accident_at,
    _c.lat,
    _c.lon,
    _c.coord_system,
    _c.address,
    _c.description,
    _c.injuries,
    _c.drivable,
    _c.rescue_requested,
    _c.other_vehicles,
    _c.witnesses,
    _c.police_report_no,
    _c.evidence_done,
    _c.skipped,
    _c.adjuster_id,
)
_BY_NUMBER = select(*_CLAIM_COLUMNS).where(_c.number == bindparam("number"))
_BY_NUMBER_FOR_UPDATE = _BY_NUMBER.with_for_update()
_OPEN_FOR_ADJUSTER = (
    select(*_CLAIM_COLUMNS)
    .where(
        _c.adjuster_id == bindparam("adjuster_id"),
        _c.status.not_in([status.value for status in TERMINAL_STATUSES]),
    )
    .order_by(_c.urgent.desc(), _c.reported_at, _c.id)
)
_UNASSIGNED = (
    select(*_CLAIM_COLUMNS)
    .where(_c.adjuster_id.is_(None), _c.status == ClaimStatus.REPORTED.value)
    .order_by(_c.urgent.desc(), _c.reported_at, _c.id)
    .limit(bindparam("limit"))
)
_ID_BY_NUMBER = select(_c.id).where(_c.number == bindparam("number"))
_UPDATE_CLAIM = (
    update(claim_t)
    .where(_c.id == bindparam("claim_id"))
    .values(
        status=bindparam("v_status"),
        adjuster_id=bindparam("v_adjuster_id"),
        evidence_done=bindparam("v_evidence_done"),
    )
)
_BY_TOKEN = select(*_CLAIM_COLUMNS).where(_c.status_token == bindparam("token"))
_FOR_OWNER = (
    select(*_CLAIM_COLUMNS)
    .where(_c.owner_party_id == bindparam("party_id"))
    .order_by(_c.reported_at, _c.id)
)
_TOKEN = select(_c.status_token).where(_c.number == bindparam("number"))
_INSERT_CLAIM = insert(claim_t).returning(_c.id)
_INSERT_EVIDENCE = insert(claim_evidence_t)
_INSERT_CHANGE = insert(claim_status_change_t)

_e = claim_evidence_t.c
_EVIDENCE = (
    select(
        _e.claim_id,
        _e.media_id,
        _e.kind,
        _e.role,
        media_t.c.taken_at,
        media_t.c.gps_lat,
        media_t.c.gps_lon,
    )
    .select_from(claim_evidence_t.join(media_t, media_t.c.id == _e.media_id))
    .where(_e.claim_id.in_(bindparam("claim_ids", expanding=True)))
    .order_by(_e.claim_id, _e.position)
)
_s = claim_status_change_t.c
_TIMELINE = (
    select(_s.claim_id, _s.at, _s.from_status, _s.to_status, _s.actor, _s.note, _s.action)
    .where(_s.claim_id.in_(bindparam("claim_ids", expanding=True)))
    .order_by(_s.claim_id, _s.id)
)
_COUNT_EVIDENCE = select(func.count()).where(_e.claim_id == bindparam("claim_id"))
_COUNT_CHANGES = select(func.count()).where(_s.claim_id == bindparam("claim_id"))
_OWNERS_OF_MEDIA = (
    select(_c.owner_party_id)
    .select_from(claim_evidence_t.join(claim_t, _c.id == _e.claim_id))
    .where(_e.media_id == bindparam("media_id"))
    .distinct()
)

_a = claim_adjudication_t.c
_ADJUDICATION = select(claim_adjudication_t).where(
    _a.claim_id.in_(bindparam("claim_ids", expanding=True))
)
_ADJUDICATION_COLUMNS = [
    column.name for column in claim_adjudication_t.c if column.name != "claim_id"
]


def _upsert_adjudication(ins: DialectInsert) -> Any:
    statement = ins(claim_adjudication_t)
    return statement.on_conflict_do_update(
        index_elements=["claim_id"],
        set_={name: statement.excluded[name] for name in _ADJUDICATION_COLUMNS},
    )


_UPSERT_ADJUDICATION = per_dialect(_upsert_adjudication)
_l = claim_loss_item_t.c
_LOSS_ITEMS = (
    select(_l.claim_id, _l.kind, _l.description, _l.amount_fen)
    .where(_l.claim_id.in_(bindparam("claim_ids", expanding=True)))
    .order_by(_l.claim_id, _l.position)
)
_DELETE_LOSS_ITEMS = delete(claim_loss_item_t).where(_l.claim_id == bindparam("claim_id"))
_st = claim_settlement_t.c
_SETTLEMENTS = (
    select(claim_settlement_t)
    .where(_st.claim_id.in_(bindparam("claim_ids", expanding=True)))
    .order_by(_st.claim_id, _st.version)
)
_SETTLEMENT_VERSIONS = select(_st.version).where(_st.claim_id == bindparam("claim_id"))
_ANSWER_SETTLEMENT = (
    update(claim_settlement_t)
    .where(_st.claim_id == bindparam("s_claim_id"), _st.version == bindparam("v_version"))
    .values(
        outcome=bindparam("v_outcome"),
        answered_by=bindparam("v_answered_by"),
        answered_at=bindparam("v_answered_at", type_=_st.answered_at.type),
        dispute_reason=bindparam("v_dispute_reason"),
    )
)
_ANSWER_KEYS = ("version", "outcome", "answered_by", "answered_at", "dispute_reason")
_p = claim_payment_t.c
_PAYMENTS = select(claim_payment_t).where(_p.claim_id.in_(bindparam("claim_ids", expanding=True)))
_ADD_PAYMENT = per_dialect(
    lambda ins: ins(claim_payment_t).on_conflict_do_nothing(index_elements=["claim_id"])
)


def _next_sequence(ins: DialectInsert) -> Any:
    return (
        ins(claim_counter_t)
        .on_conflict_do_update(index_elements=["day"], set_={"value": claim_counter_t.c.value + 1})
        .returning(claim_counter_t.c.value)
    )


_NEXT_SEQUENCE = per_dialect(_next_sequence)


class SqlClaimRepository(ClaimRepository):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def photo_reuse(self, number: str, since: datetime, max_distance: int) -> list[PhotoMatch]:
        return FraudQueries(self._conn).photo_matches(number, since, max_distance)

    def add(self, claim: Claim) -> None:
        """Store a new claim with its evidence (in order) and its timeline.

        A random status token (for the owner's status link) is made here.
        """
        token = secrets.token_urlsafe(STATUS_TOKEN_BYTES)
        claim_id: int = self._conn.execute(_INSERT_CLAIM, claim_values(claim, token)).scalar_one()
        self._store_children(claim_id, claim, evidence_from=0, changes_from=0)

    def save(self, claim: Claim) -> None:
        """Store what changed on a claim: stage, adjuster, adjudication, new evidence and
        timeline entries (both only ever grow)."""
        claim_id = self._conn.execute(_ID_BY_NUMBER, {"number": claim.number}).scalar_one()
        self._conn.execute(
            _UPDATE_CLAIM,
            {
                "claim_id": claim_id,
                "v_status": claim.status.value,
                "v_adjuster_id": claim.adjuster_id,
                "v_evidence_done": claim.report.evidence_done,
            },
        )
        params = {"claim_id": claim_id}
        self._store_children(
            claim_id,
            claim,
            evidence_from=self._conn.execute(_COUNT_EVIDENCE, params).scalar_one(),
            changes_from=self._conn.execute(_COUNT_CHANGES, params).scalar_one(),
        )
        adj = claim.adjudication
        self._conn.execute(
            pick(_UPSERT_ADJUDICATION, self._conn), adjudication_values(claim_id, adj)
        )
        self._conn.execute(_DELETE_LOSS_ITEMS, params)
        if adj.loss_items:
            self._conn.execute(
                insert(claim_loss_item_t),
                [
                    {
                        "claim_id": claim_id,
                        "position": position,
                        "kind": item.kind.value,
                        "description": item.description,
                        "amount_fen": item.amount.fen,
                    }
                    for position, item in enumerate(adj.loss_items)
                ],
            )
        stored = set(self._conn.execute(_SETTLEMENT_VERSIONS, params).scalars())
        for settlement in adj.settlements:
            values = settlement_values(claim_id, settlement)
            if settlement.version not in stored:
                self._conn.execute(insert(claim_settlement_t), values)
                continue
            self._conn.execute(
                _ANSWER_SETTLEMENT,
                {"s_claim_id": claim_id, **{f"v_{k}": values[k] for k in _ANSWER_KEYS}},
            )
        if adj.payment is not None:
            payment = adj.payment
            self._conn.execute(
                pick(_ADD_PAYMENT, self._conn),
                {
                    "claim_id": claim_id,
                    "amount_fen": payment.amount.fen,
                    "reference": payment.reference,
                    "recorded_by": payment.recorded_by,
                    "recorded_at": payment.recorded_at,
                },
            )

    def _store_children(
        self, claim_id: int, claim: Claim, *, evidence_from: int, changes_from: int
    ) -> None:
        evidence = [
            evidence_values(claim_id, position, item)
            for position, item in enumerate(claim.report.evidence)
            if position >= evidence_from
        ]
        if evidence:
            self._conn.execute(_INSERT_EVIDENCE, evidence)
        changes = [change_values(claim_id, change) for change in claim.timeline[changes_from:]]
        if changes:
            self._conn.execute(_INSERT_CHANGE, changes)

    def get(self, number: str) -> Claim | None:
        claims = self._load(self._conn.execute(_BY_NUMBER, {"number": number}).all())
        return claims[0] if claims else None

    def get_for_update(self, number: str) -> Claim | None:
        """The claim, its row locked (``FOR UPDATE`` on PostgreSQL; SQLite's
        ``BEGIN IMMEDIATE`` already serialises writers)."""
        rows = self._conn.execute(_BY_NUMBER_FOR_UPDATE, {"number": number}).all()
        claims = self._load(rows)
        return claims[0] if claims else None

    def by_status_token(self, token: str) -> Claim | None:
        claims = self._load(self._conn.execute(_BY_TOKEN, {"token": token}).all())
        return claims[0] if claims else None

    def for_owner(self, party_id: int) -> list[Claim]:
        """The owner's claims, oldest report first."""
        return self._load(self._conn.execute(_FOR_OWNER, {"party_id": party_id}).all())

    def open_for_adjuster(self, adjuster_id: int) -> list[Claim]:
        rows = self._conn.execute(_OPEN_FOR_ADJUSTER, {"adjuster_id": adjuster_id}).all()
        return self._load(rows)

    def unassigned(self, limit: int) -> list[Claim]:
        return self._load(self._conn.execute(_UNASSIGNED, {"limit": limit}).all())

    def owners_of_media(self, media_id: int) -> set[int]:
        return set(self._conn.execute(_OWNERS_OF_MEDIA, {"media_id": media_id}).scalars())

    def status_token(self, number: str) -> str | None:
        value = self._conn.execute(_TOKEN, {"number": number}).scalar()
        return None if value is None else str(value)

    def open_with_action(self, actions: Sequence[str]) -> list[str]:
        """Numbers of the open claims whose timeline holds one of these actions."""
        query = (
            select(_c.number)
            .distinct()
            .select_from(claim_t.join(claim_status_change_t, _s.claim_id == _c.id))
            .where(
                _s.action.in_(actions),
                _c.status.not_in([s.value for s in TERMINAL_STATUSES]),
            )
        )
        return list(self._conn.execute(query).scalars())

    def next_sequence(self, day: date) -> int:
        """Increment the day's counter atomically (one upsert; concurrent callers queue)."""
        value = self._conn.execute(
            pick(_NEXT_SEQUENCE, self._conn), {"day": day, "value": 1}
        ).scalar_one()
        return int(value)

    def _load(self, rows: Sequence[AnyRow]) -> list[Claim]:
        if not rows:
            return []
        params = {"claim_ids": [row.id for row in rows]}
        evidence: defaultdict[int, list[Evidence]] = defaultdict(list)
        for ev in self._conn.execute(_EVIDENCE, params):
            evidence[ev.claim_id].append(evidence_from_row(ev))
        timeline: defaultdict[int, list[StatusChange]] = defaultdict(list)
        for ch in self._conn.execute(_TIMELINE, params):
            timeline[ch.claim_id].append(change_from_row(ch))
        adjudications = {r.claim_id: r for r in self._conn.execute(_ADJUDICATION, params)}
        items: defaultdict[int, list[LossItem]] = defaultdict(list)
        for it in self._conn.execute(_LOSS_ITEMS, params):
            items[it.claim_id].append(
                LossItem(LossKind(it.kind), it.description, Money(it.amount_fen))
            )
        settlements: defaultdict[int, list[Settlement]] = defaultdict(list)
        for st in self._conn.execute(_SETTLEMENTS, params):
            settlements[st.claim_id].append(settlement_from_row(st))
        payments = {r.claim_id: r for r in self._conn.execute(_PAYMENTS, params)}
        return [
            claim_from_rows(
                row,
                evidence[row.id],
                timeline[row.id],
                adjudication_from_rows(
                    adjudications.get(row.id),
                    items[row.id],
                    settlements[row.id],
                    payments.get(row.id),
                ),
            )
            for row in rows
        ]
