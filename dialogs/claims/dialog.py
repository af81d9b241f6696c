"""Claims in chat as the router sees them: staff and owner commands, the buttons that
name a claim (``c:take:N``, ``c:acc:N:v``, ``c:dis:N:v``), the dispute dialog that waits
for a reason, and evidence an adjuster asked for, sent while no dialog runs.

Such a button is checked against the claim itself, not against the conversation's last
offer: it may arrive in a notice sent from another party's turn (a handoff card, a
settlement proposal), or be tapped after later messages. A button whose claim moved on
(taken by someone else, a proposal replaced or answered) is refused as stale.
"""

from __future__ import annotations

from dialogs.claims import adjuster
from dialogs.claims import owner as owner_claims
from dialogs.claims.views import claim_number, refusal
from dialogs.conversation import Conversation, TurnContext
from dialogs.dialog import DialogBase, MenuItem
from domain.errors import Refusal
from messages.choices import ClaimAction, ClaimChoice
from messages.inbound import Inbound
from messages.outbound import Outbound, stale_choice_answer

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
    return [stale_choice_answer()]


class ClaimsDialog(DialogBase):
    name = owner_claims.DISPUTE
    # /bind is the booking entry's: a shop invite binds shop staff, any other code comes
    # back here (adjuster.run), which judges it.
    commands = COMMANDS - {"/bind"}
    menu_commands = ("status",)
    menu = (MenuItem("STATUS", "wechat.menu.status", "/status"),)

    def owns_choice(self, value: str) -> bool:
        return is_claim_choice(value)

    def choose(self, conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
        return choose(conv, value, ctx)

    def run(
        self, command: str, argument: str, conv: Conversation, ctx: TurnContext
    ) -> list[Outbound]:
        return run_command(command, argument, conv, ctx)

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        return owner_claims.handle(conv, inbound, ctx)

    def cancel(self, conv: Conversation) -> list[Outbound]:
        return owner_claims.cancel(conv)

    def reprompt(self, conv: Conversation) -> list[Outbound]:
        return owner_claims.reprompt(conv)

    def role_help(self, conv: Conversation, ctx: TurnContext) -> str | None:
        return "claims.help.staff" if adjuster.is_staff(conv, ctx) else None

    def take_idle(
        self, conv: Conversation, inbound: Inbound, ctx: TurnContext
    ) -> list[Outbound] | None:
        return owner_claims.route_to_request(conv, inbound, ctx)


CLAIMS = ClaimsDialog()
