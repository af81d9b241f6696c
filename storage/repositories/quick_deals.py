"""快处快赔 cases in SQL: the row's columns for what is looked up, the answers as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from domain.accident_situations import AccidentParty, Pick, Situation
from domain.agreement import Confirmation
from domain.ports import QuickDealRepository
from domain.quick_deal import (
    OPEN_STATES,
    REPLACEABLE,
    DealState,
    IssuedAgreement,
    OtherDriver,
    QuickDeal,
)
from storage._sql import require_aware
from storage.tables.core import claim_evidence_t, claim_t
from storage.tables.quickdeal import quick_deal_media_t, quick_deal_t

_q = quick_deal_t.c
_m = quick_deal_media_t.c
_e = claim_evidence_t.c


class SqlQuickDealRepository(QuickDealRepository):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, deal: QuickDeal) -> None:
        replaceable = [state.value for state in REPLACEABLE]
        self._conn.execute(
            delete(quick_deal_t).where(
                _q.claim_number == deal.claim_number, _q.state.in_(replaceable)
            )
        )
        self._conn.execute(insert(quick_deal_t), _columns(deal))
        self._keep_media(deal)

    def by_code_for_update(self, code_hash: str) -> QuickDeal | None:
        return self._one(select(quick_deal_t).where(_q.code_hash == code_hash))

    def for_claim_for_update(self, number: str) -> QuickDeal | None:
        return self._one(select(quick_deal_t).where(_q.claim_number == number))

    def joined_by(self, party_id: int) -> QuickDeal | None:
        query = (
            select(quick_deal_t)
            .where(_q.other_id == party_id, _q.state.in_([s.value for s in OPEN_STATES]))
            .order_by(_q.created_at.desc(), _q.id.desc())
            .limit(1)
        )
        row = self._conn.execute(query).first()
        return None if row is None else _deal(row._mapping)

    def save(self, deal: QuickDeal) -> None:
        values = _columns(deal)
        self._conn.execute(update(quick_deal_t).where(_q.claim_number == deal.claim_number), values)
        self._keep_media(deal)

    def agreed_claims(self, limit: int) -> list[str]:
        """The claim numbers of the newest agreed deals (the dashboard's agreements)."""
        query = (
            select(quick_deal_t.c.claim_number)
            .where(quick_deal_t.c.state == DealState.AGREED.value)
            .order_by(quick_deal_t.c.id.desc())
            .limit(limit)
        )
        return [str(number) for number in self._conn.execute(query).scalars()]

    def viewers_of_media(self, media_id: int) -> set[int]:
        via_claim = (
            select(_q.owner_id, _q.other_id)
            .join(claim_t, claim_t.c.number == _q.claim_number)
            .join(claim_evidence_t, _e.claim_id == claim_t.c.id)
            .where(_e.media_id == media_id)
        )
        via_case = (
            select(_q.owner_id, _q.other_id)
            .join(quick_deal_media_t, _m.claim_number == _q.claim_number)
            .where(_m.media_id == media_id)
        )
        rows = [*self._conn.execute(via_claim), *self._conn.execute(via_case)]
        return {party for row in rows for party in row if party is not None}

    def _keep_media(self, deal: QuickDeal) -> None:
        self._conn.execute(delete(quick_deal_media_t).where(_m.claim_number == deal.claim_number))
        if deal.media:
            self._conn.execute(
                insert(quick_deal_media_t),
                [{"claim_number": deal.claim_number, "media_id": m} for m in deal.media],
            )

    def _one(self, query: Any) -> QuickDeal | None:
        row = self._conn.execute(query.with_for_update()).first()
        return None if row is None else _deal(row._mapping)


def _columns(deal: QuickDeal) -> dict[str, Any]:
    return {
        "claim_number": deal.claim_number,
        "owner_id": deal.owner_id,
        "code_hash": deal.code_hash,
        "created_at": require_aware(deal.created_at, "created_at"),
        "expires_at": require_aware(deal.expires_at, "expires_at"),
        "state": deal.state.value,
        "other_id": deal.other_id,
        "joined_at": deal.joined_at,
        "answers": _answers(deal),
    }


def _answers(deal: QuickDeal) -> dict[str, Any]:
    return {
        "driver": {
            "plate": deal.driver.plate,
            "phone": deal.driver.phone,
            "insurer": deal.driver.insurer,
        },
        "picks": {
            role.value: {
                "situation": pick.situation.value,
                "at_fault": pick.at_fault.value if pick.at_fault else None,
            }
            for role, pick in deal.picks.items()
        },
        "confirmations": {
            role.value: {"at": c.at.isoformat(), "channel": c.channel}
            for role, c in deal.confirmations.items()
        },
        "photos": list(deal.photos),
        "reason": deal.reason,
        "qr_media": deal.qr_media,
        "issued": (
            {
                "html_url": deal.issued.html_url,
                "pdf_url": deal.issued.pdf_url,
                "pdf_file": deal.issued.pdf_file,
            }
            if deal.issued
            else None
        ),
    }


def _deal(row: RowMapping) -> QuickDeal:
    answers: dict[str, Any] = row["answers"] or {}
    driver = answers.get("driver") or {}
    picks = {
        AccidentParty(role): Pick(
            AccidentParty(role),
            Situation(raw["situation"]),
            AccidentParty(raw["at_fault"]) if raw.get("at_fault") else None,
        )
        for role, raw in (answers.get("picks") or {}).items()
    }
    confirmations = {
        AccidentParty(role): Confirmation(datetime.fromisoformat(raw["at"]), raw["channel"])
        for role, raw in (answers.get("confirmations") or {}).items()
    }
    return QuickDeal(
        claim_number=row["claim_number"],
        owner_id=row["owner_id"],
        code_hash=row["code_hash"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        state=DealState(row["state"]),
        other_id=row["other_id"],
        joined_at=row["joined_at"],
        driver=OtherDriver(
            str(driver.get("plate", "")),
            str(driver.get("phone", "")),
            str(driver.get("insurer", "")),
        ),
        picks=picks,
        confirmations=confirmations,
        photos=[int(m) for m in answers.get("photos") or []],
        reason=str(answers.get("reason", "")),
        qr_media=answers.get("qr_media"),
        issued=IssuedAgreement(**answers["issued"]) if answers.get("issued") else None,
    )
