"""Plain records storage exchanges with its callers.

The records a turn or the dispatcher passes live with the port (``domain.records``,
``domain.outbox``); they are named here too, for storage's own modules and its tests.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from domain.outbox import OutboxItem, OutboxRow
from domain.records import ConversationRecord, PartyRecord, Recipient

__all__ = [
    "ConversationRecord",
    "ImportSummary",
    "OutboxItem",
    "OutboxRow",
    "Outcome",
    "PartyRecord",
    "Recipient",
]

Outcome = Literal["created", "updated", "unchanged"]


@dataclass
class ImportSummary:
    """What an import did, per kind of record (policies, adjusters, shops, staff)."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, outcome: Outcome) -> None:
        getattr(self, outcome)[kind] += 1

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def as_dict(self) -> dict[str, dict[str, int]]:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return {
            kind: {
                "created": self.created[kind],
                "updated": self.updated[kind],
                "unchanged": self.unchanged[kind],
            }
            for kind in kinds
        }
