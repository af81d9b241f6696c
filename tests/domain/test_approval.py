"""Second approval (核赔) read back from the timeline: what waits, what lapses."""

from __future__ import annotations

from domain.approval import APPROVAL_STEPS, Step, needs_approval
from domain.claim import INTERNAL_ACTIONS
from domain.money import Money


def test_holds_and_verdicts_are_internal_and_the_appeal_is_the_owners() -> None:
    assert {step.value for step in APPROVAL_STEPS} <= INTERNAL_ACTIONS
    assert Step.APPEAL.value not in INTERNAL_ACTIONS
    assert all(len(step.value) <= 20 for step in Step)  # the timeline's action column


def test_only_a_payout_above_the_threshold_waits() -> None:
    threshold = Money.from_yuan("10000.00")
    assert not needs_approval(Money.from_yuan("10000.00"), threshold)
    assert needs_approval(Money.from_yuan("10000.01"), threshold)
