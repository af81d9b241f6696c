"""The fast lane never rejects: what it cannot approve goes to an adjuster with every
reason, and the owner is told why and that a person takes over."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dialogs.conversation import Conversation, TurnContext
from dialogs.smallclaim.common import NAME
from domain.claim import Claim
from domain.services import adjusters_to_page
from messages.outbound import Outbound


def to_adjuster(
    conv: Conversation | None,
    claim: Claim,
    reasons: Sequence[tuple[str, Mapping[str, Any]]],
    ctx: TurnContext,
) -> list[Outbound]:
    """``reasons``: (message key, params) pairs, each said to the owner and the adjuster."""
    if conv is not None and conv.dialog == NAME:
        conv.reset()
    params = {
        "number": claim.number,
        "reasons": [{"key": key, "params": dict(values)} for key, values in reasons],
    }
    if claim.adjuster_id is not None:
        adjuster = ctx.uow.staff.adjuster(claim.adjuster_id)
        staff = [adjuster] if adjuster is not None else []
    else:
        staff = adjusters_to_page(ctx.uow, claim)
    return [
        Outbound("smallclaim.to_adjuster", params, to_party=claim.owner_id),
        *(Outbound("smallclaim.adjuster", params, to_party=a.party_id) for a in staff),
    ]


def rule_reasons(codes: Sequence[str], ctx: TurnContext) -> list[tuple[str, Mapping[str, Any]]]:
    services = ctx.small_claim
    params: dict[str, Any] = {}
    if services is not None:
        params = {
            "days": services.rules.min_policy_days,
            "amount": services.rules.max_amount.yuan(),
        }
    return [(f"fastlane.reason.{code}", params) for code in codes]
