"""A real container (engine, storage, media store) on a test database, driven as a channel."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.bootstrap import Container, build
from bot.media_intake import Upload
from bot.rendering import render
from bot.settings import Settings
from messages.inbound import Inbound, InboundKind
from storage.db import Database
from storage.repositories.directory import import_directory
from tests.consent_support import agree
from tests.fakes import FixedClock

DIRECTORY = Path(__file__).resolve().parents[1] / "examples" / "directory.yaml"


def database_url(database: Database) -> str:
    return database.url.render_as_string(hide_password=False)


def make_container(database: Database, media_dir: Path, clock: FixedClock) -> Container:
    settings = Settings(database_url=database_url(database), media_dir=media_dir)
    return build(settings, clock=clock)


def sample_directory(valid_around: date | None = None) -> dict[str, Any]:
    """The sample directory; with `valid_around`, its policies are in force around that day
    (for tests on the real clock, which the sample's fixed policy periods would outlive)."""
    data: dict[str, Any] = yaml.safe_load(DIRECTORY.read_text(encoding="utf-8"))
    if valid_around is not None:
        for policy in data["policies"]:
            policy["valid"] = {
                "from": valid_around - timedelta(days=200),
                "to": valid_around + timedelta(days=200),
            }
    return data


def import_sample(container: Container, *, valid_around: date | None = None) -> None:
    with container.database.unit_of_work() as uow:
        import_directory(uow, sample_directory(valid_around))
        uow.commit()


class Owner:
    """One owner chatting on the web channel through the engine."""

    def __init__(self, container: Container, user_id: str = "owner-0001", hint: str = "zh-CN"):
        self.container = container
        self.user_id = user_id
        self.hint = hint
        agree(container.database, "web", user_id, hint)

    def inbound(self, kind: InboundKind, text: str = "", **extra: Any) -> Inbound:
        return Inbound(
            channel="web",
            user_id=self.user_id,
            chat_id=self.user_id,
            message_id=extra.pop("message_id", uuid.uuid4().hex),
            kind=kind,
            received_at=self.container.clock.now(),
            text=text,
            language_hint=self.hint,
            **extra,
        )

    def send(self, kind: InboundKind, text: str = "", **extra: Any) -> list[str]:
        outcome = self.container.engine.process(self.inbound(kind, text, **extra))
        return [reply.key for reply in outcome.replies]

    def text(self, text: str) -> list[str]:
        return self.send(InboundKind.TEXT, text)

    def choose(self, value: str) -> list[str]:
        return self.send(InboundKind.CHOICE, value)

    def photos(self, images: list[bytes]) -> list[str]:
        result = self.container.intake.accept([Upload(data, "photo") for data in images])
        return self.send(InboundKind.MEDIA, media=result.items, rejected=result.rejected)

    def rendered(self) -> list[str]:
        with self.container.database.unit_of_work() as uow:
            rows = uow.outbox.for_chat("web", self.user_id, 0)
        return [render(self.container.catalogs, row.locale, row.payload).text for row in rows]

    def report_until_photos_described(self, description: str) -> None:
        """A report up to the description, which is `description`."""
        self.text("/report")
        self.text("沪A12345")
        self.text("8001")
        self.choose("r:time:now")
        self.send(InboundKind.LOCATION, payload={"lat": 31.2304, "lon": 121.4737})
        self.text(description)

    def report_until_photos(self) -> None:
        self.text("/report")
        self.text("沪A12345")
        self.text("8001")
        self.choose("r:time:now")
        self.send(InboundKind.LOCATION, payload={"lat": 31.2304, "lon": 121.4737})
        self.text("倒车时后保险杠受损")
        self.choose("r:injuries:no")
        self.choose("r:drivable:yes")
        self.choose("r:has_other:none")
        self.choose("r:witnesses:skip")  # the optional items, skipped together
