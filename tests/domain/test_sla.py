from datetime import UTC, datetime, timedelta

import pytest

from domain.sla import SlaPolicy, SlaState, TakeDeadlines, take_sla_state

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
POLICY = SlaPolicy()


@pytest.mark.parametrize(
    ("urgent", "age_minutes", "expected"),
    [
        (False, 29, SlaState.ON_TIME),
        (False, 30, SlaState.AT_RISK),
        (False, 60, SlaState.BREACHED),
        (True, 4, SlaState.ON_TIME),
        (True, 5, SlaState.AT_RISK),
        (True, 10, SlaState.BREACHED),
    ],
)
def test_untaken_claim_is_judged_by_its_age(urgent: bool, age_minutes: int, expected: SlaState):
    now = T0 + timedelta(minutes=age_minutes)
    assert take_sla_state(POLICY, urgent=urgent, reported_at=T0, taken_at=None, now=now) == expected


def test_taken_claim_is_judged_by_when_it_was_taken():
    late = T0 + timedelta(minutes=61)
    later = late + timedelta(days=3)
    assert take_sla_state(POLICY, urgent=False, reported_at=T0, taken_at=late, now=later) == (
        SlaState.BREACHED
    )
    quick = T0 + timedelta(minutes=45)
    assert take_sla_state(POLICY, urgent=False, reported_at=T0, taken_at=quick, now=later) == (
        SlaState.ON_TIME
    )


def test_repage_after_escalation_is_refused():
    with pytest.raises(ValueError):
        TakeDeadlines(timedelta(minutes=20), timedelta(minutes=10))
