"""The standard accident list: ratios per item, and whether two drivers' picks agree."""

from __future__ import annotations

import pytest

from domain.accident_situations import (
    RULES,
    STANDARD_SITUATIONS,
    AccidentParty,
    AgreedLiability,
    Disagreement,
    Pick,
    Situation,
    compare_picks,
    liability_of,
)
from domain.adjudication import Liability

A, B = AccidentParty.A, AccidentParty.B


def test_every_situation_is_on_the_list_once_and_shares_add_up() -> None:
    assert [rule.situation for rule in STANDARD_SITUATIONS] == list(Situation)
    for rule in STANDARD_SITUATIONS:
        at_fault = A if rule.names_party else None
        shares = rule.shares(at_fault)
        assert shares[A] + shares[B] == 100


@pytest.mark.parametrize(
    ("situation", "at_fault", "grade_a", "grade_b"),
    [
        (Situation.REAR_END, B, Liability.NONE, Liability.FULL),  # B was behind
        (Situation.LANE_CHANGE, A, Liability.FULL, Liability.NONE),
        (Situation.REVERSING, A, Liability.FULL, Liability.NONE),
        (Situation.DOOR_OPENING, B, Liability.NONE, Liability.FULL),
        (Situation.WRONG_WAY, A, Liability.FULL, Liability.NONE),
        (Situation.FAILED_TO_YIELD, B, Liability.NONE, Liability.FULL),
        (Situation.BOTH_AT_FAULT, None, Liability.EQUAL, Liability.EQUAL),
    ],
)
def test_liability_follows_the_situation(
    situation: Situation, at_fault: AccidentParty | None, grade_a: Liability, grade_b: Liability
) -> None:
    agreed = liability_of(situation, at_fault)
    assert (agreed.of(A).grade, agreed.of(B).grade) == (grade_a, grade_b)
    assert agreed.of(A).share + agreed.of(B).share == 100


def test_two_drivers_naming_the_same_car_agree() -> None:
    owner = Pick(A, Situation.REAR_END, at_fault=B)
    other = Pick(B, Situation.REAR_END, at_fault=B)
    result = compare_picks(owner, other)
    assert isinstance(result, AgreedLiability)
    assert result.of(B).share == 100 and result.of(A).share == 0
    assert compare_picks(other, owner) == result


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        (Pick(A, Situation.REAR_END, B), None, Disagreement.MISSING),
        (Pick(A, Situation.REAR_END, B), Pick(A, Situation.REAR_END, B), Disagreement.SAME_DRIVER),
        (Pick(A, Situation.REAR_END, B), Pick(B, Situation.LANE_CHANGE, A), Disagreement.SITUATION),
        (Pick(A, Situation.REAR_END, B), Pick(B, Situation.REAR_END, A), Disagreement.PARTY),
        (Pick(A, Situation.BOTH_AT_FAULT), Pick(B, Situation.REVERSING, A), Disagreement.SITUATION),
    ],
)
def test_picks_that_differ_do_not_agree(
    first: Pick | None, second: Pick | None, why: Disagreement
) -> None:
    assert compare_picks(first, second) is why


def test_a_pick_names_a_car_exactly_when_the_situation_does() -> None:
    with pytest.raises(ValueError):
        Pick(A, Situation.REAR_END)
    with pytest.raises(ValueError):
        Pick(A, Situation.BOTH_AT_FAULT, at_fault=B)
    assert not RULES[Situation.BOTH_AT_FAULT].names_party
