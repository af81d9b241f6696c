"""The engine on real storage (SQLite and PostgreSQL): one transaction a turn, exactly once."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path

from bot.bootstrap import Container
from messages.inbound import InboundKind
from storage.db import Database
from tests.engine_harness import Owner, import_sample, make_container
from tests.fakes import FixedClock
from tests.media_samples import jpeg_bytes


def three_photos() -> list[bytes]:
    return [jpeg_bytes(seed=n) for n in range(3)]


def test_a_report_end_to_end_stores_the_claim(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos()
    assert owner.photos(three_photos()) == ["report.evidence_received", "report.summary"]
    assert owner.choose("r:summary:confirm") == ["report.filed"]
    texts = owner.rendered()
    assert "报案号：BA2026112500001" in texts[-1]
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get("BA2026112500001")
    assert claim is not None
    assert claim.policy_number == "PDAA20260001"
    assert claim.report.location is not None
    assert len(claim.report.evidence) == 3
    assert claim.reported_at == container.clock.now()


def test_a_redelivered_message_is_processed_once(container: Container) -> None:
    owner = Owner(container)
    first = container.engine.process(owner.inbound(InboundKind.TEXT, "/report", message_id="m-1"))
    again = container.engine.process(owner.inbound(InboundKind.TEXT, "/report", message_id="m-1"))
    assert not first.duplicate and again.duplicate
    assert len(owner.rendered()) == 2  # "started" and the first question, once


def test_the_conversation_survives_a_restart(
    database: Database, tmp_path: Path, clock: FixedClock, container: Container
) -> None:
    owner = Owner(container)
    owner.report_until_photos()
    container.close()
    restarted = make_container(database, tmp_path / "media", clock)
    try:
        again = Owner(restarted)
        assert again.photos(three_photos()) == ["report.evidence_received", "report.summary"]
        clock.advance(timedelta(days=3))
        assert again.choose("r:summary:confirm") == ["report.resume"]
        assert again.choose("r:resume:yes") == ["report.resumed", "report.summary"]
    finally:
        restarted.close()


def test_the_first_contact_language_hint_picks_the_locale(container: Container) -> None:
    owner = Owner(container, user_id="owner-en", hint="en-GB")
    owner.text("/report")
    assert owner.rendered()[0].startswith("OK, let's report")
    owner.text("/lang zh")
    owner.text("/help")
    assert owner.rendered()[-2].startswith("正在报案")


def test_concurrent_uploads_to_one_conversation_are_all_kept(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos()
    images = [jpeg_bytes(seed=100 + n) for n in range(8)]
    errors: list[BaseException] = []

    def upload(data: bytes) -> None:
        try:
            owner.photos([data])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(data,)) for data in images]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with container.database.unit_of_work() as uow:
        record = uow.conversations.get_for_update("web", owner.user_id)
    assert record is not None
    assert len(record.slots["draft"]["evidence"]) == 8


def test_claim_numbers_stay_unique_across_owners(container: Container) -> None:
    numbers = []
    for n in range(3):
        owner = Owner(container, user_id=f"owner-{n:04d}")
        owner.report_until_photos()
        owner.photos([jpeg_bytes(seed=10 * n + k) for k in range(3)])
        owner.choose("r:summary:confirm")
        numbers.append(owner.rendered()[-1])
    assert len(set(numbers)) == 3


def test_the_same_photo_uploaded_twice_fills_one_role(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos()
    p0, p1, p2 = three_photos()
    owner.photos([p0, p1])
    assert owner.photos([p0]) == ["report.evidence_received", "report.ask.evidence"]
    assert "之前已经收到过" in owner.rendered()[-2]
    assert owner.text("完成") == ["report.error.need_photos", "report.ask.evidence"]
    assert owner.photos([p2, p2]) == ["report.evidence_received", "report.summary"]
    assert owner.choose("r:summary:confirm") == ["report.filed"]
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get("BA2026112500001")
    assert claim is not None
    evidence = claim.report.evidence
    assert len({item.media_id for item in evidence}) == len(evidence) == 3
    assert [item.role.value for item in evidence if item.role] == [
        "overview",
        "damage",
        "plate_vin",
    ]


def test_a_report_refused_at_confirm_does_not_skip_a_claim_number(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos()
    owner.photos(three_photos())
    # The insurer's directory moves the policy's period while the report is open.
    import_sample(container, valid_around=date(2028, 1, 1))
    refused = owner.choose("r:summary:confirm")
    assert refused == ["report.error.policy_not_in_force", "report.ask.time"]
    import_sample(container)
    owner.choose("r:time:now")
    assert owner.choose("r:summary:confirm") == ["report.filed"]
    assert "报案号：BA2026112500001" in owner.rendered()[-1]
