"""The losses a settlement works on: a total loss replaces the repair estimate, and 施救费
becomes a loss of its vehicle."""

from __future__ import annotations

from domain.settlement.accident import Accident, Loss, LossKind
from domain.settlement.statement import Rule


def settled_losses(accident: Accident) -> tuple[tuple[Loss, ...], tuple[Rule, ...]]:
    """The losses to allocate, and the notes that explain how they differ from the input."""
    losses = list(accident.losses)
    notes: list[Rule] = []
    for label, total in sorted(accident.options.total_loss.items()):
        estimate = sum(
            loss.amount for loss in losses if loss.victim == label and loss.kind is LossKind.VEHICLE
        )
        params: dict[str, int | str] = {
            "party": label,
            "estimate_fen": estimate,
            "actual_value_fen": total.actual_value,
            "salvage_fen": total.salvage,
            "payable_fen": total.payable,
        }
        if estimate < total.actual_value:
            notes.append(Rule("repairable", params))
            continue
        losses = [
            loss for loss in losses if not (loss.victim == label and loss.kind is LossKind.VEHICLE)
        ]
        losses.append(Loss(label, LossKind.VEHICLE, total.payable))
        key = "total_loss_salvage_taken" if total.insurer_takes_salvage else "total_loss"
        notes.append(Rule(key, params))
    for label, amount in sorted(accident.options.rescue.items()):
        if amount:
            losses.append(Loss(label, LossKind.RESCUE, amount))
    return tuple(losses), tuple(notes)
