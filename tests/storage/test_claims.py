from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain import services
from domain.claim import ClaimStatus, PolicyNotInForce
from domain.evidence import MediaKind
from storage.db import Database
from tests.storage.helpers import (
    NOW,
    complete_report,
    evidence_for,
    file_claim,
    import_example,
    media,
    new_owner,
)


def test_claim_round_trip(database: Database, directory_data: dict[str, Any]) -> None:
    import_example(database, directory_data)
    owner = new_owner(database)
    claim = file_claim(database, owner, "BA2026060100001")
    claim.change_status(ClaimStatus.ASSIGNED, NOW + timedelta(minutes=5), "adjuster:ADJ-SH-01")

    with database.unit_of_work() as uow:
        loaded = uow.claims.get("BA2026060100001")
        assert uow.claims.get("BA2026060199999") is None
    assert loaded is not None
    # Stored at filing time: one status change, status reported.
    assert loaded.status is ClaimStatus.REPORTED
    assert loaded.timeline == claim.timeline[:1]
    assert loaded.report == claim.report
    assert loaded.number == claim.number
    assert loaded.owner_id == owner
    assert loaded.reported_at == NOW
    assert loaded.urgent and not loaded.late

    # Order, kinds, roles, EXIF time/place from the media rows.
    kinds = [item.kind for item in loaded.report.evidence]
    assert kinds == [MediaKind.PHOTO] * 4 + [MediaKind.VIDEO]
    assert loaded.report.evidence[0].gps is not None
    assert loaded.report.evidence[-1].taken_at is None

    # Datetimes come back aware, in UTC, on every engine.
    aware = [loaded.reported_at, loaded.report.accident_at, loaded.timeline[0].at]
    aware += [item.taken_at for item in loaded.report.evidence if item.taken_at]
    for value in aware:
        assert value is not None
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)
        assert value.tzinfo == UTC


def test_status_token_and_owner_claims(database: Database, directory_data: dict[str, Any]) -> None:
    import_example(database, directory_data)
    owner = new_owner(database, "a")
    other = new_owner(database, "b")
    file_claim(database, owner, "BA2026060100001")
    with database.unit_of_work() as uow:
        token = uow.claims.status_token("BA2026060100001")
        assert uow.claims.status_token("nope") is None
        assert token is not None and len(token) >= 32
        by_token = uow.claims.by_status_token(token)
        assert by_token is not None and by_token.number == "BA2026060100001"
        assert [c.number for c in uow.claims.for_owner(owner)] == ["BA2026060100001"]
        assert uow.claims.for_owner(other) == []


def test_next_sequence_counts_per_day(database: Database) -> None:
    day = date(2026, 6, 1)
    with database.unit_of_work() as uow:
        assert [uow.claims.next_sequence(day) for _ in range(3)] == [1, 2, 3]
        assert uow.claims.next_sequence(date(2026, 6, 2)) == 1
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.claims.next_sequence(day) == 4
        # not committed: rolled back


def test_next_sequence_under_concurrency(database: Database) -> None:
    day = date(2026, 6, 1)
    threads, per_thread = 8, 15
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work() -> None:
        try:
            start.wait()
            for _ in range(per_thread):
                with database.unit_of_work() as uow:
                    value = uow.claims.next_sequence(day)
                    uow.commit()
                with lock:
                    results.append(value)
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert sorted(results) == list(range(1, threads * per_thread + 1))


def test_a_report_refused_at_filing_leaves_the_day_counter(
    database: Database, directory_data: dict[str, Any]
) -> None:
    """The refusal is answered in a turn that commits; the number must not be used up."""
    import_example(database, directory_data)
    owner = new_owner(database)
    tz = ZoneInfo("Asia/Shanghai")
    with database.unit_of_work() as uow:
        files = [media(i) for i in range(3)]
        report = complete_report(evidence_for([(uow.media.add(f), f) for f in files]))
        uow.commit()
    outside = replace(report, accident_at=NOW.replace(year=2025))  # before 2026-03-01
    with database.unit_of_work() as uow:
        with pytest.raises(PolicyNotInForce):
            services.file_claim(uow, outside, owner, NOW, tz, "party:1")
        uow.commit()  # as the engine does: the turn goes on and commits
    with database.unit_of_work() as uow:
        claim = services.file_claim(uow, report, owner, NOW, tz, "party:1")
        uow.commit()
    assert claim.number == "BA2026060100001"
    with database.unit_of_work() as uow:
        assert uow.claims.get("BA2026060100001") is not None
