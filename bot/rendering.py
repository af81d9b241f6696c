"""Turn an outbox payload into text and labelled choices in the recipient's locale."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.status_links import link_lines
from locales.catalog import Catalogs
from messages.outbound import Outbound


@dataclass(frozen=True)
class RenderedChoice:
    value: str
    label: str


@dataclass(frozen=True)
class RenderedDocument:
    store: str
    name: str  # the file in its store
    filename: str  # as the recipient sees it, in their locale


@dataclass(frozen=True)
class RenderedMessage:
    text: str
    choices: tuple[RenderedChoice, ...]
    request_location: bool
    attachments: tuple[int, ...]
    documents: tuple[RenderedDocument, ...] = ()


def render(catalogs: Catalogs, locale: str, payload: Mapping[str, Any]) -> RenderedMessage:
    message = Outbound.from_payload(payload)
    text = catalogs.render(locale, message.key, message.params)
    return RenderedMessage(
        text="\n".join([text, *link_lines(catalogs, locale, message)]),
        choices=tuple(
            RenderedChoice(choice.value, catalogs.render(locale, choice.label_key, choice.params))
            for choice in message.choices
        ),
        request_location=message.request_location,
        attachments=message.attachments,
        documents=tuple(
            RenderedDocument(d.store, d.name, catalogs.render(locale, d.filename_key, d.params))
            for d in message.documents
        ),
    )


def as_numbered_text(message: RenderedMessage) -> str:
    """For channels without buttons: the choices listed as numbered replies."""
    if not message.choices:
        return message.text
    lines = [f"{index}. {choice.label}" for index, choice in enumerate(message.choices, 1)]
    return "\n".join([message.text, "", *lines])
