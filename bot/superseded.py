"""Buttons that tell the truth: which shown buttons a newer message made obsolete.

A conversation's turn offers its own buttons and every earlier offer stops counting
(``dialogs.router``), except buttons that name their claim or booking, answer a shop's
waiting request or open the menu (``choice_lasts``). So a message's buttons are
superseded once the chat's own conversation has answered a later message. A card pushed
in by another party or a timer supersedes nothing: the conversation's offer still holds.
The web chat greys such buttons; Telegram takes them off the message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dialogs.router import choice_lasts
from dialogs.turn import reply_turn
from storage.records import OutboxRow


def buttons_expire(payload: Mapping[str, Any]) -> bool:
    """Whether a message has buttons a later turn of its chat supersedes."""
    choices = payload.get("choices") or []
    return any(not choice_lasts(str(choice["value"])) for choice in choices)


def superseded(rows: Sequence[OutboxRow]) -> list[int]:
    """The ids of the rows (one chat's, oldest first) whose buttons no longer count."""
    later_turns: set[str] = set()
    stale: list[int] = []
    for row in reversed(rows):
        turn = reply_turn(row.channel, row.idempotency_key)
        if buttons_expire(row.payload) and later_turns - {turn}:
            stale.append(row.id)
        if turn is not None:
            later_turns.add(turn)
    return sorted(stale)
