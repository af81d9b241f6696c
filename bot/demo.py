"""`claimbot demo`: a scripted owner reports an accident through the real engine.

It runs on a throw-away SQLite database and media directory, with the sample directory
imported, and prints the transcript as the owner would read it.
"""

from __future__ import annotations

import io
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml
from PIL import Image, ImageDraw

from bot.bootstrap import Container, build
from bot.media_intake import Upload
from bot.rendering import RenderedMessage, render
from bot.settings import Settings
from dialogs.messages import Inbound, InboundKind
from storage.directory import import_directory
from storage.migrate import upgrade

SAMPLE_DIRECTORY = Path(__file__).resolve().parents[1] / "examples" / "directory.yaml"
OWNER = "demo-owner-0001"


@dataclass(frozen=True)
class Step:
    """One thing the owner does: type text, tap a choice, share a location, send photos."""

    kind: str
    value: str = ""
    shows: str = ""


SCRIPT: tuple[Step, ...] = (
    Step("text", "/report"),
    Step("text", "沪A12345"),
    Step("text", "8001"),
    Step("choice", "r:time:now"),
    Step("location", "31.2304,121.4737", "📍 31.2304, 121.4737"),
    Step("text", "在南京东路路口等红灯时被后车追尾，后保险杠和尾灯损坏。"),
    Step("choice", "r:injuries:no"),
    Step("choice", "r:drivable:yes"),
    Step("choice", "r:has_other:yes"),
    Step("text", "沪C54321"),
    Step("text", "太平洋保险"),
    Step("choice", "r:more_other:no"),
    Step("choice", "r:witnesses:skip"),
    Step("choice", "r:police:skip"),
    Step("photos", "3", "[3 photos]"),
    Step("choice", "r:evidence:done"),
    Step("choice", "r:summary:confirm"),
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
            database_url=f"sqlite:///{workdir}/demo.db", media_dir=Path(workdir) / "media"
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
    with container.database.unit_of_work() as uow:
        import_directory(uow, data)
        uow.commit()


def _play(container: Container, out: TextIO, locale_hint: str) -> str | None:
    claim_number: str | None = None
    labels: dict[str, str] = {}
    for step in SCRIPT:
        out.write(f"\nowner> {step.shows or labels.get(step.value, step.value)}\n")
        outcome = container.engine.process(_inbound(container, step, locale_hint))
        for reply in outcome.replies:
            if reply.key == "report.filed":
                claim_number = str(reply.params["number"])
        for message in _fetch(container):
            out.write(_format(message))
            labels.update((choice.value, f"[{choice.label}]") for choice in message.choices)
    return claim_number


def _inbound(container: Container, step: Step, locale_hint: str) -> Inbound:
    common: dict[str, Any] = {
        "channel": "web",
        "user_id": OWNER,
        "chat_id": OWNER,
        "message_id": uuid.uuid4().hex,
        "received_at": container.clock.now(),
        "language_hint": locale_hint,
    }
    if step.kind == "choice":
        return Inbound(kind=InboundKind.CHOICE, text=step.value, **common)
    if step.kind == "location":
        lat, lon = (float(part) for part in step.value.split(","))
        return Inbound(kind=InboundKind.LOCATION, payload={"lat": lat, "lon": lon}, **common)
    if step.kind == "photos":
        uploads = [Upload(data, "photo") for data in demo_photos(int(step.value))]
        result = container.intake.accept(uploads)
        return Inbound(
            kind=InboundKind.MEDIA, media=result.items, rejected=result.rejected, **common
        )
    return Inbound(kind=InboundKind.TEXT, text=step.value, **common)


def _fetch(container: Container) -> list[RenderedMessage]:
    with container.database.unit_of_work() as uow:
        rows = [row for row in uow.outbox.for_chat("web", OWNER, 0) if row.sent_at is None]
        uow.outbox.mark_sent([row.id for row in rows], container.clock.now())
        uow.commit()
    return [render(container.catalogs, row.locale, row.payload) for row in rows]


def _format(message: RenderedMessage) -> str:
    lines = [f"bot>   {line}" for line in message.text.splitlines()]
    if message.choices:
        lines.append("       " + "  ".join(f"[{choice.label}]" for choice in message.choices))
    return "\n".join(lines) + "\n"
