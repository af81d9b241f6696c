"""Links to the owners' status pages in the outbox rows that name their claims.

When a row goes to a claim's owner and its parameters name that claim, its message gets
``status_links`` (``messages.outbound.StatusLink``: claim number and the page's URL),
written with the row by whoever writes it (the engine's turns, the scheduler's timers);
the renderer turns them into a localized "进度查询：URL" line in every channel.
Rows to adjusters and shops never get one: the token opens the owner's page and is the
owner's to share.

A chat is given a claim's link once per stage (claim status), not under every message:
each link written records the stage it was given in, and a row whose chat already had
the link in the claim's present stage (among its newest rows) gets none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Connection, bindparam, select

from domain.claim_refs import claim_numbers
from messages.outbound import STATUS_LINKS, Outbound, StatusLink
from storage.records import OutboxItem
from storage.tables.core import claim_t, outbox_t

__all__ = ["STATUS_PATH", "claim_numbers", "status_page_url", "with_status_links"]

STATUS_PATH = "/status/"
LOOK_BACK = 100  # a chat's newest rows searched for a link given in the present stage

_NAMED = select(
    claim_t.c.number, claim_t.c.owner_party_id, claim_t.c.status_token, claim_t.c.status
).where(claim_t.c.number.in_(bindparam("numbers", expanding=True)))
_LINKED_BEFORE = (
    select(outbox_t.c.payload)
    .where(outbox_t.c.channel == bindparam("channel"), outbox_t.c.chat_id == bindparam("chat"))
    .order_by(outbox_t.c.id.desc())
    .limit(LOOK_BACK)
)


def status_page_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{STATUS_PATH}{token}"


def with_status_links(
    conn: Connection, items: Sequence[OutboxItem], base_url: str
) -> list[OutboxItem]:
    linked = []
    given: dict[tuple[str, str], set[tuple[str, str]]] = {}  # chat -> (claim, stage) linked
    named = [[] if item.party_id is None else claim_numbers(item.payload) for item in items]
    # one look-up for all the rows (a filing names its claim in three, to three parties)
    claims = _claims(conn, {number for numbers in named for number in numbers})
    for item, numbers in zip(items, named, strict=True):
        mine = [n for n in numbers if n in claims and claims[n][0] == item.party_id]
        tokens = {number: claims[number][1] for number in mine}
        stages = {number: claims[number][2] for number in mine}
        chat = (item.channel, item.chat_id)
        if stages and chat not in given:
            given[chat] = _linked_before(conn, *chat)
        fresh = [n for n in numbers if n in stages and (n, stages[n]) not in given.get(chat, ())]
        if fresh:
            links = tuple(StatusLink(n, status_page_url(base_url, tokens[n])) for n in fresh)
            payload = replace(Outbound.from_payload(item.payload), status_links=links).to_payload()
            for link in payload[STATUS_LINKS]:
                link["stage"] = stages[link["number"]]
                given[chat].add((link["number"], link["stage"]))
            item = replace(item, payload=payload)
        linked.append(item)
    return linked


def _claims(conn: Connection, numbers: set[str]) -> dict[str, tuple[int, str, str]]:
    """Claim number → (owner party, status token, stage), for those of ``numbers`` that exist."""
    if not numbers:
        return {}
    rows = conn.execute(_NAMED, {"numbers": sorted(numbers)})
    return {number: (owner, token, stage) for number, owner, token, stage in rows}


def _linked_before(conn: Connection, channel: str, chat_id: str) -> set[tuple[str, str]]:
    """(claim, stage) of the status links among the chat's newest rows."""
    return {
        (str(link.get("number")), str(link.get("stage")))
        for (payload,) in conn.execute(_LINKED_BEFORE, {"channel": channel, "chat": chat_id})
        for link in (payload or {}).get(STATUS_LINKS) or []
    }
