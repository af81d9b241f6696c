"""The report (报案) as the router sees it: ``/report``, the word 报案, the WeChat menu
key REPORT and the "report an accident" button start it or offer to resume it; after
long silence an unfinished report is offered for resumption before anything else."""

from __future__ import annotations

from dialogs import report
from dialogs.conversation import Conversation, TurnContext
from dialogs.dialog import DialogBase, MenuItem, Word
from dialogs.router_slots import pending_media
from messages.choices import START_REPORT
from messages.inbound import Inbound
from messages.outbound import Outbound


class ReportDialog(DialogBase):
    name = report.NAME
    commands = frozenset({"/report"})
    menu_commands = ("report",)
    menu = (MenuItem("REPORT", "wechat.menu.report", "/report"),)
    words = (Word("report", "/report"),)
    start = START_REPORT
    unfinished = report.UNFINISHED  # every step, the summary, the resume offer

    def run(
        self, command: str, argument: str, conv: Conversation, ctx: TurnContext
    ) -> list[Outbound]:
        return self.begin(conv, ctx)

    def begin(self, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
        """A new report (with the evidence sent before it), or the one in progress."""
        if report.is_waiting(conv):
            return report.offer_resume(conv, None, ctx)
        if conv.dialog == report.NAME:
            return report.reprompt(conv)
        return report.begin(conv, ctx, pending_media(conv))

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        if _silent_too_long(conv, ctx) and report.is_waiting(conv):
            return report.offer_resume(conv, inbound, ctx)
        return report.handle(conv, inbound, ctx)

    def cancel(self, conv: Conversation) -> list[Outbound]:
        return report.ask_cancel(conv)  # "放弃本次报案？" first; a second /cancel confirms

    def back(self, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
        return report.go_back(conv, ctx)

    def reprompt(self, conv: Conversation) -> list[Outbound]:
        return report.reprompt(conv)

    def help(self, conv: Conversation, ctx: TurnContext) -> str | None:
        return "help.report"


def _silent_too_long(conv: Conversation, ctx: TurnContext) -> bool:
    return conv.last_activity is not None and ctx.now - conv.last_activity > ctx.resume_after


REPORT = ReportDialog()
