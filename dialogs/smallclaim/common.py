"""What the 小额快赔 modules share: the dialog's name and states, and buttons."""

from __future__ import annotations

from dialogs.conversation import TurnContext
from domain.claim import Claim
from domain.fast_lane import FastLaneDecision, assess
from domain.fast_lane_case import case_for_claim
from domain.money import Money
from domain.policy import Policy
from domain.quick_deal import DealState
from messages.choices import SmallClaimAction, SmallClaimChoice
from messages.outbound import Choice

NAME = "smallclaim"
PARTS, DOCS, CARD, CARD_CONFIRM, PROPOSED = "parts", "docs", "card", "card_confirm", "proposed"


def button(
    action: SmallClaimAction, number: str, label: str, argument: str = "", **params: object
) -> Choice:
    return Choice(SmallClaimChoice(action, number, argument).encode(), label, params)


def agreed(ctx: TurnContext, claim: Claim) -> bool:
    """A 快处快赔 agreement both drivers confirmed is on the claim."""
    deal = ctx.uow.quick_deals.for_claim_for_update(claim.number)
    return deal is not None and deal.state is DealState.AGREED


def decide(
    ctx: TurnContext,
    claim: Claim,
    policy: Policy,
    *,
    estimate: Money | None,
    outside: bool | None,
    fraud: bool,
) -> FastLaneDecision:
    """The fast-lane rule on the claim as it stands (the fraud queries only when asked)."""
    services = ctx.small_claim
    assert services is not None
    signals = services.fraud_signals(claim, policy) if fraud else []
    case = case_for_claim(
        claim,
        policy,
        ctx.tz,
        estimate=estimate,
        liability_agreed=agreed(ctx, claim),
        outside_property=outside,
        fraud_signals=signals,
    )
    return assess(case, services.rules)


def owned_claim(ctx: TurnContext, number: str, party_id: int) -> tuple[Claim, Policy] | None:
    """The claim, locked, when the party owns it, with its policy."""
    claim = ctx.uow.claims.get_for_update(number)
    if claim is None or claim.owner_id != party_id:
        return None
    policy = ctx.uow.policies.by_number(claim.policy_number)
    return None if policy is None else (claim, policy)
