"""What the 快处快赔 modules share: the dialog's name and states, and loading a case."""

from __future__ import annotations

from dialogs.conversation import Conversation, TurnContext
from dialogs.quickdeal import slots
from domain.accident_situations import AccidentParty
from domain.claim import Claim
from domain.policy import Policy
from domain.quick_deal import QuickDeal
from messages.choices import QuickDealAction, QuickDealChoice
from messages.outbound import Choice

NAME = "quickdeal"
PLATE, PHONE, INSURER, WAITING = "plate", "phone", "insurer", "waiting"
ASKING = (PLATE, PHONE, INSURER)
MAX_INSURER = 40


def choice(
    action: QuickDealAction, number: str, label: str, argument: str = "", **params: object
) -> Choice:
    return Choice(QuickDealChoice(action, number, argument).encode(), label, params)


def claim_and_policy(ctx: TurnContext, number: str) -> tuple[Claim, Policy | None] | None:
    claim = ctx.uow.claims.get_for_update(number)
    if claim is None:
        return None
    return claim, ctx.uow.policies.by_number(claim.policy_number)


def party_plate(deal: QuickDeal, claim: Claim, role: AccidentParty) -> str:
    return (claim.report.plate or "") if role is AccidentParty.A else deal.driver.plate


def held_deal(conv: Conversation, ctx: TurnContext) -> QuickDeal | None:
    """The case the other driver's conversation is in, while it is still open to them."""
    number = slots.load(conv).deal
    deal = ctx.uow.quick_deals.for_claim_for_update(number) if number else None
    if deal is None or deal.other_id != conv.party_id:
        return None
    return deal
