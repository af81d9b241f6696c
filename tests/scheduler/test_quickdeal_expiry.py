"""An invitation nobody uses: when it expires the owner is told, once (SQLite, PostgreSQL);
one the other driver used in time is not reported."""

from __future__ import annotations

from datetime import timedelta

from bot.bootstrap import Container
from domain.quick_deal import DealState
from scheduler.kinds import Registry
from scheduler.quickdeal import quickdeal_timer_kind
from scheduler.runner import TimerRunner
from tests.fakes import FixedClock
from tests.quickdeal_support import NUMBER, invite, join_with_details, report_two_cars
from tests.scheduler.helpers import config
from tests.test_adjudication_engine import Party


def _runner(container: Container, clock: FixedClock) -> TimerRunner:
    registry = Registry([quickdeal_timer_kind("zh_CN")])
    return TimerRunner(container.database, registry, clock, config(), worker="test")


def _state(container: Container) -> DealState:
    with container.database.unit_of_work() as uow:
        deal = uow.quick_deals.for_claim_for_update(NUMBER)
    assert deal is not None
    return deal.state


def test_the_owner_is_told_once_when_nobody_joins(container: Container, clock: FixedClock) -> None:
    owner, other = Party(container, "owner-web-0001"), Party(container, "other-web-0002")
    report_two_cars(owner)
    code = invite(container, owner)
    owner.news()
    run = _runner(container, clock)
    clock.advance(timedelta(minutes=119))
    run.run_due()
    assert owner.news() == [] and _state(container) is DealState.INVITED

    clock.advance(timedelta(minutes=2))
    run.run_due()
    assert owner.news() == ["quickdeal.owner.expired"]
    assert "已过期" in owner.last_text()
    assert owner.last_payload()["choices"][0]["value"] == f"q:inv:{NUMBER}"
    assert _state(container) is DealState.EXPIRED

    run.run_due()
    assert other.text(f"快处 {code}") == ["quickdeal.join.expired"]
    assert owner.news() == []  # not twice


def test_an_invitation_used_in_time_is_not_reported(
    container: Container, clock: FixedClock
) -> None:
    owner, other = Party(container, "owner-web-0001"), Party(container, "other-web-0002")
    report_two_cars(owner)
    join_with_details(other, invite(container, owner))
    owner.news()
    clock.advance(timedelta(hours=3))
    _runner(container, clock).run_due()
    assert "quickdeal.owner.expired" not in owner.news()
    assert _state(container) is DealState.PICKING
