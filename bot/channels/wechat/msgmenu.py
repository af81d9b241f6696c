"""Choices as a WeChat menu message (``msgtype: msgmenu``) and a tap on one read back.

Each item's id names the outbox row that carried the choices and the choice's place in
it (``<row id><two-digit index>``, digits only). A tap comes back as a text message with
``bizmsgmenuid``: the row is looked up among the chat's own newest rows, so an id made up
or meant for another chat names nothing, and the tap becomes the choice the row offered.
Tapping an old menu is then like tapping an old Telegram button: the dialogs answer that
the choice is no longer current unless it still is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.rendering import RenderedChoice
from messages.outbound import Outbound
from storage.repositories.outbox import Outbox

MAX_ITEMS = 99  # the index takes two digits
LOOK_BACK = 100  # a tap on a menu older than the chat's newest rows names nothing


def menu_id(row_id: int, index: int) -> str:
    """The id of the ``index``-th (1-based) choice of outbox row ``row_id``."""
    return f"{row_id}{index:02d}"


def parse_menu_id(value: str) -> tuple[int, int] | None:
    """(row id, 1-based index) of an item id, or None when it is not one of ours."""
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or not 3 <= len(value) <= 20:
        return None
    row_id, index = int(value[:-2]), int(value[-2:])
    return (row_id, index) if row_id > 0 and index > 0 else None


def msgmenu(head: str, row_id: int, choices: Sequence[RenderedChoice], tail: str) -> dict[str, Any]:
    """The ``msgmenu`` object of a customer-service message."""
    return {
        "head_content": head,
        "list": [
            {"id": menu_id(row_id, index), "content": choice.label}
            for index, choice in enumerate(choices[:MAX_ITEMS], 1)
        ],
        "tail_content": tail,
    }


def tapped_choice(outbox: Outbox, channel: str, chat_id: str, item_id: str) -> str | None:
    """The choice value a tapped item stands for; None when the id names no choice of a
    recent row of this chat."""
    parsed = parse_menu_id(item_id)
    if parsed is None:
        return None
    row_id, index = parsed
    for row in outbox.newest_for_chat(channel, chat_id, LOOK_BACK):
        if row.id == row_id:
            choices = Outbound.from_payload(row.payload).choices
            return choices[index - 1].value if index <= len(choices) else None
    return None
