"""What the domain needs from storage: small repositories behind one unit of work.

The caller that opened the unit of work owns the transaction: services record changes
and never commit, so that a dialog turn, its state and its outbox land together.
"""

from __future__ import annotations

import abc
from datetime import date

from domain.claim import Claim
from domain.policy import Policy


class PolicyRepository(abc.ABC):
    @abc.abstractmethod
    def by_plate(self, plate: str) -> Policy | None: ...

    @abc.abstractmethod
    def by_number(self, number: str) -> Policy | None: ...


class ClaimRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, claim: Claim) -> None: ...

    @abc.abstractmethod
    def get(self, number: str) -> Claim | None: ...

    @abc.abstractmethod
    def next_sequence(self, day: date) -> int:
        """The next claim sequence number of a (local) day, starting at 1."""


class UnitOfWork(abc.ABC):
    policies: PolicyRepository
    claims: ClaimRepository
