"""What a 小额快赔 turn needs beyond the claim: the price list, the fraud signals, the
record of automatic decisions, and the payment instructions (``domain.small_claim``)."""

from __future__ import annotations

import abc
from datetime import datetime

from domain.claim import Claim
from domain.fast_lane import FastLaneDecision, FastLaneRules
from domain.fraud_signals import FraudSignal
from domain.policy import Policy
from domain.price_list import PriceList
from domain.small_claim import PaymentInstruction


class SmallClaimServices(abc.ABC):
    rules: FastLaneRules

    @abc.abstractmethod
    def price_list(self) -> PriceList: ...

    @abc.abstractmethod
    def fraud_signals(self, claim: Claim, policy: Policy) -> list[FraudSignal]: ...

    @abc.abstractmethod
    def record_decision(self, number: str, decision: FastLaneDecision, at: datetime) -> bool:
        """Record the lane's automatic decision (rule version, inputs); whether it was
        sampled for a supervisor's review."""

    @abc.abstractmethod
    def instruction(self, number: str) -> PaymentInstruction | None: ...

    @abc.abstractmethod
    def add_instruction(self, instruction: PaymentInstruction) -> bool:
        """Record the claim's payment instruction, to be handed to the payment port once the
        turn commits; False when the claim has one already (nothing is written)."""


class PaymentPort(abc.ABC):
    """Where payment instructions go (a file, a webhook; never a real bank here)."""

    @abc.abstractmethod
    def send(self, message: dict[str, object]) -> None:
        """Hand one instruction over; raises when it could not be (it is tried again)."""
