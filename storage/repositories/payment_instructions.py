"""小额快赔's payment instructions (``domain.small_claim.PaymentInstruction``): at most one
per claim (a second accept finds it), handed to the payment port once their turn
committed, and confirmed by the port's answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, insert, select, update

from domain.money import Money
from domain.small_claim import InstructionState, PaymentInstruction
from storage._sql import require_aware
from storage.tables.fastlane import payment_instruction_t

_p = payment_instruction_t.c


class PaymentInstructions:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, instruction: PaymentInstruction) -> bool:
        """False when the claim has an instruction already (nothing is written)."""
        if self.get(instruction.claim_number) is not None:
            return False
        values = {
            "claim_number": instruction.claim_number,
            "amount_fen": instruction.amount.fen,
            "payee_name": instruction.payee_name,
            "card_number": instruction.card_number,
            "state": instruction.state.value,
            "created_at": require_aware(instruction.created_at, "created_at"),
            "attempts": 0,
            "reference": "",
        }
        # The claim is locked by the turn (get_for_update): no second writer gets here; the
        # unique claim number is the last guard.
        self._conn.execute(insert(payment_instruction_t), values)
        return True

    def get(self, number: str) -> PaymentInstruction | None:
        row = self._conn.execute(
            select(payment_instruction_t).where(_p.claim_number == number)
        ).first()
        return None if row is None else _instruction(row._mapping)

    def unsent(self, limit: int = 50) -> list[PaymentInstruction]:
        rows = self._conn.execute(
            select(payment_instruction_t)
            .where(_p.state == InstructionState.RECORDED.value)
            .order_by(_p.id)
            .limit(limit)
        )
        return [_instruction(row._mapping) for row in rows]

    def mark_sent(self, number: str, at: datetime) -> bool:
        result = self._conn.execute(
            update(payment_instruction_t)
            .where(_p.claim_number == number, _p.state == InstructionState.RECORDED.value)
            .values(state=InstructionState.SENT.value, sent_at=require_aware(at, "at"))
        )
        return result.rowcount == 1

    def failed(self, number: str) -> None:
        self._conn.execute(
            update(payment_instruction_t)
            .where(_p.claim_number == number)
            .values(attempts=_p.attempts + 1)
        )

    def confirm(self, number: str, reference: str, at: datetime) -> bool:
        """True when this confirmation closed it (a repeated confirmation changes nothing)."""
        result = self._conn.execute(
            update(payment_instruction_t)
            .where(
                _p.claim_number == number,
                _p.state.in_([InstructionState.RECORDED.value, InstructionState.SENT.value]),
            )
            .values(
                state=InstructionState.CONFIRMED.value,
                confirmed_at=require_aware(at, "at"),
                reference=reference[:64],
            )
        )
        return result.rowcount == 1

    def recent(self, limit: int = 100) -> list[PaymentInstruction]:
        rows = self._conn.execute(select(payment_instruction_t).order_by(_p.id.desc()).limit(limit))
        return [_instruction(row._mapping) for row in rows]


def _instruction(values: RowMapping) -> PaymentInstruction:
    return PaymentInstruction(
        claim_number=values["claim_number"],
        amount=Money(int(values["amount_fen"])),
        payee_name=values["payee_name"],
        card_number=values["card_number"],
        created_at=values["created_at"],
        state=InstructionState(values["state"]),
        sent_at=values["sent_at"],
        confirmed_at=values["confirmed_at"],
        reference=values["reference"],
    )
