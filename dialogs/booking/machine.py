"""The owner's booking dialog (维修预约): what for, where from, which shop, which time.

``/book`` (the word 预约, the WeChat menu key BOOK, or a ``start:book:<claim>`` button)
starts it. A claim repair needs an assessed claim of the owner's; a maintenance booking
needs a car the owner has shown is theirs (a claim's policy, or plate plus the policy
check the report uses). Shops are ranked from the accident location, or from a location
the owner shares (any time); then the owner picks a shop, a slot and sends the request.

After that the booking is worked from buttons that name it (``bk:<id>:<action>``): they
may arrive in notices sent from the shop's turns, so they are checked against the
booking, not against the conversation's last offer. The few steps that wait for typed
text (a problem at handover, the amount paid, a comment) are states of this dialog too.

One Machine serves every conversation (see dialogs/report/machine.py).
"""

from __future__ import annotations

from collections.abc import Callable

from transitions import Machine

from dialogs.booking.slots import keep, load
from dialogs.conversation import IDLE, Conversation, TurnContext
from dialogs.machines import fire
from messages.choices import ChoiceKind, StepChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Outbound

NAME = "booking"
VEHICLE, CHECK, LOCATE, SHOPS, SLOTS, REVIEW = (
    "vehicle",
    "check",
    "locate",
    "shops",
    "slots",
    "review",
)
PROBLEM, AMOUNT, COMMENT = "problem", "amount", "comment"
STATES = [IDLE, VEHICLE, CHECK, LOCATE, SHOPS, SLOTS, REVIEW, PROBLEM, AMOUNT, COMMENT]
NEAR_KM = 10.0
MAX_ORDER = 50  # shop codes remembered to tell whether a shared location reordered them

MACHINE = Machine(
    model=None,
    states=STATES,
    transitions=[
        {"trigger": "to_vehicle", "source": [IDLE, VEHICLE, CHECK, LOCATE], "dest": VEHICLE},
        {"trigger": "to_check", "source": [VEHICLE, CHECK], "dest": CHECK},
        {"trigger": "to_locate", "source": [IDLE, VEHICLE, CHECK, LOCATE, SHOPS], "dest": LOCATE},
        {
            "trigger": "to_shops",
            "source": [IDLE, VEHICLE, CHECK, LOCATE, SHOPS, SLOTS, REVIEW],
            "dest": SHOPS,
        },
        {"trigger": "to_slots", "source": [IDLE, SHOPS, SLOTS, REVIEW], "dest": SLOTS},
        {"trigger": "to_review", "source": [SLOTS, REVIEW], "dest": REVIEW},
        # A booking's button that waits for typed text starts afresh (see _await_text)
        {"trigger": "to_problem", "source": IDLE, "dest": PROBLEM},
        {"trigger": "to_amount", "source": IDLE, "dest": AMOUNT},
        {"trigger": "to_comment", "source": IDLE, "dest": COMMENT},
        {"trigger": "leave", "source": "*", "dest": IDLE},
    ],
    initial=IDLE,
    auto_transitions=False,
)


def move(conv: Conversation, trigger: str) -> None:
    """Fire ``trigger`` on this dialog's machine (dialogs.machines)."""
    fire(MACHINE, conv, trigger)


def _go(conv: Conversation, trigger: str) -> None:
    """Enter this dialog (if not in it) and fire ``trigger``."""
    if conv.dialog != NAME:
        conv.dialog = NAME
        conv.state = IDLE
    move(conv, trigger)


def _leave(conv: Conversation) -> None:
    if conv.dialog == NAME:
        move(conv, "leave")
    conv.reset()


def is_busy(conv: Conversation) -> bool:
    """Another dialog (a report, a dispute) is in progress: it is not silently dropped."""
    return conv.dialog not in (None, NAME)


def _busy() -> list[Outbound]:
    return [Outbound("booking.refusal.busy")]


def reprompt(conv: Conversation) -> list[Outbound]:
    """The question the dialog waits on, as last asked."""
    prompt = load(conv).prompt
    return [Outbound.from_payload(prompt)] if prompt else []


def _prompt(conv: Conversation, question: Outbound) -> Outbound:
    slots = load(conv)
    slots.prompt = question.to_payload()
    keep(conv, slots)
    return question


Step = Callable[[Conversation, str | None, Inbound, TurnContext], list[Outbound]]


def _b(answer: str) -> str:
    return StepChoice(ChoiceKind.BOOKING_STEP, answer).encode()


def _answer(inbound: Inbound) -> str | None:
    """The part after ``b:`` of a tapped dialog button; None for anything typed."""
    choice = inbound.kind is InboundKind.CHOICE
    step = StepChoice.decode(ChoiceKind.BOOKING_STEP, inbound.text) if choice else None
    return None if step is None else step.answer


def _target(conv: Conversation) -> int:
    booking = load(conv).booking
    assert booking is not None  # set with the state that waits for the text
    return booking
