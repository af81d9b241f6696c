"""Automatic decisions recorded with rule version and inputs; the sampled ones reviewed once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from domain.fast_lane import FastLaneCase, FastLaneRules, assess
from domain.money import Money
from storage.db import Database
from storage.repositories.fastlane_decisions import FastLaneDecisions

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
CASE = FastLaneCase(
    injuries=False,
    drivable=True,
    outside_property=False,
    vehicles=1,
    liability_agreed=False,
    accident_on=date(2026, 11, 25),
    policy_valid_from=date(2026, 1, 1),
    policy_valid_to=date(2026, 12, 31),
    estimate=Money(180_000),
)


def test_record_list_and_review_once(database: Database) -> None:
    eligible = assess(CASE, FastLaneRules())
    refused = assess(replace(CASE, injuries=True, estimate=None), FastLaneRules())
    with database.unit_of_work() as uow:
        store = FastLaneDecisions(uow.connection)
        first = store.record("BA2026112500001", eligible, AT, sampled=True)
        store.record("BA2026112500002", refused, AT + timedelta(minutes=1), sampled=True)
        store.record("BA2026112500003", eligible, AT, sampled=False)
        uow.commit()
    with database.unit_of_work() as uow:
        store = FastLaneDecisions(uow.connection)
        [recorded] = store.for_claim("BA2026112500001")
        assert (recorded.eligible, recorded.rule_version, recorded.reasons) == (
            True,
            eligible.rule_version,
            (),
        )
        assert recorded.inputs["estimate_fen"] == 180_000 and recorded.decided_at == AT
        assert store.for_claim("BA2026112500002")[0].reasons == ("injuries", "no_estimate")
        assert [d.claim_number for d in store.to_review()] == [
            "BA2026112500001",
            "BA2026112500002",
        ]
        assert store.mark_reviewed(first, "SUP-SH-01", AT + timedelta(hours=1))
        assert not store.mark_reviewed(first, "SUP-SH-02", AT + timedelta(hours=2))
        uow.commit()
    with database.unit_of_work() as uow:
        store = FastLaneDecisions(uow.connection)
        assert [d.claim_number for d in store.to_review()] == ["BA2026112500002"]
        assert store.for_claim("BA2026112500001")[0].reviewed_by == "SUP-SH-01"
