"""The 快处快赔 agreement (协议书): what both drivers confirmed, as one document.

It names both parties, their vehicles and insurers, the time and place, what happened,
the liability that follows from the situation both picked, the photos, and each party's
confirmation (when, and through which channel). It is the source of the liability
recorded on the claims; the document is rendered as HTML and PDF outside the domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.accident_situations import (
    AccidentParty,
    AgreedLiability,
    Disagreement,
    Pick,
    compare_picks,
)


class AgreementIncomplete(ValueError):
    """An agreement is issued only when both parties have confirmed."""


@dataclass(frozen=True)
class Confirmation:
    at: datetime
    channel: str  # telegram | wechat | web


@dataclass(frozen=True)
class AgreementParty:
    role: AccidentParty
    name: str
    phone: str
    plate: str
    vehicle: str  # make and model as the driver gave them
    insurer: str
    policy_number: str | None
    confirmation: Confirmation | None


@dataclass(frozen=True)
class AgreementPhoto:
    media_id: int
    by: AccidentParty  # who sent it
    taken_at: datetime | None


@dataclass(frozen=True)
class Agreement:
    number: str  # the claim number of party A, which the agreement belongs to
    accident_at: datetime
    place: str
    description: str
    liability: AgreedLiability
    parties: tuple[AgreementParty, AgreementParty]  # A, then B
    photos: Sequence[AgreementPhoto]

    def __post_init__(self) -> None:
        roles = tuple(party.role for party in self.parties)
        if roles != (AccidentParty.A, AccidentParty.B):
            raise ValueError("parties are A, then B")

    def party(self, role: AccidentParty) -> AgreementParty:
        return self.parties[0] if role is AccidentParty.A else self.parties[1]

    @property
    def confirmed(self) -> bool:
        return all(party.confirmation is not None for party in self.parties)

    @property
    def issued_at(self) -> datetime:
        """The later confirmation: the moment the agreement came into being."""
        times = [party.confirmation.at for party in self.parties if party.confirmation]
        if len(times) < len(self.parties):
            raise AgreementIncomplete(self.number)
        return max(times)


def draw_up(
    number: str,
    accident_at: datetime,
    place: str,
    description: str,
    picks: tuple[Pick | None, Pick | None],
    parties: tuple[AgreementParty, AgreementParty],
    photos: Sequence[AgreementPhoto],
) -> Agreement | Disagreement:
    """The agreement both drivers' picks lead to, or why they do not agree (then the case
    goes to an adjuster). Confirmations may still be missing: ``confirmed`` tells."""
    liability = compare_picks(*picks)
    if isinstance(liability, Disagreement):
        return liability
    return Agreement(number, accident_at, place, description, liability, parties, photos)
