"""What to send: one message as a template key of the locale catalogs, its parameters and
its buttons; the shape the outbox stores (``to_payload`` / ``from_payload``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_CHOICE_VALUE_BYTES = 64  # Telegram's callback_data limit
STATUS_LINKS = "status_links"  # the payload key of the owner's status-page links
STALE_CHOICE = "input.stale_choice"
DOCUMENTS = "documents"  # the payload key of the documents attached
AGREEMENT_STORE = "agreement"  # issued 快处快赔 agreements (bot/agreement/files.py)


@dataclass(frozen=True)
class Choice:
    value: str  # what the dialogs receive when tapped: built by a codec of messages.choices
    label_key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.value.encode()) > MAX_CHOICE_VALUE_BYTES:
            raise ValueError(f"choice value too long: {self.value!r}")


@dataclass(frozen=True)
class StatusLink:
    """A link to the owner's status page of a claim the message names."""

    number: str
    url: str


@dataclass(frozen=True)
class Document:
    """A kept file sent as an attachment where the channel can attach one (Telegram's
    sendDocument); the message's text still gives its link, which every channel shows."""

    store: str  # which store keeps it, e.g. "agreement"
    name: str  # the file in that store
    filename_key: str  # template key of the file name the recipient sees
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outbound:
    """One message to send: a template key of the locale catalogs and its parameters."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    attachments: tuple[int, ...] = ()  # media ids
    documents: tuple[Document, ...] = ()
    request_location: bool = False
    # Another party to tell (an adjuster, an owner): the engine writes the message to
    # each of that party's chats, in their locale. None: answer the sender's chat.
    to_party: int | None = None
    # Stamped when the row is written (storage/repositories/status_links.py), for owners only.
    status_links: tuple[StatusLink, ...] = ()
    # It answers a tapped button that no longer applies: a channel that can answer at the
    # button itself (Telegram's callback answer) says so there too. Not stored.
    stale_choice: bool = False

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "key": self.key,
            "params": dict(self.params),
            "choices": [
                {"value": c.value, "label_key": c.label_key, "params": dict(c.params)}
                for c in self.choices
            ],
            "attachments": list(self.attachments),
            "request_location": self.request_location,
        }
        if self.documents:
            payload[DOCUMENTS] = [
                {
                    "store": d.store,
                    "name": d.name,
                    "filename_key": d.filename_key,
                    "params": dict(d.params),
                }
                for d in self.documents
            ]
        if self.status_links:
            payload[STATUS_LINKS] = [
                {"number": link.number, "url": link.url} for link in self.status_links
            ]
        return payload

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Outbound:
        return cls(
            key=data["key"],
            params=data.get("params", {}),
            choices=tuple(
                Choice(c["value"], c["label_key"], c.get("params", {}))
                for c in data.get("choices", [])
            ),
            attachments=tuple(data.get("attachments", [])),
            documents=tuple(
                Document(str(d["store"]), str(d["name"]), str(d["filename_key"]), d["params"])
                for d in data.get(DOCUMENTS) or []
            ),
            request_location=bool(data.get("request_location", False)),
            status_links=tuple(
                StatusLink(str(link["number"]), str(link["url"]))
                for link in data.get(STATUS_LINKS) or []
            ),
        )


def stale_choice_answer() -> Outbound:
    """The answer to a button that no longer applies (taken by someone else, replaced)."""
    return Outbound(STALE_CHOICE, stale_choice=True)
