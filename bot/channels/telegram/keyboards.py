"""The inline keyboards a process has shown that a later turn may supersede.

Shared by the sender, which records each keyboard it sends and takes the superseded ones
off (``bot/superseded.py``), and the update handler, which takes a tapped keyboard off at
the tap and forgets it here first: each keyboard is taken off at most once, by whichever
comes first (a second editMessageReplyMarkup would be a wasted request that Telegram
answers "message is not modified"). Per process: a keyboard sent by another worker is not
known here, and a tap on it is answered as stale.
"""

from __future__ import annotations

from dataclasses import dataclass

KEPT_KEYBOARDS = 20  # per chat, the newest inline keyboards remembered
KEPT_CHATS = 10_000
KEPT_TAPS = 5  # per chat, taps remembered that came before their keyboard was recorded


@dataclass(frozen=True)
class Keyboard:
    """An inline keyboard on a sent message that a later turn may supersede."""

    message_id: int
    turn: str | None


class ShownKeyboards:
    def __init__(self) -> None:
        self._chats: dict[str, list[Keyboard]] = {}  # oldest-active chat first
        # A user can tap before the sender has its answer to sendMessage and records the
        # keyboard (the fast side of a race): such a tap is kept until the keyboard comes.
        self._early_taps: dict[str, list[int]] = {}

    def shown(self, chat_id: str, message_id: int, turn: str | None) -> None:
        early = self._early_taps.get(chat_id)
        if early and message_id in early:
            early.remove(message_id)
            return  # tapped already, and taken off by the tap
        keyboards = self._chats.pop(chat_id, [])
        keyboards.append(Keyboard(message_id, turn))
        self._chats[chat_id] = keyboards[-KEPT_KEYBOARDS:]
        if len(self._chats) > KEPT_CHATS:  # forget the chats quiet the longest
            self._chats = dict(list(self._chats.items())[-KEPT_CHATS // 2 :])
            self._early_taps = {c: t for c, t in self._early_taps.items() if c in self._chats}

    def forget(self, chat_id: str, message_id: int) -> None:
        """A keyboard taken off elsewhere (tapped): never take it off again."""
        keyboards = self._chats.get(chat_id) or []
        kept = [k for k in keyboards if k.message_id != message_id]
        if len(kept) < len(keyboards):
            self._chats[chat_id] = kept
        elif len(self._early_taps) < KEPT_CHATS:
            early = self._early_taps.setdefault(chat_id, [])
            early[:] = [*early, message_id][-KEPT_TAPS:]

    def superseded(self, chat_id: str, turn: str) -> list[int]:
        """The message ids whose keyboards a row answering `turn` supersedes, forgotten:
        the caller takes them off."""
        keyboards = self._chats.get(chat_id)
        if not keyboards:
            return []
        self._chats[chat_id] = [k for k in keyboards if k.turn == turn]
        return [k.message_id for k in keyboards if k.turn != turn]
