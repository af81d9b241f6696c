"""小额快赔: a small, clean claim settled without waiting for an adjuster.

The fast-lane rule (``domain.fast_lane``) decides; this module holds what happens to a
claim when it passes: the estimate becomes the assessment (liability from the 快处快赔
agreement, or the owner's alone for a single-car accident), the documents checklist is
asked for and the items the lane settles itself are marked, the statement is proposed,
and, once the owner accepts, one payment instruction goes to the payment port
(``domain.small_claim_ports``). See docs/fastlane.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from domain.accident_record import AccidentRecord
from domain.adjudication import Liability, LiabilityFinding, LossItem, PaymentRoute
from domain.claim import Action, Claim, ClaimStatus
from domain.claim_documents import ClaimChecklist, ask_documents, claim_checklist, waive_document
from domain.documents import Document, Handling, Route
from domain.fast_lane import FastLaneDecision, Reason
from domain.masking import mask_bank_account
from domain.money import Money
from domain.price_list import Estimate

ACTOR = "system:fastlane"  # the timeline's "who" of the lane's own steps
# Stages from which the lane may assess a claim: nobody has surveyed it yet.
OPEN_STAGES = frozenset({ClaimStatus.REPORTED, ClaimStatus.ASSIGNED})
# Reasons the offer leaves to later steps: the estimate (the parts come next) and the
# damage outside the vehicles (the offer's own question).
_LATER = frozenset({Reason.NO_ESTIMATE, Reason.OUTSIDE_PROPERTY_UNKNOWN})
# Checklist items the lane settles itself (the waiver's reason is the item's key in
# ``smallclaim.waiver.*``): the agreement it issued, the finding a single-car accident has
# no need of, and the invoice of a repair the price list already priced.
_SETTLED_BY_LANE = (Document.AGREEMENT, Document.POLICE_FINDING, Document.REPAIR_INVOICE)


class ToAdjuster(StrEnum):
    """Why the lane hands a claim to an adjuster besides the rule's own reasons
    (labels: ``smallclaim.reason.<value>``)."""

    PART_NOT_LISTED = "part_not_listed"  # the owner's part is not on the short list
    PRICE_LIST = "price_list"  # the price list cannot estimate a picked part
    OWNER_ASKED = "owner_asked"  # the owner asked for a person
    NOTHING_TO_PAY = "nothing_to_pay"  # the statement pays nothing from our covers
    NOT_SETTLED = "not_settled"  # the statement could not be computed


def offerable(decision: FastLaneDecision) -> bool:
    """The rule holds but for what the lane's own steps will give (the parts, the
    question about damage outside the vehicles)."""
    return set(decision.reasons) <= _LATER


def route_of(agreed: bool) -> Route:
    """Paid to the owner, nobody injured; the agreement's handling when there is one."""
    return Route(PaymentRoute.OWNER, False, Handling.FAST if agreed else Handling.POLICE)


def assess(
    claim: Claim, estimate: Estimate, names: dict[str, str], own_damage: bool, at: datetime
) -> None:
    """The estimate is the assessment: each line a loss item; liability from the 快处快赔
    agreement recorded on the claim, else (a single car) the owner's alone. A not-at-fault
    owner is paid at once by their own 车损险 (代位求偿), the rest recovered from the other
    side: nobody waits for another insurer."""
    adjudication = claim.adjudication
    if adjudication.liability is None:
        adjudication.liability = LiabilityFinding(Liability.FULL, 100, "source=single_car")
    if adjudication.liability.share < 100 and own_damage:
        record = adjudication.accident or AccidentRecord()
        adjudication.accident = replace(record, options=replace(record.options, subrogation=True))
    adjudication.loss_items = [
        LossItem(line.kind, names.get(line.part, line.part), line.amount) for line in estimate.lines
    ]
    note = f"{estimate.car_class} {estimate.total.yuan()}"
    claim.change_status(ClaimStatus.ASSESSED, at, ACTOR, note, Action.LOSS)


def ask_checklist(
    claim: Claim, agreed: bool, at: datetime, waivers: dict[Document, str]
) -> ClaimChecklist:
    """The route's checklist, asked for once; the items the lane settles itself are marked
    with ``waivers`` (the reasons in the claim's locale)."""
    current = claim_checklist(claim)
    route = route_of(agreed)
    if current is None or current.route != route:
        current = ask_documents(claim, route, at, ACTOR)
    for item in _SETTLED_BY_LANE:
        if item in current.missing:
            current = waive_document(claim, item, waivers[item], at, ACTOR)
    return current


class InstructionState(StrEnum):
    RECORDED = "recorded"  # written with the agreement, not yet handed to the port
    SENT = "sent"  # handed to the payment port
    CONFIRMED = "confirmed"  # the bank (the port) confirmed the payment


@dataclass
class PaymentInstruction:
    """One payment of an accepted fast-lane proposal: at most one per claim."""

    claim_number: str
    amount: Money
    payee_name: str
    card_number: str
    created_at: datetime
    state: InstructionState = InstructionState.RECORDED
    sent_at: datetime | None = None
    confirmed_at: datetime | None = None
    reference: str = ""  # the bank's reference, from the confirmation

    @property
    def masked_card(self) -> str:
        return mask_bank_account(self.card_number)

    def as_message(self) -> dict[str, object]:
        """What the payment port is handed (the card in full: the bank needs it)."""
        return {
            "claim_number": self.claim_number,
            "amount_fen": self.amount.fen,
            "amount": self.amount.yuan(),
            "currency": "CNY",
            "payee_name": self.payee_name,
            "card_number": self.card_number,
            "created_at": self.created_at.isoformat(),
            "idempotency_key": f"claimbot:{self.claim_number}:pay",
        }


def normalize_card(text: str) -> str | None:
    """A bank card number (16-19 digits, spaces or dashes allowed) passing the Luhn check."""
    digits = "".join(ch for ch in text if ch not in " -")
    if not digits.isdigit() or not 16 <= len(digits) <= 19:
        return None
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return digits if total % 10 == 0 else None
