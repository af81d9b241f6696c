"""小额快赔 as the router sees it: the buttons on a claim (``f:…``) and, while the lane
holds the owner's conversation, their photos of documents and their bank card."""

from __future__ import annotations

from dialogs.conversation import Conversation, TurnContext
from dialogs.dialog import DialogBase
from dialogs.smallclaim import steps
from dialogs.smallclaim.common import CARD, CARD_CONFIRM, DOCS, NAME, PARTS
from messages.choices import SmallClaimChoice
from messages.inbound import Inbound
from messages.outbound import Outbound, stale_choice_answer


class SmallClaimDialog(DialogBase):
    name = NAME
    unfinished = frozenset({PARTS, DOCS, CARD, CARD_CONFIRM})

    def owns_choice(self, value: str) -> bool:
        return SmallClaimChoice.matches(value)

    def choose(self, conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
        picked = SmallClaimChoice.decode(value)
        if picked is None:
            return [stale_choice_answer()]
        return steps.choose(conv, picked, ctx)

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        return steps.handle(conv, inbound, ctx)

    def cancel(self, conv: Conversation) -> list[Outbound]:
        conv.reset()
        return [Outbound("smallclaim.left")]

    def back(self, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
        return [Outbound("back.nothing"), *steps.prompt(conv)]

    def reprompt(self, conv: Conversation) -> list[Outbound]:
        # Each step's card asks its question; the router's reprompt after a tapped button
        # would repeat it (a typed answer that does not fit is answered by ``handle``).
        return []

    def help(self, conv: Conversation, ctx: TurnContext) -> str | None:
        return "smallclaim.help"


SMALL_CLAIM = SmallClaimDialog()
