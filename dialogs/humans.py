"""The registry's entry for a person when asked (人工客服): the WeChat menu's 人工 button and
the ``/human`` command; the handoff itself is ``dialogs/human.py``, which the router asks
before any dialog while a person holds the conversation."""

from __future__ import annotations

from dialogs import human
from dialogs.conversation import Conversation, TurnContext
from dialogs.dialog import DialogBase, MenuItem
from messages.inbound import Inbound
from messages.outbound import Outbound


class Human(DialogBase):
    name = human.NAME
    commands = frozenset({"/human"})
    menu = (MenuItem("HUMAN", "wechat.menu.human", "/human"),)

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        return human.handle(conv, inbound, ctx)


HUMAN = Human()
