"""A claim's personal identifiers in full, for the claim page's audited full view."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from storage.tables.core import claim_t, policy_t, vehicle_t


@dataclass(frozen=True)
class FullIdentifiers:
    plate: str | None
    policy_number: str
    holder: str | None
    phone: str | None
    vin: str | None


def full_identifiers(conn: Connection, claim_number: str) -> FullIdentifiers | None:
    row = conn.execute(
        select(
            claim_t.c.plate,
            claim_t.c.policy_number,
            policy_t.c.holder,
            policy_t.c.phone,
            vehicle_t.c.vin,
        )
        .select_from(
            claim_t.outerjoin(policy_t, policy_t.c.number == claim_t.c.policy_number).outerjoin(
                vehicle_t, vehicle_t.c.policy_id == policy_t.c.id
            )
        )
        .where(claim_t.c.number == claim_number)
    ).first()
    if row is None:
        return None
    return FullIdentifiers(row.plate, row.policy_number, row.holder, row.phone, row.vin)
