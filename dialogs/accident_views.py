"""A claim's accident record as message parameters, and its buttons on the claim card."""

from __future__ import annotations

from typing import Any

from domain.accident_record import AccidentRecord
from domain.claim import Claim
from domain.money import Money
from messages.choices import AccidentAction, AccidentChoice
from messages.outbound import Choice


def accident_choices(claim: Claim) -> tuple[Choice, ...]:
    """The claim card's buttons for the accident record: view it, turn 代位求偿 on or off."""
    record = claim.adjudication.accident
    on = record is not None and record.options.subrogation
    params = {"number": claim.number, "on": on}
    return (
        Choice(
            AccidentChoice(AccidentAction.VIEW, claim.number).encode(),
            "accident.choice.view",
            params,
        ),
        Choice(
            AccidentChoice(AccidentAction.SUBROGATION, claim.number).encode(),
            "accident.choice.subrogation",
            params,
        ),
    )


def recorded_insurers(claim: Claim) -> dict[str, str]:
    """The insurers of the parties the adjuster recorded, by label."""
    record = claim.adjudication.accident
    if record is None:
        return {}
    return {party.label: party.insurer for party in record.parties if party.insurer}


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else Money(fen).grouped()


def accident_params(claim: Claim) -> dict[str, Any]:
    """Parties, victims' losses, ratios and options (amounts in yuan), as the accident
    card shows them."""
    record = claim.adjudication.accident or AccidentRecord()
    finding = claim.adjudication.liability
    ratios = record.ratios
    total = record.options.total_loss
    return {
        "number": claim.number,
        "own": claim.report.plate or claim.policy_number,
        "own_share": None if finding is None else finding.share,
        "own_damage": claim.adjudication.loss_total.grouped(),
        "parties": [
            {
                "label": p.label,
                "kind": p.kind.value,
                "insurer": p.insurer,
                "insured": p.insured,
                "jiaoqiang": p.insured and p.jiaoqiang,
                "third_party": _yuan(p.third_party) if p.insured else None,
                "liable": p.liable,
                "share": None if ratios is None or not p.liable else record.share_of(p.label),
            }
            for p in record.parties
        ],
        "losses": [
            {
                "n": n,
                "victim": x.victim,
                "kind": x.kind.value,
                "amount": Money(x.amount).grouped(),
                "person": x.person,
                "role": None if x.role is None else x.role.value,
            }
            for n, x in enumerate(record.losses, 1)
        ],
        "ratios": ratios is not None,
        "source": None if ratios is None else ratios.source.kind.value,
        "reference": "" if ratios is None else ratios.source.reference,
        "subrogation": record.options.subrogation,
        "total_loss": None
        if total is None
        else {
            "actual_value": Money(total.actual_value).grouped(),
            "salvage": Money(total.salvage).grouped(),
            "taken": total.insurer_takes_salvage,
        },
        "rescue": Money(record.options.rescue).grouped() if record.options.rescue else None,
    }
