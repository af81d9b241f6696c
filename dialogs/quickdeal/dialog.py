"""快处快赔 as the router sees it: the buttons on a case (``q:…``), ``/join CODE`` and a
typed "快处 CODE", and, while the other driver gives their details or waits, their turns."""

from __future__ import annotations

from dialogs.conversation import Conversation, TurnContext
from dialogs.dialog import DialogBase
from dialogs.quickdeal import driver, invite, picks
from dialogs.quickdeal.common import ASKING, NAME, held_deal
from domain.quick_deal import OPEN_STATES
from messages.choices import QuickDealAction, QuickDealChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Outbound, stale_choice_answer


class QuickDealDialog(DialogBase):
    name = NAME
    commands = frozenset({invite.JOIN_COMMAND})
    unfinished = frozenset(ASKING)

    def owns_choice(self, value: str) -> bool:
        return QuickDealChoice.matches(value)

    def choose(self, conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
        picked = QuickDealChoice.decode(value)
        if picked is None:
            return [stale_choice_answer()]
        if picked.action is QuickDealAction.INVITE:
            return invite.invite(conv, picked.number, ctx)
        return picks.choose(conv, picked, ctx)

    def run(
        self, command: str, argument: str, conv: Conversation, ctx: TurnContext
    ) -> list[Outbound]:
        if not argument.strip():
            return [Outbound("quickdeal.join.usage")]
        return invite.join(conv, argument.strip(), ctx)

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        deal = held_deal(conv, ctx)
        if deal is None or deal.state not in OPEN_STATES:
            conv.reset()
            return [Outbound("quickdeal.closed")]
        code = invite.typed_code(inbound.text) if inbound.kind is InboundKind.TEXT else None
        if code is not None:
            return invite.join(conv, code, ctx)
        if inbound.kind is InboundKind.MEDIA:
            return [*driver.add_photos(deal, inbound, ctx), *driver.ask(conv)]
        if conv.state in ASKING:
            return driver.answer(conv, deal, inbound, ctx)
        return [Outbound("quickdeal.waiting", {"number": deal.claim_number})]

    def cancel(self, conv: Conversation) -> list[Outbound]:
        conv.reset()
        return [Outbound("quickdeal.left")]

    def back(self, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
        return [Outbound("back.nothing"), *self.reprompt(conv)]

    def reprompt(self, conv: Conversation) -> list[Outbound]:
        return driver.ask(conv)

    def help(self, conv: Conversation, ctx: TurnContext) -> str | None:
        return "quickdeal.help"

    def take_idle(
        self, conv: Conversation, inbound: Inbound, ctx: TurnContext
    ) -> list[Outbound] | None:
        code = invite.typed_code(inbound.text) if inbound.kind is InboundKind.TEXT else None
        if code is not None:
            return invite.join(conv, code, ctx)
        return None


QUICK_DEAL = QuickDealDialog()
