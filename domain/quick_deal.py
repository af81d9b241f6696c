"""A 快处快赔 case: the owner's invitation to the other driver, and both drivers' answers.

The owner (party A) invites the other driver (party B) with a short one-time code that
expires; B needs no policy with us. B gives plate, phone and insurer; both pick what
happened from the standard list (``domain.accident_situations``) and confirm; the
agreement (``domain.agreement``) is drawn up from the picks. Picks that differ, or a
"不同意", send the case to an adjuster.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.accident_situations import AccidentParty, Pick
from domain.agreement import Confirmation
from domain.booking_timers import TimerPlan
from domain.staff import CODE_ALPHABET, normalize_invite_code

CODE_LENGTH = 8  # about 39 bits; wrong codes are also counted against the sender
DEFAULT_LIFETIME = timedelta(hours=2)
MAX_PHOTOS = 20
EXPIRY_TIMER = "quickdeal_expiry"  # the timer kind that tells the owner of an unused code
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class DealState(StrEnum):
    INVITED = "invited"  # the code is out; B has not joined
    JOINED = "joined"  # B is giving plate, phone and insurer
    PICKING = "picking"  # both pick what happened
    CONFIRMING = "confirming"  # the picks agree: both confirm
    AGREED = "agreed"  # the agreement is issued
    ADJUSTER = "adjuster"  # the picks differ or someone declined: an adjuster decides
    EXPIRED = "expired"  # nobody joined in time


OPEN_STATES = frozenset({DealState.JOINED, DealState.PICKING, DealState.CONFIRMING})
# A new invitation may replace one nobody used, one that expired, or one whose driver left
# before giving their details (the code was used, the case never started).
REPLACEABLE = frozenset({DealState.INVITED, DealState.EXPIRED, DealState.JOINED})


class JoinRefusal(StrEnum):
    """Why a code does not let the sender in (labels: ``quickdeal.join.<value>``)."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    SAME_PERSON = "same_person"


@dataclass
class OtherDriver:
    plate: str = ""
    phone: str = ""
    insurer: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.plate and self.phone and self.insurer)


@dataclass(frozen=True)
class IssuedAgreement:
    """Where the issued agreement can be read: a printable page and the PDF."""

    html_url: str
    pdf_url: str
    pdf_file: str = ""  # the PDF's name in the agreement store (sent as a document)


@dataclass
class QuickDeal:
    claim_number: str
    owner_id: int
    code_hash: str
    created_at: datetime
    expires_at: datetime
    state: DealState = DealState.INVITED
    other_id: int | None = None  # B's party, once joined
    joined_at: datetime | None = None
    driver: OtherDriver = field(default_factory=OtherDriver)
    picks: dict[AccidentParty, Pick] = field(default_factory=dict)
    confirmations: dict[AccidentParty, Confirmation] = field(default_factory=dict)
    photos: list[int] = field(default_factory=list)  # media ids B added
    reason: str = ""  # why it went to an adjuster (a Disagreement value or "declined")
    qr_media: int | None = None  # the invitation's QR code, sent to the owner
    issued: IssuedAgreement | None = None  # the agreement's documents, once issued

    @property
    def media(self) -> list[int]:
        """The photos both drivers may see through the case (besides the claim's own)."""
        return [*self.photos, *([self.qr_media] if self.qr_media is not None else [])]

    def refusal(self, party_id: int, now: datetime) -> JoinRefusal | None:
        """Why ``party_id`` may not join with this invitation now (None: they may)."""
        if self.other_id is not None or self.state not in (DealState.INVITED, DealState.EXPIRED):
            return JoinRefusal.USED
        if now >= self.expires_at or self.state is DealState.EXPIRED:
            return JoinRefusal.EXPIRED
        if party_id == self.owner_id:
            return JoinRefusal.SAME_PERSON
        return None

    def join(self, party_id: int, now: datetime) -> None:
        refusal = self.refusal(party_id, now)
        if refusal is not None:
            raise ValueError(refusal)
        self.other_id = party_id
        self.joined_at = now
        self.state = DealState.JOINED

    def role_of(self, party_id: int) -> AccidentParty | None:
        if party_id == self.owner_id:
            return AccidentParty.A
        if party_id == self.other_id:
            return AccidentParty.B
        return None

    def party_of(self, role: AccidentParty) -> int:
        if role is AccidentParty.A:
            return self.owner_id
        assert self.other_id is not None
        return self.other_id

    def pick(self, value: Pick) -> None:
        self.picks[value.by] = value
        self.confirmations.clear()  # a changed pick needs both confirmations again

    def pick_of(self, role: AccidentParty) -> Pick | None:
        return self.picks.get(role)

    def confirm(self, role: AccidentParty, at: datetime, channel: str) -> None:
        self.confirmations[role] = Confirmation(at, channel)

    @property
    def both_confirmed(self) -> bool:
        return set(self.confirmations) == set(AccidentParty)


def new_code(choice: Callable[[str], str] = secrets.choice) -> str:
    return "".join(choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def hash_code(code: str) -> str:
    return hashlib.sha256(("quickdeal:" + normalize_invite_code(code)).encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    code = normalize_invite_code(text)
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def normalize_mobile(text: str) -> str | None:
    """A mainland mobile number as typed (spaces, dashes, +86), or None."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.strip().startswith("+86") or (len(digits) == 13 and digits.startswith("86")):
        digits = digits[2:]
    return digits if _MOBILE.match(digits) else None


def same_phone(first: str, second: str) -> bool:
    return normalize_mobile(first) is not None and normalize_mobile(first) == normalize_mobile(
        second
    )


def expiry_timer(deal: QuickDeal) -> TimerPlan:
    """The timer that tells the owner when the invitation expires unused."""
    return TimerPlan(
        EXPIRY_TIMER,
        f"{EXPIRY_TIMER}:{deal.claim_number}:{deal.code_hash[:12]}",
        deal.expires_at,
        {"number": deal.claim_number, "code_hash": deal.code_hash},
    )


def timer_subject(number: str) -> str:
    return f"quickdeal:{number}"
