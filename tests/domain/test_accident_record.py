"""The accident recorded on a claim: its changes, and its statement equal to the
calculator's for the same accident (docs/settlement.md)."""

from __future__ import annotations

import pytest

from domain.accident_record import (
    AccidentParty,
    AccidentRecord,
    InjuryRole,
    OwnerOptions,
    PartyKind,
    VictimLoss,
    with_loss,
    with_options,
    with_party,
    with_ratios,
    without_loss,
    without_party,
)
from domain.money import Money
from domain.policy import Coverage
from domain.settlement import InvalidAccident, LossKind, read_accident, settle
from domain.settlement.accident import LiabilitySource, LiabilitySourceKind, TotalLoss
from domain.settlement.owner import owner_statement
from storage.repositories.accident_codec import accident_json, accident_record

OWN = "沪A12345"
POLICE = LiabilitySource(LiabilitySourceKind.POLICE, "沪公交认字第123号")
COVER = Coverage(own_damage=Money(10_000_000), third_party=Money(100_000_000))


def _bicycle() -> AccidentRecord:
    record = with_party(AccidentRecord(), AccidentParty("C", PartyKind.NON_MOTOR), OWN)
    record = with_loss(record, VictimLoss("C", LossKind.MEDICAL, 3_000_000, "李四"), OWN)
    record = with_loss(record, VictimLoss("C", LossKind.PROPERTY, 100_000), OWN)
    return with_ratios(record, {"C": 20}, POLICE)


def _lines(statement: object) -> list[tuple[str, str, str, int]]:
    return sorted(
        (x.payer, x.coverage.value, x.victim, x.amount)
        for x in statement.lines  # type: ignore[attr-defined]
    )


def test_the_recorded_bicycle_case_settles_as_the_calculator_does() -> None:
    """Case 11 of docs/settlement.md: car 80, cyclist 20, recorded in chat."""
    chat = owner_statement(OWN, COVER, 80, Money(500_000), [], False, record=_bicycle())
    calculator = settle(
        read_accident(
            {
                "vehicles": [
                    {
                        "id": OWN,
                        "liability": 80,
                        "own_damage": {"sum_insured": "100000.00"},
                        "third_party": "1000000.00",
                    }
                ],
                "others": [{"id": "C", "liability": 20}],
                "losses": [
                    {"victim": "C", "kind": "medical", "amount": "30000.00"},
                    {"victim": "C", "kind": "property", "amount": "1000.00"},
                    {"victim": OWN, "kind": "vehicle", "amount": "5000.00"},
                ],
            }
        )
    )
    assert _lines(chat.statement) == _lines(calculator)
    assert chat.statement.out_of_pocket == calculator.out_of_pocket
    assert chat.share == 80


def test_ratios_that_do_not_sum_to_100_are_refused_by_the_statement() -> None:
    record = with_ratios(_bicycle(), {"C": 30}, POLICE)
    with pytest.raises(InvalidAccident) as refused:
        owner_statement(OWN, COVER, 80, Money(500_000), [], False, record=record)
    assert refused.value.reason == "shares_not_100" and refused.value.params == {"total": 110}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: with_loss(r, VictimLoss("C", LossKind.VEHICLE, 100), OWN), None),
        (
            lambda r: with_loss(r, VictimLoss(OWN, LossKind.VEHICLE, 100), OWN),
            "own_damage_by_items",
        ),
        (lambda r: with_loss(r, VictimLoss("D", LossKind.MEDICAL, 100), OWN), "unknown_party"),
        (lambda r: with_loss(r, VictimLoss("C", LossKind.MEDICAL, -1), OWN), "negative_amount"),
        (lambda r: with_party(r, AccidentParty(OWN, PartyKind.VEHICLE), OWN), "bad_party_label"),
        (lambda r: with_ratios(r, {"D": 20}, POLICE), "unknown_party"),
        (lambda r: without_loss(r, 3), "no_such_victim_loss"),
        (lambda r: with_options(r, OwnerOptions(rescue=-1)), "negative_amount"),
    ],
)
def test_bad_changes_are_refused(change: object, reason: str | None) -> None:
    if reason is None:  # recorded, but the statement refuses a car's damage of a cyclist
        record = change(_bicycle())  # type: ignore[operator]
        with pytest.raises(InvalidAccident) as refused:
            owner_statement(OWN, COVER, 80, Money(0), [], False, record=record)
        assert refused.value.reason == "victim_not_a_vehicle"
        return
    with pytest.raises(InvalidAccident) as refused:
        change(_bicycle())  # type: ignore[operator]
    assert refused.value.reason == reason


def test_a_removed_party_takes_its_losses_and_ratio_along() -> None:
    record = without_party(_bicycle(), "C")
    assert record.parties == () and record.losses == ()
    assert record.ratios is not None and dict(record.ratios.shares) == {}


def test_the_record_survives_its_json() -> None:
    record = with_party(
        _bicycle(),
        AccidentParty("苏B67890", PartyKind.VEHICLE, "平安", True, False, 50_000_000),
        OWN,
    )
    record = with_loss(
        record, VictimLoss(OWN, LossKind.MEDICAL, 300_000, "张三", InjuryRole.PASSENGER), OWN
    )
    record = with_options(record, OwnerOptions(True, TotalLoss(8_000_000, 500_000, True), 60_000))
    assert accident_record(accident_json(record)) == record
    assert accident_record(None) is None and accident_json(None) is None
