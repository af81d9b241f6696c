"""快处快赔 invitations nobody used: when the code expires, the owner is told, once.

The invitation arms ``quickdeal_expiry:<claim number>:<code hash prefix>`` at its expiry (a
new invitation replaces it). When due, it re-reads the case: joined or replaced meanwhile
→ nothing; else the case is marked expired and the owner gets a button for a new one. A
driver who sends the code after that is told it expired (``dialogs/quickdeal/invite.py``),
and the owner is not told twice. Not a reminder: ``/mute`` does not silence it; quiet hours
hold it (the owner may be asleep, and nothing is lost by waiting).
"""

from __future__ import annotations

from domain.quick_deal import EXPIRY_TIMER, DealState
from domain.timers import Timer
from messages.choices import quick_deal_invite_choice
from scheduler.booking import contacts
from scheduler.kinds import SEND_LATE, FireContext, Message, Outcome, Send, Skip, TimerKind

QUICKDEAL_EXPIRY = EXPIRY_TIMER
EXPIRED = "quickdeal.owner.expired"


def quickdeal_timer_kind(default_locale: str) -> TimerKind:
    def handler(ctx: FireContext, timer: Timer) -> Outcome:
        number = str(timer.payload.get("number", ""))
        deal = ctx.uow.quick_deals.for_claim_for_update(number)
        if deal is None or deal.code_hash != timer.payload.get("code_hash"):
            return Skip("replaced by a new invitation")
        if deal.state is not DealState.INVITED:
            return Skip(f"case is {deal.state.value}")
        deal.state = DealState.EXPIRED
        ctx.uow.quick_deals.save(deal)
        again = quick_deal_invite_choice(number, "quickdeal.choice.invite_again")
        return Send(
            [
                Message.of(contact, EXPIRED, {"number": number}, (again,))
                for contact in contacts(ctx.uow, deal.owner_id, default_locale)
            ]
        )

    return TimerKind(
        QUICKDEAL_EXPIRY,
        handler,
        SEND_LATE,
        quiet_hours=True,
        mutable=False,
        summary="a 快处快赔 invitation expired unused: the owner is told once",
    )
