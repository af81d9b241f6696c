"""What a retention purge (or one person's erasure) removed, as the scheduler reports it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MediaFile:
    media_id: int
    relative_path: str
    size: int


@dataclass
class Removed:
    """What a purge or an erasure removed (or, in a dry run, would remove)."""

    claims: list[str] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)
    bookings: int = 0
    conversations: int = 0
    outbox_messages: int = 0
    wechat_messages: int = 0

    @property
    def media_bytes(self) -> int:
        return sum(item.size for item in self.media)
