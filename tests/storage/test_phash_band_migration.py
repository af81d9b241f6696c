"""Migration 0022 fills the pHash bands of the photos already stored: a database at 0021
with photos upgrades, and its old photos are found by the banded lookup."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from domain.claim import Claim
from domain.fraud_signals import PhotoMatch
from storage import migrate
from storage.db import Database
from storage.read_models.fraud import FraudQueries
from storage.tables.core import media_phash_band_t, media_t
from tests.conftest import POSTGRES_URL, _unavailable
from tests.storage.helpers import NOW, complete_report, evidence_for, import_example, media
from tests.storage.helpers import new_owner as _new_owner

OLD_HASHES = ["f0e1d2c3b4a59687", "0123456789abcdef", None]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url_at_0021(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'at-0021.db'}"
        migrate.upgrade(url, "0021")
        yield url
        return
    admin_url = make_url(POSTGRES_URL)
    name = f"claimbot_phash_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        _unavailable(f"{admin_url.render_as_string(hide_password=True)}: {exc}")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url, "0021")
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _file(
    db: Database, number: str, first: int, hashes: list[str | None], *, old: bool
) -> list[int]:
    """A claim with three unhashed photos and one per hash; at 0021 the media rows are
    written as that release did (no bands)."""
    owner = _new_owner(db, f"owner-{number}")
    with db.unit_of_work() as uow:
        stored = []
        for n, phash in enumerate([None, None, None, *hashes], first):
            item = replace(media(n), phash=phash)
            if old:
                values: dict[str, Any] = asdict(item) | {"created_at": NOW}
                media_id = uow.connection.execute(
                    insert(media_t).values(values).returning(media_t.c.id)
                ).scalar_one()
            else:
                media_id = uow.media.add(item)
            stored.append((int(media_id), item))
        policy = uow.policies.by_number("PDAA20260001")
        assert policy is not None
        reported = NOW - timedelta(days=30 if old else 0)
        claim = Claim.file(
            number, complete_report(evidence_for(stored)), policy, owner, reported, "owner"
        )
        uow.claims.add(claim)
        uow.commit()
    return [media_id for media_id, _ in stored[3:]]


def test_photos_stored_before_the_bands_are_found_after_the_upgrade(
    url_at_0021: str, directory_data: dict[str, Any]
) -> None:
    before = Database(url_at_0021)
    try:
        import_example(before, directory_data)
        old_ids = _file(before, "BA2026050200001", 1, OLD_HASHES, old=True)
    finally:
        before.dispose()
    migrate.upgrade(url_at_0021)
    assert migrate.current_revision(url_at_0021) == migrate.head_revision()
    after = Database(url_at_0021)
    try:
        with after.unit_of_work() as uow:
            bands = uow.connection.execute(
                select(media_phash_band_t.c.media_id, func.count()).group_by(
                    media_phash_band_t.c.media_id
                )
            ).all()
        assert sorted((int(m), int(c)) for m, c in bands) == [(old_ids[0], 4), (old_ids[1], 4)]
        # a resent copy: 3 bits off the first old photo
        (near,) = _file(after, "BA2026060100002", 10, ["f0e1d2c3b4a59680"], old=False)
        with after.unit_of_work() as uow:
            found = FraudQueries(uow.connection).photo_matches(
                "BA2026060100002", NOW - timedelta(days=365), 6
            )
    finally:
        after.dispose()
    assert found == [PhotoMatch(near, "BA2026050200001", 3)]
