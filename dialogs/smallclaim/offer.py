"""The offer: after a filed report, or a confirmed 快处快赔 agreement, a claim the fast-lane
rule would take (but for the parts and the question about damage outside the vehicles,
which the offer asks) is offered 小额快赔."""

from __future__ import annotations

from dialogs.conversation import TurnContext
from dialogs.smallclaim.common import button, decide
from dialogs.smallclaim.steps import short_list
from domain.claim import Claim
from domain.small_claim import OPEN_STAGES, offerable
from messages.choices import SmallClaimAction
from messages.outbound import Outbound


def offer(claim: Claim, ctx: TurnContext) -> list[Outbound]:
    services = ctx.small_claim
    if services is None or claim.status not in OPEN_STAGES or claim.adjudication.settlements:
        return []
    policy = ctx.uow.policies.by_number(claim.policy_number)
    if policy is None or not short_list(services.price_list(), policy):
        return []  # no price list for the car: nothing the lane could estimate
    decision = decide(ctx, claim, policy, estimate=None, outside=None, fraud=False)
    if not offerable(decision):
        return []
    number = claim.number
    buttons = (
        button(SmallClaimAction.START, number, "smallclaim.choice.start"),
        button(SmallClaimAction.OUTSIDE, number, "smallclaim.choice.outside"),
        button(SmallClaimAction.PERSON, number, "smallclaim.choice.person"),
    )
    params = {"number": number, "max": services.rules.max_amount.yuan()}
    return [Outbound("smallclaim.offer", params, buttons, to_party=claim.owner_id)]
