"""One conversation's state, and what a dialog turn is given to work with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from dialogs import router_slots
from dialogs.lexicon import Lexicon
from domain.adjudication import AdjudicationRules
from domain.attempts import Limits
from domain.booking import BookingRules
from domain.ports import QuickDealServices, UnitOfWork
from domain.small_claim_ports import SmallClaimServices

if TYPE_CHECKING:
    from dialogs.registry import Registry

IDLE = "idle"


class Conversation:
    """The model a dialog's shared Machine is attached to for one turn.

    A plain class on purpose: transitions adds attributes to its models, which pydantic
    and SQLModel objects refuse, and it compares models by equality.
    """

    def __init__(
        self,
        *,
        party_id: int,
        locale: str,
        dialog: str | None = None,
        state: str = IDLE,
        slots: dict[str, Any] | None = None,
        last_activity: datetime | None = None,
    ) -> None:
        self.party_id = party_id
        self.locale = locale
        self.dialog = dialog
        self.state = state
        self.slots: dict[str, Any] = slots if slots is not None else {}
        self.last_activity = last_activity

    def reset(self) -> None:
        """Leave any dialog; keep only what outlives it (the locale)."""
        self.dialog = None
        self.state = IDLE
        self.slots = {}

    @property
    def offered(self) -> list[str]:
        """The choices of the conversation's last turn (``dialogs/router_slots.py``)."""
        return list(router_slots.load(self).offered or [])


@dataclass(frozen=True)
class TurnContext:
    uow: UnitOfWork
    now: datetime
    tz: tzinfo
    lexicon: Lexicon
    locales: tuple[str, ...]
    resume_after: timedelta = timedelta(hours=2)
    limits: Limits = field(default_factory=Limits)
    rules: AdjudicationRules = field(default_factory=AdjudicationRules)
    booking: BookingRules = field(default_factory=BookingRules)
    registry: Registry | None = None  # None: dialogs.registry.REGISTRY
    public_url: str = ""  # the product's public base URL (links in messages)
    retention_days: int = 730  # personal data kept this long after a claim closes
    hotline: str = "95500"  # the service hotline (settings)
    handoff_wait_minutes: int = 5  # the wait an owner asking for a person is told
    channel: str = ""  # the channel of the message this turn answers
    quick_deal: QuickDealServices | None = None  # None: no QR codes or agreement documents
    small_claim: SmallClaimServices | None = None  # None: no 小额快赔 (the fast lane is off)
