"""Fraud facts from stored claims: reused photos by perceptual hash, repeat plates and phones."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from domain.claim import Claim
from domain.fraud_signals import FraudRules, SignalKind, fraud_signals
from storage.db import Database
from storage.media.store import MediaStore
from storage.read_models.fraud import FraudQueries
from tests.scene_images import resized_copy, scene_jpeg
from tests.storage.helpers import NOW, complete_report, evidence_for, import_example, new_owner

SHANGHAI = ZoneInfo("Asia/Shanghai")
TAKEN = NOW - timedelta(hours=2, minutes=50)
GPS = (31.2304, 121.4737)


def _file(
    db: Database,
    store: MediaStore,
    owner: int,
    number: str,
    photos: list[bytes],
    *,
    reported_at: Any = NOW,
    policy_number: str = "PDAA20260001",
    plate: str = "沪A12345",
) -> Claim:
    with db.unit_of_work() as uow:
        stored = [store.save(data) for data in photos]
        report = complete_report(evidence_for([(uow.media.add(m), m) for m in stored]))
        report = replace(
            report,
            policy_number=policy_number,
            plate=plate,
            accident_at=reported_at - timedelta(hours=3),
        )
        policy = uow.policies.by_number(policy_number)
        assert policy is not None
        claim = Claim.file(number, report, policy, owner, reported_at, "owner")
        uow.claims.add(claim)
        uow.commit()
    return claim


def _signals(db: Database, claim: Claim) -> list[tuple[SignalKind, str | None, int | None]]:
    rules = FraudRules()
    with db.unit_of_work() as uow:
        policy = uow.policies.by_number(claim.policy_number)
        assert policy is not None
        facts = FraudQueries(uow.connection).facts(claim, policy, rules, SHANGHAI)
    return [(s.kind, s.other_claim, s.media_id) for s in fraud_signals(facts, rules)]


def test_a_clean_claim_raises_nothing(
    database: Database, directory_data: dict[str, Any], tmp_path: Path
) -> None:
    import_example(database, directory_data)
    store = MediaStore(tmp_path)
    owner = new_owner(database)
    photos = [scene_jpeg(n, taken_at=TAKEN, gps=GPS) for n in (1, 2, 3)]
    claim = _file(database, store, owner, "BA2026060100001", photos)
    assert _signals(database, claim) == []


def test_a_photo_resent_in_another_claim_is_found_by_its_perceptual_hash(
    database: Database, directory_data: dict[str, Any], tmp_path: Path
) -> None:
    import_example(database, directory_data)
    store = MediaStore(tmp_path)
    earlier_photo = scene_jpeg(7, taken_at=TAKEN, gps=GPS)
    first = new_owner(database, "owner-1")
    _file(
        database,
        store,
        first,
        "BA2026050100001",
        [earlier_photo, scene_jpeg(8), scene_jpeg(10)],
        reported_at=NOW - timedelta(days=90),
        policy_number="PDAA20260002",
        plate="沪B67890",
    )
    second = new_owner(database, "owner-2")
    reused = resized_copy(earlier_photo)  # other bytes: not the same file
    photos = [scene_jpeg(9, taken_at=TAKEN, gps=GPS), reused, scene_jpeg(11)]
    claim = _file(database, store, second, "BA2026060100002", photos)
    with database.unit_of_work() as uow:
        reused_id = uow.media.id_for(store.save(reused).sha256)
    assert _signals(database, claim) == [
        (SignalKind.PHOTO_REUSED, "BA2026050100001", reused_id)
    ]


def test_the_same_plate_or_phone_within_30_days(
    database: Database, directory_data: dict[str, Any], tmp_path: Path
) -> None:
    import_example(database, directory_data)
    store = MediaStore(tmp_path)
    owner = new_owner(database)
    old, recent, new = ([scene_jpeg(n + k) for k in range(3)] for n in (20, 30, 40))
    _file(database, store, owner, "BA2026051000001", old, reported_at=NOW - timedelta(days=40))
    _file(database, store, owner, "BA2026052000002", recent, reported_at=NOW - timedelta(days=12))
    claim = _file(database, store, owner, "BA2026060100003", new)
    assert _signals(database, claim) == [
        (SignalKind.SAME_PLATE, "BA2026052000002", None),
        (SignalKind.SAME_PHONE, "BA2026052000002", None),
    ]
