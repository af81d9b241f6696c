"""Button values, encoded and read back in one place.

A button's value travels through the channel (Telegram's callback data, a WeChat numbered
reply or menu item, the web chat) and comes back as the text of a CHOICE inbound. Each
kind of button is a frozen dataclass here: ``encode()`` gives the value, ``decode(value)``
reads it back (None when the value is not of that kind or is malformed), ``matches(value)``
tells the kind by its prefix alone. Values stay at most 64 bytes (``Choice`` checks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from messages.outbound import Choice

SEP = ":"


class ChoiceKind(StrEnum):
    """The prefix of each kind of value."""

    CLAIM = "c"  # a claim's buttons: take, accept or dispute a proposal
    BOOKING = "bk"  # the owner's buttons on a booking
    SHOP = "sh"  # the shop staff's buttons on a booking
    REPORT = "r"  # an answer to a step of the report dialog
    BOOKING_STEP = "b"  # an answer to a step of the owner's booking dialog
    SHOP_STEP = "s"  # an answer to a step of the shop staff's dialog
    DISPUTE_STEP = "d"  # an answer while a dispute's reason is awaited
    APPROVAL = "ap"  # second approval (核赔) and appeal: approve, send back, appeal
    DOCUMENT = "dc"  # the owner files an upload against a checklist item
    START = "start"  # starts a dialog
    ACCIDENT = "ac"  # an adjuster's buttons on a claim's accident record
    QUICK_DEAL = "q"  # 快处快赔: the invitation and both drivers' picks and confirmations
    STAFF_WORDS = "sw"  # shop staff's typed words ("确认"): which waiting request they meant
    HANDOFF = "h"  # the owner's buttons while a person has the conversation
    CONSENT = "consent"  # the answer to the privacy notice
    SMALL_CLAIM = "f"  # 小额快赔: the offer, the parts, the payee and the proposal
    CLAIM_STEP = "cs"  # an adjuster's next step on a claim, as a button (远程查勘, 录入定损)


def _has_prefix(value: str, kind: ChoiceKind) -> bool:
    return value.startswith(kind + SEP)


def _encode(kind: ChoiceKind, *parts: object, last: str = "") -> str:
    """``<kind>:<part>:…``, then ``:<last>`` when there is one."""
    return SEP.join([kind, *(str(part) for part in parts), *([last] if last else [])])


# --- buttons that name their subject (checked against it, not against the last offer) ----


class ClaimAction(StrEnum):
    TAKE = "take"
    ACCEPT = "acc"
    DISPUTE = "dis"


@dataclass(frozen=True)
class ClaimChoice:
    """``c:take:<number>``, ``c:acc:<number>:<version>``, ``c:dis:<number>:<version>``: the
    version is the settlement proposal's, so a button of a replaced proposal is stale."""

    action: ClaimAction
    number: str
    version: int | None = None

    def encode(self) -> str:
        version = "" if self.version is None else str(self.version)
        return _encode(ChoiceKind.CLAIM, self.action, self.number, last=version)

    @staticmethod
    def matches(value: str) -> bool:
        return _has_prefix(value, ChoiceKind.CLAIM)

    @classmethod
    def decode(cls, value: str) -> ClaimChoice | None:
        match value.split(SEP):
            case [ChoiceKind.CLAIM, ClaimAction.TAKE, number]:
                return cls(ClaimAction.TAKE, number)
            case [ChoiceKind.CLAIM, "acc" | "dis" as action, number, version] if version.isdigit():
                return cls(ClaimAction(action), number, int(version))
        return None


class AccidentAction(StrEnum):
    VIEW = "view"  # show the accident's parties, losses, ratios and options
    SUBROGATION = "sub"  # turn 代位求偿 on or off


@dataclass(frozen=True)
class AccidentChoice:
    """``ac:<action>:<number>``: the adjuster's buttons on a claim's accident record."""

    action: AccidentAction
    number: str

    def encode(self) -> str:
        return _encode(ChoiceKind.ACCIDENT, self.action, self.number)

    @staticmethod
    def matches(value: str) -> bool:
        return _has_prefix(value, ChoiceKind.ACCIDENT)

    @classmethod
    def decode(cls, value: str) -> AccidentChoice | None:
        match value.split(SEP):
            case [ChoiceKind.ACCIDENT, action, number] if action in set(AccidentAction):
                return cls(AccidentAction(action), number)
        return None


class ApprovalAction(StrEnum):
    APPROVE = "ok"
    SEND_BACK = "back"
    APPEAL = "appeal"
    CANCEL = "cancel"  # stop giving a reason (send back, appeal)


@dataclass(frozen=True)
class ApprovalChoice:
    """``ap:ok:<number>``, ``ap:back:<number>`` (a supervisor's), ``ap:appeal:<number>``
    (the owner's): checked against what the claim waits for when tapped."""

    action: ApprovalAction
    number: str

    def encode(self) -> str:
        return _encode(ChoiceKind.APPROVAL, self.action, last=self.number)

    @staticmethod
    def matches(value: str) -> bool:
        return _has_prefix(value, ChoiceKind.APPROVAL)

    @classmethod
    def decode(cls, value: str) -> ApprovalChoice | None:
        parts = value.split(SEP)
        if len(parts) != 3 or parts[0] != ChoiceKind.APPROVAL:
            return None
        if parts[1] not in {a.value for a in ApprovalAction} or not parts[2]:
            return None
        return cls(ApprovalAction(parts[1]), parts[2])


class ClaimStep(StrEnum):
    SURVEY_REMOTE = "remote"  # done at the tap
    SURVEY_ONSITE = "onsite"  # then the time and place are asked
    LIABILITY = "liability"  # then the grade or ratio is asked
    LOSS = "loss"  # then one loss item is asked
    PAY_OWNER = "owner"  # the proposal, paid to the owner: done at the tap
    PAY_SHOP = "shop"  # the proposal, paid to the shop: done at the tap
    PAID = "paid"  # then the amount paid and its reference are asked
    DOCS_OWNER = "docs_owner"  # the documents checklist sent to the owner, paid to them
    DOCS_SHOP = "docs_shop"  # the same, paid to the shop (its invoice)
    CANCEL = "cancel"  # stop waiting for what was asked


@dataclass(frozen=True)
class ClaimStepChoice:
    """``cs:<step>:<number>``: an adjuster's next step on a claim; checked against the
    claim's stage when tapped, like the command it stands for."""

    step: ClaimStep
    number: str

    def encode(self) -> str:
        return _encode(ChoiceKind.CLAIM_STEP, self.step, last=self.number)

    @staticmethod
    def matches(value: str) -> bool:
        return _has_prefix(value, ChoiceKind.CLAIM_STEP)

    @classmethod
    def decode(cls, value: str) -> ClaimStepChoice | None:
        match value.split(SEP):
            case [ChoiceKind.CLAIM_STEP, step, number] if step in set(ClaimStep) and number:
                return cls(ClaimStep(step), number)
        return None


@dataclass(frozen=True)
class DocumentChoice:
    """``dc:<number>:<item>``: file the uploads just sent as this checklist item
    (``dc:<number>:cancel`` keeps them unfiled)."""

    number: str
    item: str

    def encode(self) -> str:
        return _encode(ChoiceKind.DOCUMENT, self.number, last=self.item)

    @staticmethod
    def matches(value: str) -> bool:
        return _has_prefix(value, ChoiceKind.DOCUMENT)

    @classmethod
    def decode(cls, value: str) -> DocumentChoice | None:
        parts = value.split(SEP)
        if len(parts) != 3 or parts[0] != ChoiceKind.DOCUMENT or not parts[1] or not parts[2]:
            return None
        return cls(parts[1], parts[2])


@dataclass(frozen=True)
class BookingChoice:
    """``bk:<booking id>:<action>[:<argument>]``: the owner's buttons on a booking."""

    booking_id: int
    action: str
    argument: str = ""

    def encode(self) -> str:
        return _encode(ChoiceKind.BOOKING, self.booking_id, self.action, last=self.argument)

    @staticmethod
    def matches(value: str) -> bool:
        return _has_prefix(value, ChoiceKind.BOOKING)

    @classmethod
    def decode(cls, value: str) -> BookingChoice | None:
        parts = value.split(SEP, 3)
        if parts[0] != ChoiceKind.BOOKING or len(parts) < 3 or not parts[1].isdigit():
            return None
        return cls(int(parts[1]), parts[2], parts[3] if len(parts) == 4 else "")


@dataclass(frozen=True)
class ShopChoice:
    """``sh:<booking id>:<action>``: the shop staff's buttons on a booking."""

    booking_id: int
    action: str

    def encode(self) -> str:
        return _encode(ChoiceKind.SHOP, self.booking_id, self.action)

    @staticmethod
    def matches(value: str) -> bool:
        return _has_prefix(value, ChoiceKind.SHOP)

    @classmethod
    def decode(cls, value: str) -> ShopChoice | None:
        parts = value.split(SEP)
        if parts[0] != ChoiceKind.SHOP or len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(int(parts[1]), parts[2])


class QuickDealAction(StrEnum):
    INVITE = "inv"  # the owner asks for an invitation
    SITUATION = "sit"  # <situation>: what happened
    CAR = "car"  # <situation>.<a|b>: which car the situation names
    CONFIRM = "ok"
    DECLINE = "no"
    SAME = "same"  # the same pick as the other driver's, in one tap


@dataclass(frozen=True)
class QuickDealChoice:
    """``q:<action>:<claim number>[:<argument>]``: checked against the 快处快赔 case of the
    claim and the sender's part in it, since either driver may tap it on a card the other
    driver's turn sent."""

    action: QuickDealAction
    number: str
    argument: str = ""

    def encode(self) -> str:
        return _encode(ChoiceKind.QUICK_DEAL, self.action, self.number, last=self.argument)

    @staticmethod
    def matches(value: str) -> bool:
        return _has_prefix(value, ChoiceKind.QUICK_DEAL)

    @classmethod
    def decode(cls, value: str) -> QuickDealChoice | None:
        parts = value.split(SEP, 3)
        if parts[0] != ChoiceKind.QUICK_DEAL or len(parts) < 3:
            return None
        if parts[1] not in {action.value for action in QuickDealAction}:
            return None
        return cls(QuickDealAction(parts[1]), parts[2], parts[3] if len(parts) == 4 else "")


class SmallClaimAction(StrEnum):
    START = "go"  # nothing outside the vehicles damaged: start
    OUTSIDE = "out"  # something outside the vehicles damaged: to an adjuster
    PART = "part"  # pick (or drop) a part of the short list
    DONE = "done"  # the parts are picked
    NOT_LISTED = "nl"  # a damaged part is not on the list
    CARD_OK = "card"  # the payee's card, as shown masked, is right
    CARD_AGAIN = "again"  # type the card again
    ACCEPT = "acc"  # accept proposal <argument: version>
    PERSON = "adj"  # the owner would rather have an adjuster


@dataclass(frozen=True)
class SmallClaimChoice:
    """``f:<action>:<claim number>[:<argument>]``: checked against the claim and its owner."""

    action: SmallClaimAction
    number: str
    argument: str = ""

    def encode(self) -> str:
        return _encode(ChoiceKind.SMALL_CLAIM, self.action, self.number, last=self.argument)

    @staticmethod
    def matches(value: str) -> bool:
        return _has_prefix(value, ChoiceKind.SMALL_CLAIM)

    @classmethod
    def decode(cls, value: str) -> SmallClaimChoice | None:
        parts = value.split(SEP, 3)
        if parts[0] != ChoiceKind.SMALL_CLAIM or len(parts) < 3:
            return None
        if parts[1] not in {action.value for action in SmallClaimAction}:
            return None
        return cls(SmallClaimAction(parts[1]), parts[2], parts[3] if len(parts) == 4 else "")


# --- answers to a dialog's current step (valid only while offered) -----------------------


@dataclass(frozen=True)
class ReportChoice:
    """``r:<step>:<answer>``: an answer to a step of the report dialog."""

    step: str
    answer: str

    def encode(self) -> str:
        return _encode(ChoiceKind.REPORT, self.step, self.answer)

    @classmethod
    def decode(cls, value: str) -> ReportChoice | None:
        parts = value.split(SEP, 2)
        if parts[0] != ChoiceKind.REPORT or len(parts) != 3:
            return None
        return cls(parts[1], parts[2])


@dataclass(frozen=True)
class StepChoice:
    """``<prefix>:<answer>``: an answer to the current step of the owner's booking dialog
    (``b:``), the shop staff's (``s:``) or a dispute (``d:``). The answer may name what it
    picks (``shop:<code>``): that is the dialog's own business."""

    kind: ChoiceKind
    answer: str

    def encode(self) -> str:
        return _encode(self.kind, self.answer)

    @classmethod
    def decode(cls, kind: ChoiceKind, value: str) -> StepChoice | None:
        if kind not in STEP_KINDS or not _has_prefix(value, kind):
            return None
        return cls(kind, value[len(kind) + 1 :])


STEP_KINDS = frozenset({ChoiceKind.BOOKING_STEP, ChoiceKind.SHOP_STEP, ChoiceKind.DISPUTE_STEP})


# --- buttons that start a dialog ----------------------------------------------------------


@dataclass(frozen=True)
class StartChoice:
    """``start:<dialog>[:<argument>]``: ``start:report``; ``start:book``,
    ``start:book:maint``, ``start:book:<claim number>``."""

    dialog: str
    argument: str = ""

    def encode(self) -> str:
        return _encode(ChoiceKind.START, self.dialog, last=self.argument)

    @classmethod
    def decode(cls, value: str) -> StartChoice | None:
        parts = value.split(SEP, 2)
        if parts[0] != ChoiceKind.START or len(parts) < 2:
            return None
        return cls(parts[1], parts[2] if len(parts) == 3 else "")


START_REPORT = StartChoice("report")
START_BOOKING = StartChoice("book")
START_MAINTENANCE = StartChoice("book", "maint")
START_STATUS = StartChoice("status")  # the opening menu's "my claims" (runs /status)
START_HUMAN = StartChoice("human")  # the opening menu's "a person, please" (runs /human)


# --- buttons of the router's own steps ------------------------------------------------------


@dataclass(frozen=True)
class StaffWordsChoice:
    """``sw:<booking id>``: the waiting request shop staff meant by their typed words,
    picked by plate when more than one waits."""

    booking_id: int

    def encode(self) -> str:
        return _encode(ChoiceKind.STAFF_WORDS, self.booking_id)

    @staticmethod
    def matches(value: str) -> bool:
        return _has_prefix(value, ChoiceKind.STAFF_WORDS)

    @classmethod
    def decode(cls, value: str) -> StaffWordsChoice | None:
        parts = value.split(SEP)
        if len(parts) != 2 or parts[0] != ChoiceKind.STAFF_WORDS or not parts[1].isdigit():
            return None
        return cls(int(parts[1]))


class HandoffAction(StrEnum):
    END = "end"  # 结束人工: hand the conversation back to the bot


@dataclass(frozen=True)
class HandoffChoice:
    """``h:<action>``: the owner's buttons while waiting for or talking to a person."""

    action: HandoffAction

    def encode(self) -> str:
        return _encode(ChoiceKind.HANDOFF, self.action)

    @classmethod
    def decode(cls, value: str) -> HandoffChoice | None:
        match value.split(SEP):
            case [ChoiceKind.HANDOFF, action] if action in set(HandoffAction):
                return cls(HandoffAction(action))
        return None


END_HANDOFF = HandoffChoice(HandoffAction.END)


class ConsentAnswer(StrEnum):
    AGREE = "agree"
    DECLINE = "decline"
    CHINESE = "zh"  # the notice again, in this language
    ENGLISH = "en"


@dataclass(frozen=True)
class ConsentChoice:
    """``consent:agree`` / ``consent:decline``: the answer to the privacy notice;
    ``consent:zh`` / ``consent:en``: the notice in the other language, before answering."""

    answer: ConsentAnswer

    def encode(self) -> str:
        return _encode(ChoiceKind.CONSENT, self.answer)

    @classmethod
    def decode(cls, value: str) -> ConsentChoice | None:
        match value.split(SEP):
            case [ChoiceKind.CONSENT, answer] if answer in set(ConsentAnswer):
                return cls(ConsentAnswer(answer))
        return None


CONSENT_AGREE = ConsentChoice(ConsentAnswer.AGREE)
CONSENT_DECLINE = ConsentChoice(ConsentAnswer.DECLINE)
CONSENT_IN_CHINESE = ConsentChoice(ConsentAnswer.CHINESE)
CONSENT_IN_ENGLISH = ConsentChoice(ConsentAnswer.ENGLISH)


# --- the buttons of a booking, for whoever writes a message about one ----------------------

Offer = tuple[str, str, str]  # action, argument, label key (see domain.booking_params)


def owner_booking_choices(
    booking_id: int, reference: str, offers: Iterable[Offer]
) -> tuple[Choice, ...]:
    params = {"ref": reference}
    return tuple(
        Choice(BookingChoice(booking_id, action, argument).encode(), label, params)
        for action, argument, label in offers
    )


def staff_booking_choices(
    booking_id: int, reference: str, offers: Iterable[Offer]
) -> tuple[Choice, ...]:
    params = {"ref": reference}
    return tuple(
        Choice(ShopChoice(booking_id, action).encode(), label, params)
        for action, _argument, label in offers
    )


def alternative_shop_choices(
    booking_id: int, shops: Iterable[tuple[str, Mapping[str, Any]]]
) -> tuple[Choice, ...]:
    """After a decline or an expiry: each next shop (code, its parameters) a button."""
    return tuple(
        Choice(BookingChoice(booking_id, "alt", code).encode(), "booking.choice.shop", params)
        for code, params in shops
    )


def quick_deal_invite_choice(number: str, label_key: str = "quickdeal.choice.invite") -> Choice:
    """The owner's button for a (new) 快处快赔 invitation, for whoever offers one: the
    report's end, the expired invitation's notice (a driver's turn or the scheduler)."""
    return Choice(QuickDealChoice(QuickDealAction.INVITE, number).encode(), label_key)
