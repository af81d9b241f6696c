"""Near photos found through the pHash bands (media_phash_band) give exactly what comparing
every photo of the window gives, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.claim import Claim
from domain.fraud_signals import PhotoMatch, hamming
from storage.db import Database
from storage.read_models.fraud import FraudQueries
from tests.storage.helpers import NOW, complete_report, evidence_for, import_example, media
from tests.storage.helpers import new_owner as _new_owner

BASE = "f0e1d2c3b4a59687"


def flip(phash: str, *bits: int) -> str:
    value = int(phash, 16)
    for bit in bits:
        value ^= 1 << bit
    return f"{value:016x}"


class Claims:
    """Files claims whose photos carry given pHashes (a new file per hash unless shared).

    Each claim also has the three photos a report needs, unhashed and first."""

    def __init__(self, db: Database, directory_data: dict[str, Any]) -> None:
        import_example(db, directory_data)
        self.db = db
        self.owner = _new_owner(db)
        self.files = 0
        self.count = 0

    def file(
        self, hashes: list[str | None], *, reported_at: datetime = NOW, reuse: list[int] = ()
    ) -> tuple[str, list[int]]:
        """A claim with a new photo per hash, then the media ids in ``reuse`` (same files);
        returns its number and those photos' media ids."""
        self.count += 1
        number = f"BA{reported_at:%Y%m%d}{self.count:05d}"
        with self.db.unit_of_work() as uow:
            stored = []
            for phash in [None, None, None, *hashes]:
                self.files += 1
                item = replace(media(self.files), phash=phash)
                stored.append((uow.media.add(item), item))
            for media_id in reuse:
                item = uow.media.get(media_id)
                assert item is not None
                stored.append((media_id, item))
            report = complete_report(evidence_for(stored))
            policy = uow.policies.by_number(report.policy_number or "")
            assert policy is not None
            claim = Claim.file(number, report, policy, self.owner, reported_at, "owner")
            uow.claims.add(claim)
            uow.commit()
        return number, [media_id for media_id, _ in stored[3:]]

    def matches(self, number: str, since: datetime, distance: int) -> list[PhotoMatch]:
        with self.db.unit_of_work() as uow:
            return FraudQueries(uow.connection).photo_matches(number, since, distance)

    def scanned(self, number: str, since: datetime, distance: int) -> list[PhotoMatch]:
        with self.db.unit_of_work() as uow:
            return FraudQueries(uow.connection).photo_matches_by_scan(number, since, distance)


@pytest.fixture
def claims(database: Database, directory_data: dict[str, Any]) -> Claims:
    return Claims(database, directory_data)


SINCE = NOW - timedelta(days=365)


def test_near_photos_up_to_the_distance_and_not_beyond(claims: Claims) -> None:
    same, _ = claims.file([BASE], reported_at=NOW - timedelta(days=10))
    at_six, _ = claims.file([flip(BASE, 0, 9, 18, 27, 36, 45)], reported_at=NOW - timedelta(days=9))
    # seven bits, one band with two of them: beyond 6 however the bits fall
    at_seven, _ = claims.file(
        [flip(BASE, 1, 2, 20, 40, 50, 60, 63)], reported_at=NOW - timedelta(days=8)
    )
    claims.file([flip(BASE, *range(0, 64, 2))], reported_at=NOW - timedelta(days=7))  # far
    number, (mine,) = claims.file([BASE])
    assert claims.matches(number, SINCE, 6) == [
        PhotoMatch(mine, same, 0),
        PhotoMatch(mine, at_six, 6),
    ]
    assert claims.matches(number, SINCE, 0) == [PhotoMatch(mine, same, 0)]
    assert claims.matches(number, SINCE, 7) == [
        PhotoMatch(mine, same, 0),
        PhotoMatch(mine, at_six, 6),
        PhotoMatch(mine, at_seven, 7),
    ]


def test_the_largest_distance_allowed_the_scan_way(claims: Claims) -> None:
    far = flip(BASE, *range(0, 62, 2))  # 31 bits
    other, _ = claims.file([far, flip(BASE, *range(0, 64, 2))], reported_at=NOW - timedelta(days=1))
    number, (mine,) = claims.file([BASE])
    assert claims.matches(number, SINCE, 31) == [PhotoMatch(mine, other, 31)]
    assert claims.matches(number, SINCE, 30) == []


def test_the_very_same_file_in_another_claim_even_without_a_hash(claims: Claims) -> None:
    earlier, (hashed, unhashed) = claims.file([BASE, None], reported_at=NOW - timedelta(days=3))
    number, ids = claims.file([], reuse=[hashed, unhashed])
    assert ids == [hashed, unhashed]
    assert claims.matches(number, SINCE, 6) == [
        PhotoMatch(hashed, earlier, 0),
        PhotoMatch(unhashed, earlier, 0),
    ]
    assert claims.matches(number, SINCE, 6) == claims.scanned(number, SINCE, 6)
    # a claim without any hashed photo: its very files only
    unhashed_only, _ = claims.file([], reuse=[unhashed])
    assert claims.matches(unhashed_only, SINCE, 6) == [
        PhotoMatch(unhashed, earlier, 0),
        PhotoMatch(unhashed, number, 0),
    ]


def test_claims_reported_before_the_window_are_not_looked_at(claims: Claims) -> None:
    old, (old_file,) = claims.file([BASE], reported_at=NOW - timedelta(days=400))
    recent, _ = claims.file([flip(BASE, 5)], reported_at=NOW - timedelta(days=100))
    number, (mine, same) = claims.file([flip(BASE, 7)], reuse=[old_file])
    assert same == old_file
    assert claims.matches(number, SINCE, 6) == [
        PhotoMatch(mine, recent, 2),
        PhotoMatch(old_file, recent, 1),
    ]
    # the old claim's photo is this claim's very file: that match alone, as before the bands
    assert claims.matches(number, NOW - timedelta(days=500), 6) == [
        PhotoMatch(old_file, old, 0),
        PhotoMatch(mine, recent, 2),
        PhotoMatch(old_file, recent, 1),
    ]
    assert claims.matches(number, NOW - timedelta(days=50), 6) == []


def test_the_bands_find_what_comparing_every_photo_finds(claims: Claims) -> None:
    """Random hashes, many of them a few bits from an earlier one; every claim checked
    against a brute-force comparison of the test's own records, at several distances."""
    rng = random.Random(20261206)
    filed: list[tuple[str, datetime, list[tuple[int, str | None]]]] = []
    for n in range(36):
        reported = NOW - timedelta(days=rng.randrange(0, 500))
        hashes: list[str | None] = []
        for _ in range(rng.randrange(1, 4)):
            pool = [h for _, _, photos in filed for _, h in photos if h]
            if pool and rng.random() < 0.7:
                hashes.append(flip(rng.choice(pool), *rng.sample(range(64), rng.randrange(0, 13))))
            else:
                hashes.append(None if rng.random() < 0.05 else f"{rng.getrandbits(64):016x}")
        earlier = [mid for _, _, photos in filed for mid, _ in photos]
        reuse = [rng.choice(earlier)] if earlier and n % 7 == 0 else []
        number, ids = claims.file(hashes, reported_at=reported, reuse=reuse)
        phashes = hashes + [dict(p for _, _, ps in filed for p in ps)[mid] for mid in reuse]
        filed.append((number, reported, list(zip(ids, phashes, strict=True))))

    def brute(number: str, since: datetime, distance: int) -> Counter[PhotoMatch]:
        mine = next(photos for n, _, photos in filed if n == number)
        mine_ids = {mid for mid, _ in mine}
        found: Counter[PhotoMatch] = Counter()
        for other, reported, photos in filed:
            if other == number or reported < since:
                continue
            for other_id, other_hash in photos:
                if other_id in mine_ids:
                    found[PhotoMatch(other_id, other, 0)] += 1
                    continue
                for mid, phash in mine:
                    if phash and other_hash and hamming(phash, other_hash) <= distance:
                        found[PhotoMatch(mid, other, hamming(phash, other_hash))] += 1
        return found

    since = NOW - timedelta(days=365)
    seen = 0
    for distance in (0, 3, 4, 6, 7, 8, 11, 12):
        for number, _, _ in filed:
            banded = claims.matches(number, since, distance)
            assert Counter(banded) == brute(number, since, distance), (number, distance)
            assert banded == claims.scanned(number, since, distance)
            seen += len(banded)
    assert seen > 100  # the data did hold near photos
