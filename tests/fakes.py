"""Hand-written fakes of the domain's ports, for tests that need no database."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from domain.claim import Claim
from domain.money import Money
from domain.policy import Coverage, Policy, Vehicle, normalize_plate
from domain.ports import ClaimRepository, PolicyRepository, UnitOfWork

SAMPLE_POLICY = Policy(
    number="PDAA20260001",
    plate="沪A12345",
    holder="张伟",
    phone="13800138001",
    vehicle=Vehicle("Volkswagen", "Passat", 2021, "LSVAA4180M2000001"),
    coverage=Coverage(Money.from_yuan("180000.00"), Money.from_yuan("2000000.00"), Money(0)),
    valid_from=date(2026, 3, 1),
    valid_to=date(2027, 2, 28),
)


class FakePolicyRepository(PolicyRepository):
    def __init__(self, policies: list[Policy]) -> None:
        self._policies = list(policies)

    def by_plate(self, plate: str) -> Policy | None:
        wanted = normalize_plate(plate)
        return next((p for p in self._policies if p.plate == wanted), None)

    def by_number(self, number: str) -> Policy | None:
        return next((p for p in self._policies if p.number == number), None)


class FakeClaimRepository(ClaimRepository):
    def __init__(self) -> None:
        self.claims: dict[str, Claim] = {}
        self._sequences: defaultdict[date, int] = defaultdict(int)

    def add(self, claim: Claim) -> None:
        self.claims[claim.number] = claim

    def get(self, number: str) -> Claim | None:
        return self.claims.get(number)

    def next_sequence(self, day: date) -> int:
        self._sequences[day] += 1
        return self._sequences[day]


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, policies: list[Policy] | None = None) -> None:
        self.policies = FakePolicyRepository(policies if policies is not None else [SAMPLE_POLICY])
        self.claims = FakeClaimRepository()


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta
