"""Facts the domain records when state changes; adapters turn them into messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DomainEvent:
    at: datetime


@dataclass(frozen=True)
class ClaimReported(DomainEvent):
    claim_number: str
    urgent: bool
    late: bool


@dataclass(frozen=True)
class ClaimStatusChanged(DomainEvent):
    claim_number: str
    from_status: str
    to_status: str
    actor: str
    note: str
