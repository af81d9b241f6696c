"""What arrived: one inbound message in channel-neutral terms (every channel adapter
translates to it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class InboundKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"  # text starting with "/", or a menu key
    MEDIA = "media"  # one or more photos/videos (an album, a multi-file upload)
    LOCATION = "location"
    CONTACT = "contact"
    CHOICE = "choice"  # a tapped button
    EVENT = "event"  # follow, menu click, ...
    UNSUPPORTED = "unsupported"  # sticker, voice, file of another type


@dataclass(frozen=True)
class MediaItem:
    """A stored photo or video (already validated by the media store)."""

    media_id: int
    kind: str  # "photo" | "video"
    taken_at: datetime | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None


def media_item_to_json(item: MediaItem) -> dict[str, Any]:
    return {
        "media_id": item.media_id,
        "kind": item.kind,
        "taken_at": item.taken_at.isoformat() if item.taken_at else None,
        "gps_lat": item.gps_lat,
        "gps_lon": item.gps_lon,
    }


def media_item_from_json(data: Mapping[str, Any]) -> MediaItem:
    taken_at = data.get("taken_at")
    return MediaItem(
        media_id=int(data["media_id"]),
        kind=str(data["kind"]),
        taken_at=datetime.fromisoformat(taken_at) if taken_at else None,
        gps_lat=data.get("gps_lat"),
        gps_lon=data.get("gps_lon"),
    )


@dataclass(frozen=True)
class Inbound:
    channel: str
    user_id: str  # the sender's external id on the channel
    chat_id: str  # where answers go (equal to user_id in private chats)
    message_id: str  # unique per channel: the dedupe key
    kind: InboundKind
    received_at: datetime
    text: str = ""
    # For MEDIA: stored items, plus the reasons of items that were refused.
    media: tuple[MediaItem, ...] = ()
    rejected: tuple[str, ...] = ()
    # For LOCATION: lat/lon as floats, "system" (wgs84 | gcj02), optional "label".
    payload: Mapping[str, Any] = field(default_factory=dict)
    language_hint: str | None = None
