"""API tokens: hashed at rest, shown once, scoped, revocable; the `claimbot token` CLI."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.cli.main import main
from bot.web.auth import verify_token
from storage.db import Database
from storage.repositories.api_tokens import TOKEN_PREFIX, ApiTokenRepository, UnknownShop
from storage.repositories.directory import import_directory
from storage.tables.api import api_token_t
from tests.conftest import EXAMPLE_DIRECTORY
from tests.engine_harness import database_url
from tests.fakes import FixedClock


@pytest.fixture
def directory(database: Database) -> Database:
    with database.unit_of_work() as uow:
        import_directory(uow, yaml.safe_load(EXAMPLE_DIRECTORY.read_text(encoding="utf-8")))
        uow.commit()
    return database


def test_only_the_hash_is_stored_and_the_raw_token_verifies(directory: Database) -> None:
    now = FixedClock().now()
    with directory.unit_of_work() as uow:
        raw, token = ApiTokenRepository(uow.connection).create("insurer", None, "ops", now)
        uow.commit()
    assert raw.startswith(TOKEN_PREFIX) and len(raw) > 40
    with directory.engine.connect() as conn:
        stored = conn.execute(select(api_token_t)).one()
    assert raw not in [str(value) for value in stored]
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    with directory.unit_of_work() as uow:
        tokens = ApiTokenRepository(uow.connection)
        found = tokens.verify(raw)
        assert found is not None and found.id == token.id and found.scope == "insurer"
        assert tokens.verify(raw + "x") is None
        assert tokens.verify("") is None


def test_a_shop_token_names_a_known_shop(directory: Database) -> None:
    now = FixedClock().now()
    with directory.unit_of_work() as uow:
        tokens = ApiTokenRepository(uow.connection)
        _, token = tokens.create("shop", "SHOP-PD-01", None, now)
        assert token.shop_code == "SHOP-PD-01"
        with pytest.raises(UnknownShop):
            tokens.create("shop", "SHOP-NOPE", None, now)
        with pytest.raises(UnknownShop):
            tokens.create("shop", None, None, now)


def test_revoked_tokens_no_longer_verify_and_use_is_recorded(directory: Database) -> None:
    clock = FixedClock()
    with directory.unit_of_work() as uow:
        raw, token = ApiTokenRepository(uow.connection).create("insurer", None, None, clock.now())
        uow.commit()
    viewer = verify_token(directory, raw, clock)
    assert viewer is not None and viewer.scope == "insurer" and viewer.token_id == token.id
    with directory.unit_of_work() as uow:
        tokens = ApiTokenRepository(uow.connection)
        used = tokens.get(token.id)
        assert used is not None and used.last_used_at == clock.now()
        clock.advance(timedelta(minutes=5))
        assert tokens.revoke(token.id, clock.now())
        assert not tokens.revoke(token.id, clock.now())  # once
        uow.commit()
    assert verify_token(directory, raw, clock) is None


def test_the_cli_creates_lists_and_revokes_tokens(
    directory: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", database_url(directory))
    monkeypatch.chdir(Path(__file__).parent)  # no stray .env
    assert main(["token", "create", "--scope", "shop:SHOP-XH-02", "--label", "徐汇"]) == 0
    out = capsys.readouterr().out
    raw = next(line.split()[1] for line in out.splitlines() if line.startswith("token: "))
    viewer = verify_token(directory, raw)
    assert viewer is not None and viewer.scope == "shop" and viewer.shop_code == "SHOP-XH-02"

    assert main(["token", "create", "--scope", "shop:SHOP-NOPE"]) == 2
    assert "no shop 'SHOP-NOPE'" in capsys.readouterr().err
    assert main(["token", "create", "--scope", "admin"]) == 2
    assert main(["token", "list"]) == 0
    listed = capsys.readouterr().out
    assert "shop:SHOP-XH-02\tactive\t徐汇" in listed and raw not in listed

    assert main(["token", "revoke", str(viewer.token_id)]) == 0
    assert verify_token(directory, raw) is None
    assert main(["token", "revoke", str(viewer.token_id)]) == 1
    assert main(["token", "list"]) == 0
    assert "shop:SHOP-XH-02\trevoked" in capsys.readouterr().out
