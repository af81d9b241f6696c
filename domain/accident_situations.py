"""The standard list of what happened in a two-car collision (快处快赔), and liability from it.

Under 快处快赔 (the 12123 quick handling of property-only accidents, 《道路交通事故处理程序
规定》 chapter 4, 自行协商) both drivers pick what happened from a fixed list of situations;
each situation names the party at fault and fixes the liability. The list is data: each
item says whether one party is at fault (that party 全责, the other 无责) or both are
(同责). See docs/fastlane.md for the sources.

The two vehicles are party A (who reported and invited) and party B (the invited driver).
Each driver picks a situation and, where it names one, which car it was; the picks agree
when both name the same situation and the same car.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.adjudication import Liability


class AccidentParty(StrEnum):
    A = "a"  # the reporting owner, who invited the other driver
    B = "b"  # the invited driver

    @property
    def other(self) -> AccidentParty:
        return AccidentParty.B if self is AccidentParty.A else AccidentParty.A


class Situation(StrEnum):
    """Labels: ``fastlane.situation.<value>`` (locales/*/fastlane.yaml)."""

    REAR_END = "rear_end"  # 追尾：后车全责
    LANE_CHANGE = "lane_change"  # 变更车道：变道方全责
    REVERSING = "reversing"  # 倒车：倒车方全责
    ROLLING = "rolling"  # 溜车：溜车方全责
    DOOR_OPENING = "door_opening"  # 开关车门：开门方全责
    WRONG_WAY = "wrong_way"  # 逆行：逆行方全责
    FAILED_TO_YIELD = "failed_to_yield"  # 未按规定让行：未让行方全责
    SIGNAL_VIOLATION = "signal_violation"  # 违反交通信号（闯红灯等）：违反方全责
    U_TURN = "u_turn"  # 违规掉头：掉头方全责
    HIT_PARKED = "hit_parked"  # 撞上依法停放的车辆：行驶方全责
    BOTH_AT_FAULT = "both_at_fault"  # 双方都有过错：同等责任


@dataclass(frozen=True)
class SituationRule:
    """One item of the list: whether it names the party at fault, and the shares (percent)."""

    situation: Situation
    names_party: bool  # True: the driver says which car (the one behind, the one reversing…)
    at_fault_share: int  # the named party's share; the other has 100 minus it
    shared: int = 50  # both at fault: each party's share

    def shares(self, at_fault: AccidentParty | None) -> dict[AccidentParty, int]:
        if not self.names_party:
            return {AccidentParty.A: self.shared, AccidentParty.B: 100 - self.shared}
        if at_fault is None:
            raise ValueError(f"{self.situation} names the party at fault")
        return {at_fault: self.at_fault_share, at_fault.other: 100 - self.at_fault_share}


# The standard list, in the order it is offered. Every named situation is 全责 / 无责.
STANDARD_SITUATIONS: tuple[SituationRule, ...] = (
    SituationRule(Situation.REAR_END, True, 100),
    SituationRule(Situation.LANE_CHANGE, True, 100),
    SituationRule(Situation.REVERSING, True, 100),
    SituationRule(Situation.ROLLING, True, 100),
    SituationRule(Situation.DOOR_OPENING, True, 100),
    SituationRule(Situation.WRONG_WAY, True, 100),
    SituationRule(Situation.FAILED_TO_YIELD, True, 100),
    SituationRule(Situation.SIGNAL_VIOLATION, True, 100),
    SituationRule(Situation.U_TURN, True, 100),
    SituationRule(Situation.HIT_PARKED, True, 100),
    SituationRule(Situation.BOTH_AT_FAULT, False, 100),
)
RULES: dict[Situation, SituationRule] = {rule.situation: rule for rule in STANDARD_SITUATIONS}


def grade_for_share(share: int) -> Liability:
    """The liability grade a share stands for (100 全责, 70 主责, 50 同责, 30 次责, 0 无责)."""
    if share >= 100:
        return Liability.FULL
    if share <= 0:
        return Liability.NONE
    if share == 50:
        return Liability.EQUAL
    return Liability.MAJOR if share > 50 else Liability.MINOR


@dataclass(frozen=True)
class Pick:
    """One driver's answer: what happened, and (where the situation names one) which car."""

    by: AccidentParty
    situation: Situation
    at_fault: AccidentParty | None = None

    def __post_init__(self) -> None:
        names_party = RULES[self.situation].names_party
        if names_party and self.at_fault is None:
            raise ValueError(f"{self.situation}: which car is needed")
        if not names_party and self.at_fault is not None:
            raise ValueError(f"{self.situation}: no car is named")


@dataclass(frozen=True)
class PartyLiability:
    party: AccidentParty
    share: int
    grade: Liability


@dataclass(frozen=True)
class AgreedLiability:
    situation: Situation
    at_fault: AccidentParty | None
    parties: tuple[PartyLiability, PartyLiability]  # A, then B

    def of(self, party: AccidentParty) -> PartyLiability:
        return self.parties[0] if party is AccidentParty.A else self.parties[1]


class Disagreement(StrEnum):
    """Why two picks do not agree (labels: ``fastlane.disagreement.<value>``)."""

    MISSING = "missing"  # a driver has not picked yet
    SAME_DRIVER = "same_driver"  # both picks are from one driver
    SITUATION = "situation"  # they picked different situations
    PARTY = "party"  # same situation, different car at fault


def liability_of(situation: Situation, at_fault: AccidentParty | None) -> AgreedLiability:
    shares = RULES[situation].shares(at_fault)
    parties = tuple(
        PartyLiability(party, shares[party], grade_for_share(shares[party]))
        for party in (AccidentParty.A, AccidentParty.B)
    )
    return AgreedLiability(situation, at_fault, (parties[0], parties[1]))


def compare_picks(first: Pick | None, second: Pick | None) -> AgreedLiability | Disagreement:
    """The liability both drivers agree on, or why they do not agree."""
    if first is None or second is None:
        return Disagreement.MISSING
    if first.by is second.by:
        return Disagreement.SAME_DRIVER
    if first.situation is not second.situation:
        return Disagreement.SITUATION
    if first.at_fault is not second.at_fault:
        return Disagreement.PARTY
    return liability_of(first.situation, first.at_fault)
