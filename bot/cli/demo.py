"""`claimbot demo`: one scripted case end to end, through the real engine, three parties.

An owner reports an accident on the web chat; the adjuster ADJ-SH-01 (pre-bound to a
Telegram id in the sample directory) takes it, assesses it and proposes direct repair;
the owner agrees and books SHOP-PD-01, whose staff member (also pre-bound) confirms and
reports the repair; the owner accepts and rates it. It runs on a throw-away SQLite
database with the sample directory imported (policies moved to be in force today), and
prints each party's messages as they would read them. Channels are off, so the Telegram
parties' messages are read from the outbox instead of being sent.
"""

from __future__ import annotations

import io
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

import yaml
from PIL import Image, ImageDraw

from bot.bootstrap import Container, build
from bot.media_intake import Upload
from bot.rendering import RenderedMessage, render
from bot.settings import Settings
from messages.inbound import Inbound, InboundKind
from storage.migrate import upgrade
from storage.repositories.directory import import_directory

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SAMPLE_DIRECTORY = EXAMPLES / "directory.yaml"
DEMO_SCRIPT = EXAMPLES / "demo_script.yaml"


@dataclass(frozen=True)
class Party:
    """Who acts in the demo, and the channel identity they act from."""

    role: str
    channel: str
    user_id: str


OWNER = Party("owner", "web", "demo-owner-0001")
ADJUSTER = Party("adjuster", "telegram", "900001")  # ADJ-SH-01 in the sample directory
SHOP = Party("shop", "telegram", "900101")  # SHOP-PD-01's staff in the sample directory
PARTIES = (OWNER, ADJUSTER, SHOP)


@dataclass(frozen=True)
class Step:
    """One thing a party does: type text, tap a choice, tap the first offered choice that
    starts with a prefix, share a location, send photos. ``{number}`` is the claim number."""

    kind: str
    value: str = ""
    shows: str = ""
    party: Party = OWNER


def load_script(path: Path = DEMO_SCRIPT) -> tuple[Step, ...]:
    """The steps of ``examples/demo_script.yaml`` (what the parties type is data, not code)."""
    by_role = {party.role: party for party in PARTIES}
    steps = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Step(
            kind=step["kind"],
            value=str(step.get("value", "")),
            shows=str(step.get("shows", "")),
            party=by_role[step.get("party", OWNER.role)],
        )
        for step in steps
    )


def demo_photos(count: int) -> Iterator[bytes]:
    for index in range(count):
        image = Image.new("RGB", (800, 600), (40 + 60 * index, 90, 160))
        draw = ImageDraw.Draw(image)
        draw.rectangle((150, 200, 650, 450), outline=(255, 255, 255), width=8)
        draw.text((20, 20), f"claimbot demo photo {index + 1}", fill=(255, 255, 255))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        yield buffer.getvalue()


def run_demo(out: TextIO, *, locale_hint: str = "zh-CN") -> str | None:
    """Play the script; print the transcript; return the claim number issued."""
    with tempfile.TemporaryDirectory(prefix="claimbot-demo-") as workdir:
        settings = Settings(
            database_url=f"sqlite:///{workdir}/demo.db",
            media_dir=Path(workdir) / "media",
            # The demo plays days in seconds: the car "arrives" right after the booking.
            booking_arrival_window_hours=72,
        )
        upgrade(settings.database_url)
        container = build(settings)
        try:
            _import_sample(container)
            return _play(container, out, locale_hint)
        finally:
            container.close()


def _import_sample(container: Container) -> None:
    data = yaml.safe_load(SAMPLE_DIRECTORY.read_text(encoding="utf-8"))
    today = container.clock.now().astimezone(container.settings.tz).date()
    for policy in data["policies"]:  # the sample's periods are fixed; the demo runs today
        policy["valid"] = {"from": today - timedelta(days=90), "to": today + timedelta(days=275)}
    with container.database.unit_of_work() as uow:
        import_directory(uow, data)
        uow.commit()


def _play(container: Container, out: TextIO, locale_hint: str) -> str | None:
    number = ""
    labels: dict[str, str] = {}
    offered: dict[Party, list[str]] = {party: [] for party in PARTIES}
    for step in load_script():
        value = _resolve(step, number, offered[step.party])
        if value is None:
            out.write(f"\n(demo stopped: {step.party.role} was not offered {step.value})\n")
            return number or None
        shown = step.shows or labels.get(value, value)
        out.write(f"\n{step.party.role}> {shown}\n")
        outcome = container.engine.process(_inbound(container, step, value, locale_hint))
        for reply in outcome.replies:
            if reply.key == "report.filed":
                number = str(reply.params["number"])
        for party in PARTIES:
            for message in _fetch(container, party):
                out.write(_format(party, message))
                labels.update((choice.value, f"[{choice.label}]") for choice in message.choices)
                if message.choices:
                    offered[party] = [choice.value for choice in message.choices]
    return number or None


def _resolve(step: Step, number: str, offered: list[str]) -> str | None:
    value = step.value.format(number=number)
    if step.kind != "first":
        return value
    return next((choice for choice in offered if choice.startswith(value)), None)


def _inbound(container: Container, step: Step, value: str, locale_hint: str) -> Inbound:
    party = step.party
    common: dict[str, Any] = {
        "channel": party.channel,
        "user_id": party.user_id,
        "chat_id": party.user_id,
        "message_id": uuid.uuid4().hex,
        "received_at": container.clock.now(),
        "language_hint": locale_hint,
    }
    if step.kind in ("choice", "first"):
        return Inbound(kind=InboundKind.CHOICE, text=value, **common)
    if step.kind == "location":
        lat, lon = (float(part) for part in value.split(","))
        return Inbound(kind=InboundKind.LOCATION, payload={"lat": lat, "lon": lon}, **common)
    if step.kind == "photos":
        uploads = [Upload(data, "photo") for data in demo_photos(int(value))]
        result = container.intake.accept(uploads)
        return Inbound(
            kind=InboundKind.MEDIA, media=result.items, rejected=result.rejected, **common
        )
    return Inbound(kind=InboundKind.TEXT, text=value, **common)


def _fetch(container: Container, party: Party) -> list[RenderedMessage]:
    with container.database.unit_of_work() as uow:
        rows = [
            row
            for row in uow.outbox.for_chat(party.channel, party.user_id, 0)
            if row.sent_at is None
        ]
        uow.outbox.mark_sent([row.id for row in rows], container.clock.now())
        uow.commit()
    return [render(container.catalogs, row.locale, row.payload) for row in rows]


def _format(party: Party, message: RenderedMessage) -> str:
    prefix = f"bot → {party.role}>"
    indent = " " * (len(prefix) + 1)
    lines = [
        f"{prefix if i == 0 else indent[:-1]} {line}"
        for i, line in enumerate(message.text.splitlines() or [""])
    ]
    if message.choices:
        lines.append(indent + "  ".join(f"[{choice.label}]" for choice in message.choices))
    return "\n".join(lines) + "\n"
