"""Photos and videos to WeChat users: stored media uploaded as temporary media
(``media/upload``, type image or video) and sent as customer-service image or video
messages.

WeChat keeps temporary media for 3 days; the media_id of each stored file is cached in
memory (per process) for a little less than that, so a handoff card paged to several
adjusters, or sent again after a retry, uploads each file once. A worker that restarts
simply uploads again: the cache saves calls, it holds nothing that must survive.

Only what WeChat takes as temporary media goes: images as JPEG, PNG or GIF and videos as
MP4, each at most 10 MB. Anything else (a QuickTime video, a larger file) stays on the
dashboard, and the text says how many were left out.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.channels.wechat.client import ClaimbotWeChatClient
from domain.clock import Clock
from storage.db import Database
from storage.media.store import MediaStore
from storage.media.types import StoredMedia

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}
VIDEO_TYPES = {"video/mp4": "mp4"}
# What media/upload takes, by stored kind: (upload type, MIME type -> file extension, bytes).
UPLOADABLE = {
    "photo": ("image", IMAGE_TYPES, 10 * 1024 * 1024),
    "video": ("video", VIDEO_TYPES, 10 * 1024 * 1024),
}
MEDIA_LIFETIME = timedelta(days=3)
REUSE_FOR = MEDIA_LIFETIME - timedelta(hours=2)  # never hand WeChat an id about to expire
MAX_CACHED = 4096
INVALID_MEDIA_ID = 40007


@dataclass(frozen=True)
class Attachments:
    """A row's attachments as WeChat can take them."""

    sendable: tuple[StoredMedia, ...]  # as image or video messages, in the row's order
    other_photos: int  # photos WeChat would refuse (type, size) or that are gone
    other_videos: int  # videos WeChat would refuse (type, size)


def sendable(item: StoredMedia) -> bool:
    uploadable = UPLOADABLE.get(item.kind)
    if uploadable is None:
        return False
    _, types, max_bytes = uploadable
    return item.mime in types and item.size <= max_bytes


class OutboundMedia:
    def __init__(
        self, database: Database, media_dir: Path, client: ClaimbotWeChatClient, clock: Clock
    ) -> None:
        self._database = database
        self._store = MediaStore(media_dir)  # only to open stored files
        self._client = client
        self._clock = clock
        self._uploaded: dict[str, tuple[str, datetime]] = {}  # sha256 -> (media_id, until)
        self._lock = threading.Lock()
        self.uploads = 0  # uploads made by this process (for tests and logs)

    def attachments(self, media_ids: tuple[int, ...]) -> Attachments:
        if not media_ids:
            return Attachments((), 0, 0)
        with self._database.unit_of_work() as uow:
            found = [uow.media.get(media_id) for media_id in media_ids]
        items = [item for item in found if item is not None]
        ready = tuple(item for item in items if sendable(item))
        videos = sum(1 for item in items if item.kind == "video" and not sendable(item))
        return Attachments(ready, len(media_ids) - len(ready) - videos, videos)

    def send(self, openid: str, item: StoredMedia) -> None:
        """Upload (or reuse) and send one photo or video; a media_id WeChat no longer knows
        is uploaded again, once."""
        try:
            self._send(openid, item)
        except Exception as exc:
            if getattr(exc, "errcode", None) != INVALID_MEDIA_ID:
                raise
            self._forget(item)
            self._send(openid, item)

    def _send(self, openid: str, item: StoredMedia) -> None:
        if item.kind == "video":
            self._client.send_video(openid, self._media_id(item))
        else:
            self._client.send_image(openid, self._media_id(item))

    def _media_id(self, item: StoredMedia) -> str:
        now = self._clock.now()
        with self._lock:
            cached = self._uploaded.get(item.sha256)
        if cached is not None and cached[1] > now:
            return cached[0]
        upload_type, types, _ = UPLOADABLE[item.kind]
        data, _ = self._store.served_copy(item.relative_path, item.mime)  # no location
        name = f"{item.sha256[:16]}.{types[item.mime]}"
        media_id = self._client.upload_media(upload_type, name, data, item.mime)
        with self._lock:
            self.uploads += 1
            if len(self._uploaded) >= MAX_CACHED:
                self._uploaded = {k: v for k, v in self._uploaded.items() if v[1] > now}
                if len(self._uploaded) >= MAX_CACHED:
                    self._uploaded.clear()
            self._uploaded[item.sha256] = (media_id, now + REUSE_FOR)
        return media_id

    def _forget(self, item: StoredMedia) -> None:
        with self._lock:
            self._uploaded.pop(item.sha256, None)
