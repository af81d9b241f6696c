"""Hand-written fakes of the domain's ports, for tests that need no database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from domain.attempts import CLEAR, AttemptRule, AttemptState, AttemptStore, current
from domain.claim import Claim, ClaimStatus
from domain.money import Money
from domain.policy import Coverage, Policy, Vehicle, normalize_plate
from domain.ports import ClaimRepository, PolicyRepository, StaffRepository, UnitOfWork
from domain.staff import Adjuster, Invite

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

    def get_for_update(self, number: str) -> Claim | None:
        return self.claims.get(number)

    def save(self, claim: Claim) -> None:
        self.claims[claim.number] = claim

    def for_owner(self, party_id: int) -> list[Claim]:
        mine = [c for c in self.claims.values() if c.owner_id == party_id]
        return sorted(mine, key=lambda c: c.reported_at)

    def open_for_adjuster(self, adjuster_id: int) -> list[Claim]:
        mine = [c for c in self.claims.values() if c.adjuster_id == adjuster_id and not c.closed]
        return sorted(mine, key=lambda c: (not c.urgent, c.reported_at))

    def unassigned(self, limit: int) -> list[Claim]:
        waiting = [
            c
            for c in self.claims.values()
            if c.adjuster_id is None and c.status is ClaimStatus.REPORTED
        ]
        return sorted(waiting, key=lambda c: (not c.urgent, c.reported_at))[:limit]

    def owners_of_media(self, media_id: int) -> set[int]:
        return {
            c.owner_id
            for c in self.claims.values()
            if any(item.media_id == media_id for item in c.report.evidence)
        }

    def next_sequence(self, day: date) -> int:
        self._sequences[day] += 1
        return self._sequences[day]


class FakeStaffRepository(StaffRepository):
    def __init__(
        self, adjusters: list[Adjuster] | None = None, regions: dict[str, str] | None = None
    ) -> None:
        self.by_id: dict[int, Adjuster] = {a.id: a for a in adjusters or []}
        self.regions = dict(regions or {})  # policy number -> region
        self.invites: dict[str, Invite] = {}
        self.used_by: dict[str, int] = {}

    def adjuster_for_party(self, party_id: int) -> Adjuster | None:
        return next((a for a in self.by_id.values() if a.party_id == party_id), None)

    def adjuster(self, adjuster_id: int) -> Adjuster | None:
        return self.by_id.get(adjuster_id)

    def adjuster_by_code(self, code: str) -> Adjuster | None:
        return next((a for a in self.by_id.values() if a.code == code), None)

    def adjusters(self) -> list[Adjuster]:
        return sorted(self.by_id.values(), key=lambda a: a.id)

    def bind_adjuster(self, code: str, name: str, region: str | None, party_id: int) -> Adjuster:
        current = self.adjuster_by_code(code)
        adjuster_id = current.id if current else max(self.by_id, default=0) + 1
        kept = current.region if current and region is None else region
        self.by_id[adjuster_id] = Adjuster(adjuster_id, code, name, kept, party_id)
        return self.by_id[adjuster_id]

    def region_of_policy(self, policy_number: str) -> str | None:
        return self.regions.get(policy_number)

    def add_invite(self, invite: Invite) -> None:
        self.invites[invite.code_hash] = invite

    def invite_for_update(self, code_hash: str) -> Invite | None:
        return self.invites.get(code_hash)

    def use_invite(self, code_hash: str, party_id: int, at: datetime) -> None:
        self.invites[code_hash] = replace(self.invites[code_hash], used_at=at)
        self.used_by[code_hash] = party_id


class FakeAttemptStore(AttemptStore):
    def __init__(self) -> None:
        self.rows: dict[str, tuple[datetime, AttemptState]] = {}

    def state(self, key: str, rule: AttemptRule, now: datetime) -> AttemptState:
        if key not in self.rows:
            return CLEAR
        start, stored = self.rows[key]
        return current(stored, start, rule, now)

    def fail(self, key: str, rule: AttemptRule, now: datetime) -> AttemptState:
        start, stored = self.rows.get(key, (now, CLEAR))
        if now - start >= rule.window:
            start, stored = now, CLEAR
        failures = stored.failures + 1
        blocked = now + rule.cooldown if failures >= rule.limit else stored.blocked_until
        self.rows[key] = (start, AttemptState(failures, blocked))
        return current(self.rows[key][1], start, rule, now)


class FakeUnitOfWork(UnitOfWork):
    def __init__(
        self, policies: list[Policy] | None = None, adjusters: list[Adjuster] | None = None
    ) -> None:
        self.policies = FakePolicyRepository(policies if policies is not None else [SAMPLE_POLICY])
        self.claims = FakeClaimRepository()
        self.staff = FakeStaffRepository(adjusters)
        self.attempts = FakeAttemptStore()


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta
