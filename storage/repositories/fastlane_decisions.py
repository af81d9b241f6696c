"""The fast lane's automatic decisions: recorded with rule version and inputs, sampled for
review (``CLAIMBOT_FAST_SAMPLE_PERCENT``), and marked when a supervisor has reviewed one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, insert, select, update

from domain.fast_lane import FastLaneDecision
from storage._sql import require_aware
from storage.tables.fastlane import fastlane_decision_t

_d = fastlane_decision_t.c


@dataclass(frozen=True)
class RecordedDecision:
    id: int
    claim_number: str
    decided_at: datetime
    rule_version: str
    eligible: bool
    reasons: tuple[str, ...]
    inputs: dict[str, object]
    sampled: bool
    reviewed_at: datetime | None
    reviewed_by: str | None


class FastLaneDecisions:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def record(
        self, number: str, decision: FastLaneDecision, at: datetime, *, sampled: bool
    ) -> int:
        row_id = self._conn.execute(
            insert(fastlane_decision_t).returning(_d.id),
            {
                "claim_number": number,
                "decided_at": require_aware(at, "at"),
                "rule_version": decision.rule_version,
                "eligible": decision.eligible,
                "reasons": [reason.value for reason in decision.reasons],
                "inputs": decision.inputs,
                "sampled": sampled,
            },
        ).scalar_one()
        return int(row_id)

    def for_claim(self, number: str) -> list[RecordedDecision]:
        rows = self._conn.execute(
            select(fastlane_decision_t).where(_d.claim_number == number).order_by(_d.id)
        )
        return [_decision(row._mapping) for row in rows]

    def to_review(self, limit: int = 100) -> list[RecordedDecision]:
        """Sampled decisions nobody has reviewed yet, oldest first."""
        rows = self._conn.execute(
            select(fastlane_decision_t)
            .where(_d.sampled.is_(True), _d.reviewed_at.is_(None))
            .order_by(_d.decided_at, _d.id)
            .limit(limit)
        )
        return [_decision(row._mapping) for row in rows]

    def mark_reviewed(self, decision_id: int, by: str, at: datetime) -> bool:
        """True when it was sampled and not reviewed before (a second review changes nothing)."""
        result = self._conn.execute(
            update(fastlane_decision_t)
            .where(_d.id == decision_id, _d.sampled.is_(True), _d.reviewed_at.is_(None))
            .values(reviewed_at=require_aware(at, "at"), reviewed_by=by)
        )
        return result.rowcount == 1


def _decision(values: RowMapping) -> RecordedDecision:
    return RecordedDecision(
        id=int(values["id"]),
        claim_number=values["claim_number"],
        decided_at=values["decided_at"],
        rule_version=values["rule_version"],
        eligible=bool(values["eligible"]),
        reasons=tuple(values["reasons"]),
        inputs=dict(values["inputs"]),
        sampled=bool(values["sampled"]),
        reviewed_at=values["reviewed_at"],
        reviewed_by=values["reviewed_by"],
    )
