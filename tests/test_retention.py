"""Retention: ``claimbot purge [--dry-run]`` and its daily timer remove the media and the
personal fields of claims closed longer than CLAIMBOT_RETENTION_DAYS, keep what analytics
count, and processed WeChat messages keep no raw XML."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Container, build
from bot.cli.main import main
from bot.settings import Settings
from storage import read_models
from storage.channels.wechat.tables import wechat_inbox_t
from storage.db import Database
from storage.read_models.analytics import claim_facts
from storage.repositories.directory import import_directory
from storage.tables.core import claim_evidence_t, claim_status_change_t, claim_t, media_t
from tests.booking_support import WebUser
from tests.engine_harness import sample_directory
from tests.fakes import FixedClock
from tests.media_samples import jpeg_bytes
from tests.wechat.rig import wechat_rig

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=800)
LATELY = NOW - timedelta(days=20)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("CLAIMBOT_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("CLAIMBOT_SCHEDULER_ENABLED", "false")
    monkeypatch.chdir(tmp_path)
    assert main(["migrate"]) == 0
    return tmp_path


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(LONG_AGO)


def import_policies(container: Container) -> None:
    """The sample directory, its policies in force from before LONG_AGO until after NOW."""
    data = sample_directory()
    for policy in data["policies"]:
        policy["valid"] = {"from": LONG_AGO.date() - timedelta(days=30), "to": NOW.date()}
    with container.database.unit_of_work() as uow:
        import_directory(uow, data)
        uow.commit()


@pytest.fixture
def container(env: Path, clock: FixedClock) -> Iterator[Container]:
    built = build(Settings(), clock=clock)
    import_policies(built)
    yield built
    built.close()


def file_claim(owner: WebUser, seed: int) -> str:
    owner.report_until_photos()
    owner.photos([jpeg_bytes(seed=seed + n, gps=(31.2304, 121.4737)) for n in range(3)])
    owner.choose("r:evidence:done")
    owner.choose("r:summary:confirm")
    number = owner.last("report.filed").params["number"]
    assert isinstance(number, str)
    return number


def withdraw(container: Container, number: str) -> None:
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(number)
        assert claim is not None
        claim.withdraw("已和对方私了", container.clock.now(), f"party:{claim.owner_id}")
        uow.claims.save(claim)
        uow.commit()


def claim_row(database: Database, number: str) -> dict[str, object]:
    with database.engine.connect() as conn:
        row = conn.execute(select(claim_t).where(claim_t.c.number == number)).one()
    return dict(row._mapping)


def files_of(database: Database, media_dir: Path, number: str) -> list[Path]:
    with database.engine.connect() as conn:
        paths = conn.execute(
            select(media_t.c.relative_path)
            .join(claim_evidence_t, claim_evidence_t.c.media_id == media_t.c.id)
            .join(claim_t, claim_t.c.id == claim_evidence_t.c.claim_id)
            .where(claim_t.c.number == number)
        ).scalars()
        return [media_dir / path for path in paths]


@pytest.fixture
def three_claims(container: Container, clock: FixedClock) -> tuple[str, str, str]:
    """Closed 800 days ago; closed 20 days ago; still open."""
    old = file_claim(WebUser(container, "owner-old-0001"), 0)
    withdraw(container, old)
    clock.current = LATELY
    recent = file_claim(WebUser(container, "owner-recent-01"), 10)
    withdraw(container, recent)
    open_one = file_claim(WebUser(container, "owner-open-0001"), 20)
    clock.current = NOW
    return old, recent, open_one


def test_purge_dry_run_then_purge(
    env: Path,
    container: Container,
    three_claims: tuple[str, str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    old, recent, open_one = three_claims
    database, media_dir = container.database, env / "media"
    old_files = files_of(database, media_dir, old)
    assert len(old_files) == 3 and all(path.is_file() for path in old_files)
    with database.engine.connect() as conn:
        changes_before = conn.execute(select(func.count()).select_from(claim_status_change_t))
        changes_before_count = changes_before.scalar_one()
    capsys.readouterr()

    assert main(["purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "retention 730 days; would remove:" in out
    assert f"claims anonymised: 1 {old}" in out and "media files: 3 (" in out
    assert all(path.is_file() for path in old_files)
    assert claim_row(database, old)["plate"] == "沪A12345"

    assert main(["purge"]) == 0
    out = capsys.readouterr().out
    assert f"claims anonymised: 1 {old}" in out and "media files: 3 (" in out
    assert not any(path.exists() for path in old_files)
    purged = claim_row(database, old)
    for name in ("plate", "address", "description", "lat", "lon", "witnesses"):
        assert purged[name] is None, name
    assert purged["policy_number"] == ""
    assert (purged["status"], purged["urgent"]) == ("withdrawn", False)
    assert files_of(database, media_dir, old) == []
    with database.unit_of_work() as uow:  # the claim still reads, for its owner and staff
        claim = uow.claims.get(old)
        assert claim is not None and claim.closed
        detail = read_models.claim_detail(uow.connection, old)
        assert detail is not None and detail.summary.plate is None
    with database.engine.connect() as conn:
        changes = conn.execute(select(func.count()).select_from(claim_status_change_t))
        assert changes.scalar_one() == changes_before_count  # the history analytics count
        facts = {f.number: f for f in claim_facts(conn, LONG_AGO - timedelta(days=1), NOW)}
    assert set(facts) == {old, recent, open_one}
    assert "withdrawn" in facts[old].reached

    for kept in (recent, open_one):
        assert claim_row(database, kept)["plate"] == "沪A12345"
        assert all(path.is_file() for path in files_of(database, media_dir, kept))

    assert main(["purge"]) == 0
    assert "claims anonymised: 0" in capsys.readouterr().out


def test_the_daily_timer_purges_at_its_local_time(
    env: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMBOT_SCHEDULER_ENABLED", "true")
    monkeypatch.setenv("CLAIMBOT_PURGE_LOCAL_TIME", "03:30")
    built = build(Settings(), clock=clock)
    try:
        import_policies(built)
        old = file_claim(WebUser(built, "owner-old-0002"), 30)
        withdraw(built, old)
        assert built.scheduler is not None
        runner = built.scheduler.runner
        today = NOW.astimezone(SHANGHAI).date()
        clock.current = datetime.combine(today, time(16, 0), SHANGHAI)
        runner.ensure_recurring()
        runner.run_due()  # the scan arms tomorrow's purge (today's is past its grace)
        assert claim_row(built.database, old)["plate"] == "沪A12345"
        clock.current = datetime.combine(today + timedelta(days=1), time(3, 31), SHANGHAI)
        runner.run_due()
        assert claim_row(built.database, old)["plate"] is None
        assert files_of(built.database, env / "media", old) == []
    finally:
        built.close()


def test_a_processed_wechat_message_keeps_no_raw_xml(
    sqlite_database: Database, tmp_path: Path
) -> None:
    with wechat_rig(sqlite_database, tmp_path / "media") as rig:
        rig.say("o-xml-owner-000000000000001", "我的手机 13800138001")
        with sqlite_database.engine.connect() as conn:
            rows = conn.execute(select(wechat_inbox_t.c.status, wechat_inbox_t.c.body)).all()
    assert rows and all(status == "done" and body == "" for status, body in rows)
