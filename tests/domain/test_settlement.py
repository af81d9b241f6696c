"""The settlement model: 交强险 first, then liability; conservation and limits on generated
accidents; bad input refused with a reason. The worked cases are in docs/settlement.md
(tests/test_settlement_doc.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from domain.settlement import (
    JIAOQIANG_2020,
    Accident,
    Coverage,
    InvalidAccident,
    JiaoqiangLimits,
    Loss,
    LossKind,
    MotorVehicle,
    Occupant,
    Options,
    OtherParty,
    OwnDamageCover,
    SeatCover,
    SettlementRules,
    SubLimits,
    TotalLoss,
    read_accident,
    settle,
)
from domain.settlement.split import apportion, cap_in_proportion
from tests.domain.settlement_checks import check_statement


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=6))
def test_apportion_is_exact_and_never_over_a_weight_when_the_total_fits(
    total: int, weights: list[int]
) -> None:
    assume(sum(weights) > 0)
    parts = apportion(total, weights)
    assert sum(parts) == total and all(p >= 0 for p in parts)
    capped = cap_in_proportion(weights, total)
    assert sum(capped) == min(total, sum(weights))
    assert all(c <= w for c, w in zip(capped, weights, strict=True))


def _two_cars(a: int, losses: tuple[Loss, ...], **a_cover: Any) -> Accident:
    return Accident(
        vehicles=(
            MotorVehicle("A", a, **a_cover),
            MotorVehicle("B", 100 - a, third_party=100_000_000),
        ),
        losses=losses,
    )


def _amounts(statement: Any) -> set[tuple[str, str, str, str, int]]:
    return {
        (line.payer, line.coverage.value, line.victim, line.kind.value, line.amount)
        for line in statement.lines
    }


def test_the_sample_case_major_fault_under_2000_is_mutual_no_deductible() -> None:
    cover = {"own_damage": OwnDamageCover(15_000_000, deductible=50_000)}
    accident = Accident(
        vehicles=(MotorVehicle("A", 70, **cover), MotorVehicle("B", 30)),
        losses=(Loss("A", LossKind.VEHICLE, 120_000), Loss("B", LossKind.VEHICLE, 80_000)),
        options=Options(mutual=True),
    )
    statement = settle(accident)
    assert _amounts(statement) == {
        ("A", "jiaoqiang_property", "A", "vehicle", 120_000),
        ("B", "jiaoqiang_property", "B", "vehicle", 80_000),
    }
    assert statement.out_of_pocket == {"A": 0, "B": 0}
    check_statement(accident, statement)


def test_without_agreement_the_same_accident_goes_by_liability() -> None:
    accident = _two_cars(
        70,
        (Loss("A", LossKind.VEHICLE, 120_000), Loss("B", LossKind.VEHICLE, 80_000)),
        own_damage=OwnDamageCover(15_000_000, deductible=50_000),
    )
    statement = settle(accident)
    # B's 交强险 (次责, 有责) pays A's 1,200.00 whole; A's pays B's 800.00; nothing is left
    assert _amounts(statement) == {
        ("A", "jiaoqiang_property", "B", "vehicle", 80_000),
        ("B", "jiaoqiang_property", "A", "vehicle", 120_000),
    }
    check_statement(accident, statement)


def test_no_fault_car_pays_100_handled_by_the_other_insurer() -> None:
    accident = Accident(
        vehicles=(
            MotorVehicle("A", 100, own_damage=OwnDamageCover(10_000_000), third_party=10**8),
            MotorVehicle("B", 0),
        ),
        losses=(Loss("A", LossKind.VEHICLE, 500_000), Loss("B", LossKind.VEHICLE, 300_000)),
    )
    statement = settle(accident)
    assert _amounts(statement) == {
        ("A", "jiaoqiang_property", "B", "vehicle", 200_000),
        ("A", "third_party", "B", "vehicle", 100_000),
        ("A", "own_damage", "A", "vehicle", 490_000),
        ("B", "jiaoqiang_property", "A", "vehicle", 10_000),
    }
    proxy = next(line for line in statement.lines if line.payer == "B")
    assert proxy.handled_by == "A" and proxy.rule.key == "no_fault_proxy"
    check_statement(accident, statement)


def test_victims_over_one_sub_limit_share_it_in_proportion_to_their_losses() -> None:
    accident = Accident(
        vehicles=(MotorVehicle("A", 100, third_party=10**8),),
        losses=(Loss("护栏", LossKind.PROPERTY, 300_000), Loss("店面", LossKind.PROPERTY, 100_000)),
    )
    statement = settle(accident)
    # A's 2,000.00 property limit, claims 3,000.00 and 1,000.00: 1,500.00 and 500.00
    assert _amounts(statement) == {
        ("A", "jiaoqiang_property", "护栏", "property", 150_000),
        ("A", "jiaoqiang_property", "店面", "property", 50_000),
        ("A", "third_party", "护栏", "property", 150_000),
        ("A", "third_party", "店面", "property", 50_000),
    }
    assert {
        line.rule.key for line in statement.lines if line.coverage is Coverage.JIAOQIANG_PROPERTY
    } == {"jiaoqiang_shared"}
    check_statement(accident, statement)


def test_configured_limits_are_used() -> None:
    low = SubLimits(disability_death=1_000_000, medical=100_000, property=50_000)
    rules = SettlementRules(
        jiaoqiang=JiaoqiangLimits(at_fault=low, no_fault=JIAOQIANG_2020.no_fault)
    )
    accident = _two_cars(0, (Loss("A", LossKind.VEHICLE, 300_000),))
    statement = settle(accident, rules)
    assert ("B", "jiaoqiang_property", "A", "vehicle", 50_000) in _amounts(statement)
    check_statement(accident, statement, rules)


@pytest.mark.parametrize(
    ("accident", "reason"),
    [
        (
            _two_cars(60, (Loss("A", LossKind.VEHICLE, 1),)).__class__(
                vehicles=(MotorVehicle("A", 60), MotorVehicle("B", 30)),
                losses=(Loss("A", LossKind.VEHICLE, 1),),
            ),
            "shares_not_100",
        ),
        (_two_cars(50, (Loss("A", LossKind.VEHICLE, -1),)), "negative_amount"),
        (_two_cars(50, (Loss("护栏", LossKind.VEHICLE, 100),)), "victim_not_a_vehicle"),
        (
            _two_cars(50, (Loss("护栏", LossKind.MEDICAL, 100, Occupant.DRIVER),)),
            "occupant_without_vehicle",
        ),
        (_two_cars(50, (Loss("A", LossKind.MEDICAL, 100),)), "occupant_missing"),
        (
            _two_cars(
                50, (Loss("A", LossKind.VEHICLE, 2_000_001),), own_damage=OwnDamageCover(2_000_000)
            ),
            "above_sum_insured",
        ),
    ],
)
def test_bad_accidents_are_refused_with_a_reason(accident: Accident, reason: str) -> None:
    with pytest.raises(InvalidAccident) as refused:
        settle(accident)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"vehicles": [{"id": "A", "liability": 70}], "losses": []}, "shares_not_100"),
        (
            {
                "vehicles": [{"id": "A", "liability": "full"}],
                "losses": [{"victim": "A", "kind": "vehicle", "amount": "-5.00"}],
            },
            "negative_amount",
        ),
        (
            {
                "vehicles": [{"id": "A", "liability": 100}],
                "losses": [{"victim": "A", "kind": "vehicle", "amount": 10.001}],
            },
            "bad_amount",
        ),
        (
            {"vehicles": [{"id": "A", "liability": 100, "colour": "red"}], "losses": []},
            "unknown_field",
        ),
        (
            {
                "vehicles": [{"id": "A", "liability": 100}],
                "losses": [{"victim": "A", "kind": "scratch", "amount": 1}],
            },
            "bad_choice",
        ),
        ([1, 2], "not_a_mapping"),
    ],
)
def test_bad_input_is_read_as_a_reason(data: Any, reason: str) -> None:
    with pytest.raises(InvalidAccident) as refused:
        settle(read_accident(data))
    assert refused.value.reason == reason


def test_a_grade_name_reads_as_its_configured_share() -> None:
    data = {
        "vehicles": [{"id": "A", "liability": "major"}, {"id": "B", "liability": "minor"}],
        "losses": [{"victim": "A", "kind": "vehicle", "amount": 100}],
    }
    accident = read_accident(data)
    assert [v.share for v in accident.vehicles] == [70, 30]


# ---- generated accidents -------------------------------------------------------------

_YUAN = st.integers(0, 30_000_000)  # up to 300,000.00


@st.composite
def accidents(draw: st.DrawFn) -> Accident:
    n_vehicles = draw(st.integers(1, 3))
    n_others = draw(st.integers(0, 1))
    cuts = sorted(
        draw(
            st.lists(
                st.integers(0, 100),
                min_size=n_vehicles + n_others - 1,
                max_size=n_vehicles + n_others - 1,
            )
        )
    )
    shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    vehicles = []
    for i in range(n_vehicles):
        vehicles.append(
            MotorVehicle(
                id=f"V{i}",
                share=shares[i],
                jiaoqiang=draw(st.booleans()),
                own_damage=draw(
                    st.none()
                    | st.builds(
                        OwnDamageCover,
                        st.integers(10_000_000, 50_000_000),
                        st.sampled_from([0, 50_000, 200_000]),
                        st.sampled_from([0, 0, 10]),
                    ).filter(lambda c: not (c.deductible and c.deductible_rate))
                ),
                third_party=draw(st.none() | st.sampled_from([5_000_000, 100_000_000])),
                seats=draw(
                    st.none()
                    | st.builds(
                        SeatCover,
                        st.sampled_from([1_000_000, 5_000_000]),
                        st.sampled_from([1_000_000, 2_000_000]),
                    )
                ),
            )
        )
    others = [OtherParty(f"O{i}", shares[n_vehicles + i]) for i in range(n_others)]
    victims = [v.id for v in vehicles] + [o.id for o in others] + ["护栏", "行人"]
    losses = []
    for _ in range(draw(st.integers(1, 6))):
        victim = draw(st.sampled_from(victims))
        is_vehicle = victim.startswith("V")
        kinds = [LossKind.PROPERTY, LossKind.MEDICAL, LossKind.DISABILITY_DEATH]
        kind = draw(st.sampled_from([LossKind.VEHICLE, *kinds] if is_vehicle else kinds))
        occupant = None
        person = ""
        if is_vehicle and kind in (LossKind.MEDICAL, LossKind.DISABILITY_DEATH):
            occupant = draw(st.sampled_from(list(Occupant)))
            person = draw(st.sampled_from(["", "张三", "李四"]))
        amount = draw(_YUAN if kind is not LossKind.VEHICLE else st.integers(0, 9_000_000))
        losses.append(Loss(victim, kind, amount, occupant, person))
    with_cover = [v.id for v in vehicles if v.own_damage is not None and v.share < 100]
    options = Options(
        mutual=draw(st.booleans()) and draw(st.booleans()),
        subrogation=frozenset(
            draw(st.lists(st.sampled_from(with_cover), max_size=2)) if with_cover else []
        ),
        rescue=draw(
            st.dictionaries(
                st.sampled_from([v.id for v in vehicles]), st.integers(0, 500_000), max_size=2
            )
        ),
        total_loss=draw(
            st.dictionaries(
                st.sampled_from([v.id for v in vehicles]),
                st.builds(
                    TotalLoss,
                    st.integers(1_000_000, 9_000_000),
                    st.integers(0, 500_000),
                    st.booleans(),
                ),
                max_size=1,
            )
        ),
    )
    return Accident(tuple(vehicles), tuple(losses), tuple(others), options)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(accidents())
def test_generated_accidents_conserve_money_and_respect_limits(accident: Accident) -> None:
    try:
        statement = settle(accident)
    except InvalidAccident as refused:
        # only the reasons a generated accident can legitimately run into
        assert refused.reason.startswith("mutual") or refused.reason in {
            "above_sum_insured",
            "value_above_sum_insured",
            "salvage_above_value",
        }
        return
    check_statement(accident, statement)
    for line in statement.lines:
        if line.coverage in (Coverage.OWN_DAMAGE, Coverage.RESCUE, Coverage.SEATS):
            assert line.victim == line.payer  # own covers pay only their own car and people
        else:
            assert line.victim != line.payer or accident.options.mutual


def test_a_supplement_makes_a_new_version_and_lists_what_moved() -> None:
    from domain.settlement.versions import changes, with_supplement

    accident = _two_cars(
        0, (Loss("A", LossKind.VEHICLE, 150_000),), own_damage=OwnDamageCover(10_000_000)
    )
    first = settle(accident)
    second = settle(with_supplement(accident, (Loss("A", LossKind.VEHICLE, 100_000),)))
    moved = changes(first, second)
    # B's 交强险 pays 1,500.00, then 2,000.00 (its limit) and its 三者险 the 500.00 beyond
    assert [(c.payer, c.coverage.value, c.before, c.after) for c in moved] == [
        ("B", "jiaoqiang_property", 150_000, 200_000),
        ("B", "third_party", 0, 50_000),
    ]


def test_split_payments_never_exceed_the_agreed_total() -> None:
    from domain.settlement.versions import left_to_pay

    assert left_to_pay(500_000, [], 200_000) == 300_000
    assert left_to_pay(500_000, [200_000], 300_000) == 0
    for paid, amount in (([200_000], 300_001), ([500_000], 1), ([], 0)):
        with pytest.raises(InvalidAccident):
            left_to_pay(500_000, paid, amount)
