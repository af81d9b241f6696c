"""Staff: roles, one-time invite codes, and who may act on which claim.

Nobody becomes staff by saying so. An operator runs ``claimbot staff invite``, which
prints a random one-time code (stored only as its SHA-256, valid 24 hours); the person
sends ``/bind CODE`` from any channel and their party becomes that staff member.
Adjusters pre-bound to a channel identity in the imported directory need no code.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.claim import Claim
from domain.errors import AlreadyTaken, AlreadyYours, NotTaken, NotYourClaim, OwnClaim

INVITE_TTL = timedelta(hours=24)
# Crockford-style alphabet: no 0/O, 1/I/L, U, so that codes survive being read aloud.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS, CODE_GROUP_LENGTH = 3, 4  # 12 symbols: about 59 bits of randomness


class StaffRole(StrEnum):
    ADJUSTER = "adjuster"
    SHOP = "shop"  # shop staff: invites come with the booking feature


@dataclass(frozen=True)
class Adjuster:
    id: int
    code: str  # e.g. ADJ-SH-01
    name: str
    region: str | None
    party_id: int | None  # None until bound
    supervisor: bool = False  # on the supervisor list: receives escalations

    @property
    def actor(self) -> str:
        """How the adjuster appears on a claim's timeline."""
        return f"adjuster:{self.code}"


@dataclass(frozen=True)
class Invite:
    """A one-time code's record: what binding it makes of the person who sends it."""

    code_hash: str
    role: StaffRole
    name: str
    created_at: datetime
    expires_at: datetime
    staff_code: str | None = None  # the adjuster code to bind (created if new)
    region: str | None = None
    shop_code: str | None = None  # for StaffRole.SHOP
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


def new_invite_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """A random code such as ``K7QM-4XPD-9TRW``."""
    groups = (
        "".join(choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH)) for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def normalize_invite_code(text: str) -> str:
    """What people type: any case, spaces or dashes anywhere."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def hash_invite_code(code: str) -> str:
    return hashlib.sha256(normalize_invite_code(code).encode()).hexdigest()


def new_adjuster_code(choice: Callable[[str], str] = secrets.choice) -> str:
    return "ADJ-" + "".join(choice(CODE_ALPHABET) for _ in range(6))


def authorize_adjuster(adjuster: Adjuster, claim: Claim, *, taking: bool = False) -> None:
    """An adjuster acts only on claims assigned to them, or takes an unassigned one.

    Refusals: NotTaken (nobody has it: take it first), NotYourClaim (another adjuster
    has it), AlreadyTaken / AlreadyYours (when taking), OwnClaim (staff do not
    adjudicate claims they reported themselves).
    """
    if claim.owner_id == adjuster.party_id:
        raise OwnClaim(number=claim.number)
    if claim.adjuster_id is None:
        if not taking:
            raise NotTaken(number=claim.number)
        return
    if claim.adjuster_id == adjuster.id:
        if taking:
            raise AlreadyYours(number=claim.number)
        return
    error = AlreadyTaken if taking else NotYourClaim
    raise error(number=claim.number, adjuster_id=claim.adjuster_id)


def pick_region_adjusters(
    adjusters: list[Adjuster], region: str | None, exclude_party: int | None = None
) -> list[Adjuster]:
    """Who is paged for a new claim: the bound adjusters of the claim's region.

    There is no duty roster: every bound adjuster of the region counts as on duty. When
    the policy names no region, or no bound adjuster serves it, every bound adjuster is
    paged, so that no claim goes unseen. The claim's owner is never paged about it.
    Supervisors receive escalations instead (scheduler/escalation.py); they are paged
    for a new claim only when no other adjuster is bound.
    """
    bound = [a for a in adjusters if a.party_id is not None and a.party_id != exclude_party]
    crew = [a for a in bound if not a.supervisor] or bound
    local = [a for a in crew if region is not None and a.region == region]
    return local or crew
