"""A person's rights on the command line: ``claimbot export-party`` writes everything held
about them (JSON and their photos, in a zip); ``claimbot erase-party`` erases it where no
claim still needs it and says what it kept and why."""

from __future__ import annotations

import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Container, build
from bot.cli.main import main
from bot.settings import Settings
from messages.inbound import Inbound, InboundKind
from storage.tables.core import conversation_t, identity_t, outbox_t
from tests.booking_support import WebUser, bind_staff_to_web
from tests.engine_harness import import_sample
from tests.fakes import FixedClock
from tests.media_samples import jpeg_bytes
from tests.test_retention import claim_row, file_claim, files_of, withdraw

PHOTOS = [jpeg_bytes(seed=40 + n, gps=(31.2304, 121.4737)) for n in range(3)]


@pytest.fixture
def container(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("CLAIMBOT_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("CLAIMBOT_SCHEDULER_ENABLED", "false")
    monkeypatch.chdir(tmp_path)
    assert main(["migrate"]) == 0
    built = build(Settings(), clock=FixedClock())
    import_sample(built)
    yield built
    built.close()


def count(container: Container, table: object, *where: object) -> int:
    with container.database.engine.connect() as conn:
        query = select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
        return int(conn.execute(query).scalar_one())


def test_export_holds_the_claims_messages_consent_and_the_photos(
    container: Container, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = WebUser(container, "owner-export-01")
    number = file_claim(owner, 40)
    capsys.readouterr()
    output = tmp_path / "export.zip"
    assert main(["export-party", "--identity", "web:owner-export-01", "--output", str(output)]) == 0
    assert f"wrote {output}: 1 claim(s), 3 file(s)" in capsys.readouterr().out
    with zipfile.ZipFile(output) as archive:
        data = json.loads(archive.read("data.json"))
        photos = sorted(name for name in archive.namelist() if name.startswith("media/"))
        contents = {archive.read(name) for name in photos}
    assert data["identities"] == [{"channel": "web", "external_id": "owner-export-01"}]
    assert [c["version"] for c in data["consents"]] == ["2026-12"]
    [claim] = data["claims"]
    assert (claim["number"], claim["plate"]) == (number, "沪A12345")
    assert len(claim["evidence"]) == 3 and claim["status_changes"]
    assert data["policies"][0]["phone"] == "13800138001"
    texts = [m["text"] for m in data["messages_to_them"]]
    assert any(number in text for text in texts)
    assert len(photos) == 3 and contents == set(PHOTOS)  # their own photos, as sent
    assert main(["export-party", "--party", "99999"]) == 2
    assert "no such person" in capsys.readouterr().err


def test_erase_keeps_what_an_open_claim_needs_and_says_why(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = WebUser(container, "owner-erase-01")
    closed = file_claim(owner, 50)
    withdraw(container, closed)
    still_open = file_claim(owner, 60)
    capsys.readouterr()
    assert main(["erase-party", "--identity", "web:owner-erase-01"]) == 0
    out = capsys.readouterr().out
    assert "claims_anonymised: 1" in out and "media_files: 3" in out
    assert f"{still_open} (reported): claim still open: kept until it is settled" in out
    assert "identities" not in out  # nothing of the chat is erased while the claim is open
    assert count(container, identity_t, identity_t.c.external_id == "owner-erase-01") == 1
    assert claim_row(container.database, closed)["plate"] is None
    assert claim_row(container.database, still_open)["plate"] == "沪A12345"
    assert len(files_of(container.database, container.settings.media_dir, still_open)) == 3


def test_erase_removes_everything_once_nothing_is_open(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = WebUser(container, "owner-erase-02")
    closed = file_claim(owner, 70)
    withdraw(container, closed)
    capsys.readouterr()
    assert main(["erase-party", "--identity", "web:owner-erase-02", "--dry-run"]) == 0
    assert "would remove" in capsys.readouterr().out
    assert count(container, identity_t, identity_t.c.external_id == "owner-erase-02") == 1

    assert main(["erase-party", "--identity", "web:owner-erase-02"]) == 0
    out = capsys.readouterr().out
    assert "identities: 1" in out and "conversations: 1" in out
    assert f"{closed}: claims kept without personal data" in out
    assert count(container, identity_t, identity_t.c.external_id == "owner-erase-02") == 0
    assert count(container, conversation_t, conversation_t.c.chat_id == "owner-erase-02") == 0
    assert count(container, outbox_t, outbox_t.c.chat_id == "owner-erase-02") == 0
    # the same person writing again is a stranger, asked for consent afresh
    outcome = container.engine.process(
        Inbound(
            channel="web",
            user_id="owner-erase-02",
            chat_id="owner-erase-02",
            message_id=uuid.uuid4().hex,
            kind=InboundKind.TEXT,
            received_at=container.clock.now(),
            text="报案",
        )
    )
    assert [reply.key for reply in outcome.replies] == ["consent.notice"]


def test_staff_and_unknown_people_are_refused(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    bind_staff_to_web(container, "SHOP-PD-01", "staff-erase-01")
    assert main(["erase-party", "--identity", "web:staff-erase-01"]) == 2
    assert "staff account" in capsys.readouterr().err
    assert main(["erase-party", "--identity", "nobody"]) == 2
    assert main(["erase-party", "--identity", "web:never-seen"]) == 2
