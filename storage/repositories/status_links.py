"""Links to the owners' status pages in the outbox rows that name their claims.

When a row goes to a claim's owner and its parameters name that claim, its message gets
``status_links`` (``messages.outbound.StatusLink``: claim number and the page's URL),
written with the row by whoever writes it (the engine's turns, the scheduler's timers);
the renderer turns them into a localized "进度查询：URL" line in every channel.
Rows to adjusters and shops never get one: the token opens the owner's page and is the
owner's to share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Connection

from domain.claim_refs import claim_numbers
from messages.outbound import Outbound, StatusLink
from storage.read_models import owned_status_tokens
from storage.records import OutboxItem

__all__ = ["STATUS_PATH", "claim_numbers", "status_page_url", "with_status_links"]

STATUS_PATH = "/status/"


def status_page_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{STATUS_PATH}{token}"


def with_status_links(
    conn: Connection, items: Sequence[OutboxItem], base_url: str
) -> list[OutboxItem]:
    linked = []
    for item in items:
        party = item.party_id
        numbers = [] if party is None else claim_numbers(item.payload)
        tokens = owned_status_tokens(conn, party, numbers) if party and numbers else {}
        if tokens:
            links = tuple(
                StatusLink(n, status_page_url(base_url, tokens[n])) for n in numbers if n in tokens
            )
            message = replace(Outbound.from_payload(item.payload), status_links=links)
            item = replace(item, payload=message.to_payload())
        linked.append(item)
    return linked
