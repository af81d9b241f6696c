"""An adjuster's next steps on a claim as buttons (``cs:<step>:<number>``): 远程查勘 and the
proposals are done at the tap; 安排现场查勘, 认定责任, 录入定损 and 登记付款 ask for what the
step needs ("明天上午10点 世纪大道100号", "全责 单方事故", "配件 后保险杠 1200",
"1500 ZP001") and take the next text as it, through the same handler as the typed command.
An answer that cannot be read is asked again with its example; a refusal (the claim moved
on, someone else's claim) ends the wait and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialogs import documents
from dialogs.claims import adjuster
from dialogs.claims import slots as claim_slots
from dialogs.claims.next_steps import step_choice
from dialogs.claims.slots import ClaimStepSlots
from dialogs.claims.views import Usage, claim_number, refusal
from dialogs.conversation import IDLE, Conversation, TurnContext
from dialogs.dialog import DialogBase
from domain.claim import Action
from domain.errors import Refusal
from domain.services import view_claim
from messages.choices import ClaimStep, ClaimStepChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Outbound, stale_choice_answer

NAME = "claim_step"
Run = Callable[[str, str, Conversation, TurnContext], list[Outbound]]
# Done at the tap: who runs the command, the command, and the words after the number.
_AT_ONCE: dict[ClaimStep, tuple[Run, str, str]] = {
    ClaimStep.SURVEY_REMOTE: (adjuster.run, "/survey", "remote"),
    ClaimStep.PAY_OWNER: (adjuster.run, "/settle", "owner"),
    ClaimStep.PAY_SHOP: (adjuster.run, "/settle", "shop"),
    ClaimStep.DOCS_OWNER: (documents.run, "/docs", "owner"),
    ClaimStep.DOCS_SHOP: (documents.run, "/docs", "shop"),
}
_DOCS_MISSING = "claims.refusal.documents_missing"
# Asked first: the command, and the words put before what the adjuster types.
_ASKED = {
    ClaimStep.SURVEY_ONSITE: ("/survey", "onsite"),
    ClaimStep.LIABILITY: ("/liability", ""),
    ClaimStep.LOSS: ("/loss", ""),
    ClaimStep.PAID: ("/paid", ""),
}

_ACTIONS = {
    ClaimStep.SURVEY_ONSITE: Action.SURVEY,
    ClaimStep.LIABILITY: Action.LIABILITY,
    ClaimStep.LOSS: Action.LOSS,
    ClaimStep.PAID: Action.PAY,
}


def choose(conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
    choice = ClaimStepChoice.decode(value)
    if choice is None:
        return [stale_choice_answer()]
    if choice.step is ClaimStep.CANCEL:
        return cancel(conv) if conv.dialog == NAME else [stale_choice_answer()]
    try:
        number = claim_number(choice.number)
        if choice.step in _AT_ONCE:
            run, command, words = _AT_ONCE[choice.step]
            return _with_documents_steps(run(command, f"{number} {words}", conv, ctx), number)
        # refused now rather than after the adjuster typed it: not theirs, or moved on
        view_claim(ctx.uow, conv.party_id, number).claim.require_stage(_ACTIONS[choice.step])
    except Refusal as error:
        return [refusal(error)]
    if conv.dialog is not None and conv.dialog != NAME:
        return [Outbound("claims.step.busy", {"number": number})]
    conv.dialog, conv.state = NAME, choice.step.value
    claim_slots.keep(conv, ClaimStepSlots(number))
    return reprompt(conv)


def _with_documents_steps(outs: list[Outbound], number: str) -> list[Outbound]:
    """A proposal refused for missing documents: the buttons that ask the owner for them
    at once (one checklist, by who is paid), beside the refusal."""
    steps = (ClaimStep.DOCS_OWNER, ClaimStep.DOCS_SHOP)
    return [
        replace(
            out,
            params={**out.params, "buttons": True},
            choices=tuple(step_choice(step, number) for step in steps),
        )
        if out.key == _DOCS_MISSING
        else out
        for out in outs
    ]


def reprompt(conv: Conversation) -> list[Outbound]:
    number = claim_slots.load(conv, ClaimStepSlots).number
    cancel_button = step_choice(ClaimStep.CANCEL, number)
    return [Outbound(f"claims.step.ask.{conv.state}", {"number": number}, (cancel_button,))]


def cancel(conv: Conversation) -> list[Outbound]:
    _leave(conv)
    return [Outbound("claims.step.cancelled")]


def _leave(conv: Conversation) -> None:
    claim_slots.drop(conv, ClaimStepSlots)
    conv.dialog, conv.state = None, IDLE


def handle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    if inbound.kind is InboundKind.CHOICE and ClaimStepChoice.matches(inbound.text):
        return choose(conv, inbound.text, ctx)
    if inbound.kind is not InboundKind.TEXT or not inbound.text.strip():
        return [Outbound("claims.step.text_only"), *reprompt(conv)]
    number = claim_slots.load(conv, ClaimStepSlots).number
    command, before = _ASKED[ClaimStep(conv.state)]
    argument = " ".join(part for part in (number, before, inbound.text.strip()) if part)
    try:
        outs = adjuster.perform(command, argument, conv, ctx)
    except Usage:
        return [Outbound("claims.step.unclear"), *reprompt(conv)]
    except Refusal as error:
        _leave(conv)
        return [refusal(error)]
    _leave(conv)
    return outs


class ClaimStepsDialog(DialogBase):
    name = NAME

    def owns_choice(self, value: str) -> bool:
        return ClaimStepChoice.matches(value)

    def choose(self, conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
        return choose(conv, value, ctx)

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        return handle(conv, inbound, ctx)

    def cancel(self, conv: Conversation) -> list[Outbound]:
        return cancel(conv)

    def reprompt(self, conv: Conversation) -> list[Outbound]:
        return reprompt(conv)


CLAIM_STEPS = ClaimStepsDialog()
