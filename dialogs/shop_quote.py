"""The shop's quote (报价) before the repair starts and its final amount at ready.

An amount is typed as people write it (``dialogs.moneyparse``: "2150.5元", "两千一百五",
"1.2万"); a negative, zero or absurd one (over ``BookingRules.max_amount``) is refused
with the same clear answer and changes nothing. The final amount defaults to the quote
with one tap.
"""

from __future__ import annotations

from dialogs.conversation import TurnContext
from dialogs.moneyparse import read_money
from domain.booking import BadQuote, Booking, check_quote
from domain.money import Money
from messages.choices import ChoiceKind, StepChoice
from messages.outbound import Choice, Outbound

SAME = "final:same"  # the final amount is the quote
_MINUS = ("-", "－", "负")


def _s(answer: str) -> str:
    return StepChoice(ChoiceKind.SHOP_STEP, answer).encode()


def read_amount(text: str, ctx: TurnContext) -> Money | None:
    """The amount typed; None when the text is no amount; BadQuote when it is one that
    cannot be charged (negative, zero, over the cap)."""
    cleaned = text.strip()
    negative = cleaned.startswith(_MINUS)
    amount = read_money(cleaned.lstrip("".join(_MINUS)) if negative else cleaned, ctx.lexicon)
    if amount is None:
        return None
    if negative:
        raise BadQuote(max=ctx.booking.max_amount.grouped())
    check_quote(amount, ctx.booking)
    return amount


def ask_quote(booking: Booking) -> Outbound:
    choices = (Choice(_s("quit"), "booking.choice.never_mind"),)
    return Outbound("booking.shop.ask.quote", {"ref": booking.reference}, choices)


def ask_final(booking: Booking) -> Outbound:
    """The final amount: the quote in one tap (when there is one), or another typed."""
    quote = None if booking.quote is None else booking.quote.grouped()
    same = (
        ()
        if quote is None
        else (Choice(_s(SAME), "booking.shop.choice.as_quoted", {"quote": quote}),)
    )
    choices = (*same, Choice(_s("quit"), "booking.choice.never_mind"))
    return Outbound("booking.shop.ask.final", {"ref": booking.reference, "quote": quote}, choices)
