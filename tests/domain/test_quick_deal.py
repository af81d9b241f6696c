"""The 快处快赔 case's rules: codes, who may join, mobile numbers, picks and confirmations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.accident_situations import AccidentParty, Pick, Situation
from domain.quick_deal import (
    CODE_LENGTH,
    DealState,
    JoinRefusal,
    QuickDeal,
    hash_code,
    looks_like_code,
    new_code,
    normalize_mobile,
    same_phone,
)

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _deal() -> QuickDeal:
    return QuickDeal("BA2026112500001", 1, hash_code("K7QM4XPD"), NOW, NOW + timedelta(hours=2))


def test_codes_are_short_random_and_typed_loosely() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(code) == CODE_LENGTH for code in codes)
    assert all(looks_like_code(code) for code in codes)
    assert hash_code("k7qm-4xpd") == hash_code("K7QM 4XPD") == hash_code("K7QM4XPD")
    assert not looks_like_code("K7QM4XP0")  # 0 is not in the alphabet
    assert not looks_like_code("K7QM4XP")


@pytest.mark.parametrize(
    ("party", "minutes", "refusal"),
    [
        (2, 0, None),
        (1, 0, JoinRefusal.SAME_PERSON),
        (2, 120, JoinRefusal.EXPIRED),
    ],
)
def test_who_may_join_and_when(party: int, minutes: int, refusal: JoinRefusal | None) -> None:
    assert _deal().refusal(party, NOW + timedelta(minutes=minutes)) is refusal


def test_an_invitation_is_used_once() -> None:
    deal = _deal()
    deal.join(2, NOW)
    assert deal.state is DealState.JOINED and deal.role_of(2) is AccidentParty.B
    assert deal.refusal(3, NOW) is JoinRefusal.USED
    with pytest.raises(ValueError):
        deal.join(3, NOW)


@pytest.mark.parametrize(
    ("typed", "mobile"),
    [
        ("13900139002", "13900139002"),
        ("139 0013 9002", "13900139002"),
        ("+86 139-0013-9002", "13900139002"),
        ("8613900139002", "13900139002"),
        ("12900139002", None),
        ("1390013900", None),
        ("", None),
    ],
)
def test_mainland_mobile_numbers(typed: str, mobile: str | None) -> None:
    assert normalize_mobile(typed) == mobile


def test_one_phone_for_both_drivers_is_noticed() -> None:
    assert same_phone("+86 138 0013 8001", "13800138001")
    assert not same_phone("13800138001", "13900139002")
    assert not same_phone("", "")


def test_a_changed_pick_needs_both_confirmations_again() -> None:
    deal = _deal()
    deal.join(2, NOW)
    deal.pick(Pick(AccidentParty.A, Situation.BOTH_AT_FAULT))
    deal.confirm(AccidentParty.A, NOW, "web")
    deal.confirm(AccidentParty.B, NOW, "wechat")
    assert deal.both_confirmed
    deal.pick(Pick(AccidentParty.B, Situation.REAR_END, AccidentParty.A))
    assert not deal.both_confirmed and deal.confirmations == {}
