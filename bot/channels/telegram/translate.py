"""What a Telegram message is, in the channel-neutral terms of `messages`.

Pure functions over python-telegram-bot objects: no I/O here. The update handler
downloads what `media_of` points at and builds the `Inbound`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from telegram import Message

from domain.evidence import MediaKind
from messages.inbound import InboundKind


class Content(Enum):
    TEXT = "text"
    LOCATION = "location"
    MEDIA = "media"
    CONTACT = "contact"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class MediaRef:
    """A file to fetch with getFile: its id, the size Telegram announced, how it was sent."""

    file_id: str
    file_size: int | None
    declared_kind: str | None  # "photo" | "video" | None (a document of another type)
    filename: str | None = None


INBOUND_KIND: dict[Content, InboundKind] = {
    Content.TEXT: InboundKind.TEXT,
    Content.LOCATION: InboundKind.LOCATION,
    Content.MEDIA: InboundKind.MEDIA,
    Content.CONTACT: InboundKind.CONTACT,
    Content.UNSUPPORTED: InboundKind.UNSUPPORTED,
}


def content_of(message: Message) -> Content | None:
    """What the message carries; None for service messages (members joined, pins, ...)."""
    if message.location is not None:  # also a venue, and every live-location edit
        return Content.LOCATION
    if message.text is not None:
        return Content.TEXT
    if message.animation is not None:  # a GIF: Telegram sets `document` too
        return Content.UNSUPPORTED
    if message.photo or message.video or message.video_note or message.document:
        return Content.MEDIA
    if message.contact is not None:
        return Content.CONTACT
    if message.effective_attachment is not None:  # sticker, voice, audio, poll, dice, ...
        return Content.UNSUPPORTED
    return None


def media_of(message: Message) -> MediaRef:
    """The file to download: the largest photo size, the video, or the document."""
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size))
        return MediaRef(largest.file_id, largest.file_size, MediaKind.PHOTO.value)
    video = message.video or message.video_note
    if video is not None:
        name = message.video.file_name if message.video is not None else None
        return MediaRef(video.file_id, video.file_size, MediaKind.VIDEO.value, name)
    document = message.document
    if document is None:
        raise ValueError("the message carries no photo, video or document")
    return MediaRef(
        document.file_id,
        document.file_size,
        declared_kind_of(document.mime_type),
        document.file_name,
    )


def declared_kind_of(mime_type: str | None) -> str | None:
    """A document's declared kind: only chooses the refusal wording if its bytes disagree."""
    mime = (mime_type or "").lower()
    if mime.startswith("image/"):
        return MediaKind.PHOTO.value
    if mime.startswith("video/"):
        return MediaKind.VIDEO.value
    return None


def location_payload(message: Message) -> dict[str, Any]:
    location = message.location
    if location is None:
        raise ValueError("the message carries no location")
    payload: dict[str, Any] = {
        "lat": location.latitude,
        "lon": location.longitude,
        "system": "wgs84",  # Telegram clients send WGS-84
    }
    if message.venue is not None:
        payload["label"] = " ".join(
            part for part in (message.venue.title, message.venue.address) if part
        )
    return payload


def contact_payload(message: Message) -> dict[str, Any]:
    contact = message.contact
    if contact is None:
        raise ValueError("the message carries no contact")
    return {
        "phone": contact.phone_number,
        "name": " ".join(part for part in (contact.first_name, contact.last_name) if part),
        "user_id": contact.user_id,
    }


def message_key(chat_id: str, message: Message, *, edited: bool) -> str:
    """The engine's dedupe key: one per Telegram message (and per edit of a live location),
    so a redelivered update, whatever path it came by, is processed once."""
    if edited:
        stamp = int(message.edit_date.timestamp()) if message.edit_date else 0
        return f"{chat_id}:{message.message_id}:e{stamp}"
    return f"{chat_id}:{message.message_id}"


def callback_key(callback_query_id: str) -> str:
    return f"cb:{callback_query_id}"


def album_key(album_id: int) -> str:
    return f"album:{album_id}"
