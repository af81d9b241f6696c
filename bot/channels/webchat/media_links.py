"""Short-lived signed links to the photos and videos shown in the web chat.

A link is ``/chat/media/{id}?exp=...&sig=...``: the expiry (Unix seconds) and an HMAC of
the id and the expiry. Expiries are rounded up to the next multiple of the lifetime, so
the same photo keeps the same link for a while (the browser's cache works) and every
link is valid for one to two lifetimes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.signing import Signer

PURPOSE = "chat-media"
MAX_SIGNATURE = 100


class MediaLinks:
    def __init__(self, signer: Signer, lifetime: timedelta) -> None:
        self._signer = signer
        self._seconds = max(int(lifetime.total_seconds()), 1)

    def url(self, media_id: int, now: datetime) -> str:
        expires = (int(now.timestamp()) // self._seconds + 2) * self._seconds
        signature = self._signer.sign(PURPOSE, str(media_id), str(expires))
        return f"/chat/media/{media_id}?exp={expires}&sig={signature}"

    def valid(self, media_id: int, expires: int, signature: str, now: datetime) -> bool:
        if expires <= now.timestamp() or len(signature) > MAX_SIGNATURE:
            return False
        return self._signer.valid(signature, PURPOSE, str(media_id), str(expires))
