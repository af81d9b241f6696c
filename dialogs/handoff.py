"""The handoff card: a filed claim paged to the adjusters of its region."""

from __future__ import annotations

from dialogs.claims.views import report_params
from dialogs.conversation import TurnContext
from domain.claim import Claim
from domain.services import adjusters_to_page
from messages.choices import ClaimAction, ClaimChoice
from messages.outbound import Choice, Outbound


def take_choice(number: str) -> Choice:
    value = ClaimChoice(ClaimAction.TAKE, number).encode()
    return Choice(value, "claims.choice.take", {"number": number})


def handoff_cards(claim: Claim, ctx: TurnContext) -> list[Outbound]:
    """One card for each adjuster paged (see ``domain.staff.pick_region_adjusters``)."""
    adjusters = adjusters_to_page(ctx.uow, claim)
    if not adjusters:
        return []
    params = report_params(claim, ctx)
    media = tuple(item.media_id for item in claim.report.evidence)
    return [
        Outbound(
            "claims.handoff.card",
            params,
            (take_choice(claim.number),),
            attachments=media,
            to_party=adjuster.party_id,
        )
        for adjuster in adjusters
    ]
