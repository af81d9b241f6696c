"""Claims in chat as the router sees them: staff and owner commands, and the buttons that
name a claim (``c:take:N``, ``c:acc:N:v``, ``c:dis:N:v``).

Such a button is checked against the claim itself, not against the conversation's last
offer: it may arrive in a notice sent from another party's turn (a handoff card, a
settlement proposal), or be tapped after later messages. A button whose claim moved on
(taken by someone else, a proposal replaced or answered) is refused as stale.
"""

from __future__ import annotations

from dialogs import adjuster, owner_claims
from dialogs.claim_views import claim_number, refusal
from dialogs.conversation import Conversation, TurnContext
from domain.errors import Refusal
from messages.choices import ClaimAction, ClaimChoice
from messages.outbound import Outbound

COMMANDS = adjuster.COMMANDS | owner_claims.COMMANDS


def run_command(name: str, argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    if name in adjuster.COMMANDS:
        return adjuster.run(name, argument, conv, ctx)
    return owner_claims.run(name, argument, conv, ctx)


def is_claim_choice(value: str) -> bool:
    return ClaimChoice.matches(value)


def choose(conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
    choice = ClaimChoice.decode(value)
    try:
        match choice:
            case ClaimChoice(action=ClaimAction.TAKE, number=number):
                return adjuster.run("/take", number, conv, ctx)
            case ClaimChoice(action=ClaimAction.ACCEPT, number=number, version=int(version)):
                return owner_claims.answer(
                    conv, ctx, claim_number(number), version, accept=True, reason=""
                )
            case ClaimChoice(action=ClaimAction.DISPUTE, number=number, version=int(version)):
                return owner_claims.begin_dispute(conv, ctx, claim_number(number), version)
    except Refusal as error:
        return [refusal(error)]
    return [Outbound("input.stale_choice")]
