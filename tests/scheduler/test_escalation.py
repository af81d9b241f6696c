"""Claims nobody takes: re-paged at the SLA's re-page deadline, escalated to the
supervisors at its escalation deadline, shorter deadlines for urgent claims, nothing
once taken, each step once (two passes, two workers, a restart)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.claim import SLA_ACTOR, Claim
from domain.services import adjusters_to_page, take_claim
from domain.sla import SlaPolicy, TakeDeadlines
from locales.catalog import Catalogs
from scheduler.escalation import (
    CLAIM_ESCALATE,
    CLAIM_REPAGE,
    EscalationConfig,
    escalation_timer_kinds,
)
from scheduler.kinds import Registry
from scheduler.runner import TimerRunner
from storage.db import Database
from storage.records import OutboxRow
from tests.fakes import FixedClock
from tests.scheduler.helpers import config, outbox, timers
from tests.storage.helpers import (
    complete_report,
    evidence_for,
    import_example,
    media,
    new_owner,
)

FILED = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)  # 16:30 in Shanghai
WANG, CHEN, ZHAO = ("telegram", "900001"), ("wechat", "oADJ_chenjing"), ("telegram", "900002")
CATALOGS = Catalogs(ZoneInfo("Asia/Shanghai"))


def file(
    database: Database,
    owner: int,
    number: str,
    *,
    urgent: bool,
    at: datetime,
    address: str | None = "上海市黄浦区人民大道 200 号",
) -> Claim:
    """A filed claim (through the domain, as the report dialog files it)."""
    with database.unit_of_work() as uow:
        files = [media(int(number[-5:]) * 10 + i) for i in range(3)]
        report = complete_report(evidence_for([(uow.media.add(f), f) for f in files]))
        report.accident_at = at - timedelta(hours=1)
        report.injuries = False
        report.rescue_requested = urgent
        report.address = address
        report.drivable = not urgent
        policy = uow.policies.by_number("PDAA20260001")
        assert policy is not None
        claim = Claim.file(number, report, policy, owner, at, f"party:{owner}")
        uow.claims.add(claim)
        uow.commit()
    assert claim.urgent is urgent
    return claim


def make_runner(
    database: Database, clock: FixedClock, sla: SlaPolicy | None = None
) -> TimerRunner:
    """A worker with the escalation kinds (a new one per start: a restart)."""
    kinds = escalation_timer_kinds(EscalationConfig(sla or SlaPolicy()))
    run = TimerRunner(database, Registry(kinds), clock, config(), worker="test")
    run.ensure_recurring()
    return run


@pytest.fixture
def directory(database: Database, directory_data: dict[str, Any]) -> dict[str, Any]:
    import_example(database, directory_data)
    return directory_data


@pytest.fixture
def owner(database: Database, directory: dict[str, Any]) -> int:
    return new_owner(database, "owner-1")


def sent(database: Database, key: str) -> list[OutboxRow]:
    return [row for row in outbox(database) if row.payload["key"] == key]


def chats(rows: list[OutboxRow]) -> set[tuple[str, str]]:
    return {(row.channel, row.chat_id) for row in rows}


def at(clock: FixedClock, minutes: float, run: TimerRunner) -> None:
    clock.current = FILED + timedelta(minutes=minutes)
    run.run_due()


def rendered(row: OutboxRow) -> str:
    """The message as its recipient reads it (and it renders in the other locale too)."""
    payload = row.payload
    for locale in CATALOGS.locales:
        for choice in payload["choices"]:
            assert CATALOGS.render(locale, choice["label_key"], choice["params"])
        assert CATALOGS.render(locale, payload["key"], payload["params"])
    return CATALOGS.render(row.locale, payload["key"], payload["params"])


def test_the_supervisor_is_not_paged_for_new_claims(database: Database, owner: int) -> None:
    claim = file(database, owner, "BA2026060100001", urgent=False, at=FILED)
    with database.unit_of_work() as uow:
        assert [a.code for a in uow.staff.supervisors()] == ["SUP-SH-01"]
        assert [a.code for a in adjusters_to_page(uow, claim)] == ["ADJ-SH-01", "ADJ-SH-02"]


def test_repaged_at_the_deadline_then_escalated_to_the_supervisor(
    database: Database, owner: int
) -> None:
    clock = FixedClock(FILED)
    file(database, owner, "BA2026060100001", urgent=False, at=FILED)
    run = make_runner(database, clock)
    at(clock, 1, run)  # the sweep arms both steps at the claim's deadlines
    armed = timers(database)
    assert armed["claim_repage:BA2026060100001"]["due_at"] == FILED + timedelta(minutes=30)
    assert armed["claim_escalate:BA2026060100001"]["due_at"] == FILED + timedelta(minutes=60)
    at(clock, 29.9, run)
    assert outbox(database) == []

    at(clock, 30, run)
    repages = sent(database, "escalation.repage")
    assert chats(repages) == {WANG, CHEN}  # the adjusters paged at filing, not the supervisor
    assert repages[0].payload["params"]["minutes"] == 30
    assert [c["value"] for c in repages[0].payload["choices"]] == ["c:take:BA2026060100001"]
    assert "/take BA2026060100001" in rendered(repages[0])
    assert sent(database, "escalation.supervisor") == []

    at(clock, 59, run)
    assert len(outbox(database)) == 2
    at(clock, 60, run)
    escalations = sent(database, "escalation.supervisor")
    assert chats(escalations) == {ZHAO}
    params = escalations[0].payload["params"]
    assert (params["limit"], params["fallback"]) == (60, False)
    assert params["paged"] == ["王建国", "陈静"]
    text = rendered(escalations[0])
    assert "BA2026060100001" in text and "王建国" in text and "/take BA2026060100001" in text

    at(clock, 120, run)  # a later pass sends nothing more
    assert len(outbox(database)) == 3
    state = timers(database)
    for key in ("claim_repage:BA2026060100001", "claim_escalate:BA2026060100001"):
        assert (state[key]["status"], state[key]["fires"]) == ("fired", 1)


def test_a_claim_reported_with_a_location_only_shows_the_place_on_both_cards(
    database: Database, owner: int
) -> None:
    clock = FixedClock(FILED)
    file(database, owner, "BA2026060100001", urgent=False, at=FILED, address=None)
    run = make_runner(database, clock)
    at(clock, 1, run)
    at(clock, 30, run)
    at(clock, 60, run)
    for key in ("escalation.repage", "escalation.supervisor"):
        text = rendered(sent(database, key)[0])
        assert "地点：（31.2304, 121.4737）" in text
        assert "地图：https://uri.amap.com/marker?position=121.4737,31.2304" in text


def test_the_steps_are_on_the_timeline_and_the_supervisor_hears_of_the_take(
    database: Database, owner: int
) -> None:
    clock = FixedClock(FILED)
    file(database, owner, "BA2026060100001", urgent=False, at=FILED)
    run = make_runner(database, clock)
    at(clock, 1, run)
    at(clock, 30, run)
    at(clock, 60, run)
    with database.unit_of_work() as uow:
        claim = uow.claims.get("BA2026060100001")
        assert claim is not None
        sla_steps = [(c.action, c.actor, c.note) for c in claim.timeline if c.actor == SLA_ACTOR]
        assert sla_steps == [
            ("repage", SLA_ACTOR, "ADJ-SH-01, ADJ-SH-02"),
            ("escalate", SLA_ACTOR, "SUP-SH-01"),
        ]
        assert claim.escalated
        wang = uow.recipients.party_of(*WANG)
        assert wang is not None
        _, told = take_claim(uow, wang, "BA2026060100001", clock.now())
        uow.commit()
    assert [a.code for a in told] == ["ADJ-SH-02", "SUP-SH-01"]


def test_a_claim_taken_before_the_escalation_does_not_tell_the_supervisor(
    database: Database, owner: int
) -> None:
    clock = FixedClock(FILED)
    file(database, owner, "BA2026060100001", urgent=False, at=FILED)
    run = make_runner(database, clock)
    at(clock, 1, run)
    at(clock, 30, run)  # re-paged, not escalated
    with database.unit_of_work() as uow:
        wang = uow.recipients.party_of(*WANG)
        assert wang is not None
        handled, told = take_claim(uow, wang, "BA2026060100001", clock.now())
        uow.commit()
    assert not handled.claim.escalated
    assert [a.code for a in told] == ["ADJ-SH-02"]


def test_urgent_claims_use_the_urgent_deadlines(database: Database, owner: int) -> None:
    clock = FixedClock(FILED)
    file(database, owner, "BA2026060100001", urgent=False, at=FILED)
    file(database, owner, "BA2026060100002", urgent=True, at=FILED)
    run = make_runner(database, clock)
    at(clock, 4, run)
    assert outbox(database) == []
    at(clock, 5, run)
    repages = sent(database, "escalation.repage")
    assert {r.payload["params"]["number"] for r in repages} == {"BA2026060100002"}
    assert all(r.payload["params"]["urgent"] for r in repages)
    at(clock, 10, run)
    escalations = sent(database, "escalation.supervisor")
    assert [(r.chat_id, r.payload["params"]["number"]) for r in escalations] == [
        ("900002", "BA2026060100002")
    ]
    assert escalations[0].payload["params"]["limit"] == 10
    assert len(outbox(database)) == 3  # the ordinary claim is still within its promise


def test_nothing_is_sent_once_the_claim_is_taken_or_withdrawn(
    database: Database, owner: int
) -> None:
    clock = FixedClock(FILED)
    file(database, owner, "BA2026060100001", urgent=False, at=FILED)
    file(database, owner, "BA2026060100002", urgent=False, at=FILED)
    run = make_runner(database, clock)
    at(clock, 1, run)
    clock.current = FILED + timedelta(minutes=10)
    with database.unit_of_work() as uow:
        wang = uow.recipients.party_of(*WANG)
        assert wang is not None
        take_claim(uow, wang, "BA2026060100001", clock.now())
        claim = uow.claims.get_for_update("BA2026060100002")
        assert claim is not None
        claim.withdraw("settled privately", clock.now(), f"party:{owner}")
        uow.claims.save(claim)
        uow.commit()
    at(clock, 30, run)
    at(clock, 90, run)
    assert outbox(database) == []
    outcomes = {k: (r["status"], r["outcome"]) for k, r in timers(database).items()}
    assert outcomes["claim_repage:BA2026060100001"] == (
        "dropped",
        "taken, withdrawn or closed before the re-page",
    )
    assert outcomes["claim_escalate:BA2026060100002"][0] == "dropped"


def test_each_step_once_across_two_workers_and_a_restart(database: Database, owner: int) -> None:
    clock = FixedClock(FILED)
    file(database, owner, "BA2026060100001", urgent=False, at=FILED)
    first, second = make_runner(database, clock), make_runner(database, clock)
    at(clock, 1, first)
    at(clock, 2.5, second)  # the second worker's sweep arms nothing twice
    assert len(timers(database, CLAIM_REPAGE)) == len(timers(database, CLAIM_ESCALATE)) == 1
    at(clock, 30, first)
    at(clock, 30, second)
    restarted = make_runner(database, clock)  # a new process on the same rows
    at(clock, 31, restarted)
    rows = outbox(database)
    assert chats(rows) == {WANG, CHEN} and len(rows) == 2
    assert len({row.idempotency_key for row in rows}) == 2


def test_a_restart_after_both_deadlines_sends_only_the_escalation_once(
    database: Database, owner: int
) -> None:
    clock = FixedClock(FILED)
    file(database, owner, "BA2026060100001", urgent=False, at=FILED)
    at(clock, 1, make_runner(database, clock))  # armed, then the process stops
    restarted = make_runner(database, clock)
    at(clock, 180, restarted)  # three hours later
    at(clock, 181, restarted)
    assert [r.chat_id for r in outbox(database)] == ["900002"]
    repage = timers(database)["claim_repage:BA2026060100001"]
    assert repage["status"] == "dropped" and repage["outcome"].startswith("expired")
    assert sent(database, "escalation.supervisor")[0].payload["params"]["minutes"] == 180


def test_a_claim_filed_while_the_process_was_down_is_escalated_on_start(
    database: Database, owner: int
) -> None:
    clock = FixedClock(FILED + timedelta(minutes=75))
    file(database, owner, "BA2026060100001", urgent=False, at=FILED)
    run = make_runner(database, clock)
    run.run_due()  # the sweep arms overdue timers; the loop fires them in the same pass
    assert chats(outbox(database)) == {ZHAO}


def test_escalations_ignore_quiet_hours_and_mute(database: Database, owner: int) -> None:
    night = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    clock = FixedClock(night)
    file(database, owner, "BA2026060100001", urgent=True, at=night)
    with database.unit_of_work() as uow:
        for channel, chat in (WANG, CHEN, ZHAO):
            party = uow.recipients.party_of(channel, chat)
            assert party is not None
            uow.reminders.set_muted(party, True, night)
        uow.commit()
    run = make_runner(database, clock)
    for minutes in (0, 5, 10):  # the urgent deadlines, at night
        clock.current = night + timedelta(minutes=minutes)
        run.run_due()
    assert chats(sent(database, "escalation.repage")) == {WANG, CHEN}
    assert chats(sent(database, "escalation.supervisor")) == {ZHAO}


def test_without_a_supervisor_every_bound_adjuster_gets_it_and_it_is_logged(
    database: Database, directory_data: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    directory_data.pop("supervisors")
    import_example(database, directory_data)
    owner = new_owner(database, "owner-1")
    clock = FixedClock(FILED)
    file(database, owner, "BA2026060100001", urgent=False, at=FILED)
    run = make_runner(database, clock)
    with caplog.at_level(logging.WARNING, logger="scheduler.escalation"):
        at(clock, 1, run)
        at(clock, 60, run)
    escalations = sent(database, "escalation.supervisor")
    assert chats(escalations) == {WANG, CHEN}
    assert all(r.payload["params"]["fallback"] for r in escalations)
    assert "no supervisor is bound" in caplog.text
    assert sent(database, "escalation.repage") == []  # dropped: the escalation was due too


def test_longer_deadlines_in_the_configuration_apply_to_armed_timers(
    database: Database, owner: int
) -> None:
    clock = FixedClock(FILED)
    file(database, owner, "BA2026060100001", urgent=False, at=FILED)
    at(clock, 1, make_runner(database, clock))  # armed for 30 / 60 minutes
    longer = SlaPolicy(normal=TakeDeadlines(timedelta(minutes=45), timedelta(minutes=90)))
    run = make_runner(database, clock, longer)  # restarted with new settings
    at(clock, 30, run)
    assert outbox(database) == []
    assert timers(database)["claim_repage:BA2026060100001"]["due_at"] == FILED + timedelta(
        minutes=45
    )
    at(clock, 45, run)  # (its expiry is still the old 60 minutes: sent before it)
    assert chats(sent(database, "escalation.repage")) == {WANG, CHEN}
    at(clock, 60, run)
    assert sent(database, "escalation.supervisor") == []
    at(clock, 90, run)
    assert chats(sent(database, "escalation.supervisor")) == {ZHAO}


def test_the_composition_root_registers_the_kinds(database: Database, tmp_path: Path) -> None:
    from bot.bootstrap import build
    from bot.settings import Settings
    from tests.engine_harness import database_url

    settings = Settings(database_url=database_url(database), media_dir=tmp_path / "media")
    container = build(settings, clock=FixedClock(FILED))
    try:
        assert container.scheduler is not None
        registry = container.scheduler.runner.registry
        for kind in ("claim_sla_scan", CLAIM_REPAGE, CLAIM_ESCALATE, "shop_schedule"):
            assert kind in registry
    finally:
        container.close()


def test_staff_invite_role_supervisor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.bootstrap import build
    from bot.cli.main import main
    from bot.settings import Settings
    from tests.engine_harness import DIRECTORY, Owner

    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("CLAIMBOT_MEDIA_DIR", str(tmp_path / "media"))
    assert main(["migrate"]) == 0
    assert main(["import", str(DIRECTORY)]) == 0
    capsys.readouterr()
    args = ["staff", "invite", "--role", "supervisor", "--name", "钱主管", "--code", "SUP-SH-02"]
    assert main(args) == 0
    out = capsys.readouterr().out
    match = re.search(r"/bind (\S+)", out)
    assert match is not None and "supervisor 钱主管 (SUP-SH-02)" in out
    container = build(Settings(), clock=FixedClock(datetime.now(UTC)))
    try:
        assert Owner(container, user_id="web-qian").text(f"/bind {match.group(1)}") == [
            "claims.adjuster.bound"
        ]
        with container.database.unit_of_work() as uow:
            supervisors = {a.code: a.party_id for a in uow.staff.supervisors()}
            qian = uow.recipients.party_of("web", "web-qian")
        assert qian is not None and supervisors["SUP-SH-02"] == qian
        assert set(supervisors) == {"SUP-SH-01", "SUP-SH-02"}
    finally:
        container.close()
