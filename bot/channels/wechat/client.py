"""The wechatpy client, pointed at one API base, with its access token in our database.

wechatpy 1.8.18 sends most calls to ``API_BASE_URL`` but some elsewhere: the token
request and ``customservice.*`` to hard-coded public URLs, some API classes to their own
base. ``ClaimbotWeChatClient`` routes every URL on the public API host through the
configured base (``CLAIMBOT_WECHAT_API_URL``, which ends in ``/cgi-bin/``: its parent
stands for the host's root). The client is synchronous (requests): call it from async
code with ``asyncio.to_thread``.

Token errors (40001, 40014, 42001) refresh the token and retry the call once; errcode -1
(system busy) is retried with backoff a few times. Several workers share the token
through ``DatabaseSessionStorage``, and a short lease in the database lets one worker
refresh it while the others wait for the new value.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from storage.channels.wechat.accounts import WeChatSessions
from storage.db import Database

PUBLIC_ROOT = "https://api.weixin.qq.com/"
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
SYSTEM_BUSY = -1
TOKEN_MARGIN = 300  # seconds: a token is renewed this long before WeChat expires it
REFRESH_LEASE = 15.0  # seconds one worker may take to refresh before another tries
CHUNK = 64 * 1024


class MediaTooLarge(Exception):
    """A downloaded file exceeded the size limit (the rest was not read)."""


class DatabaseSessionStorage(SessionStorage):  # type: ignore[misc]
    """wechatpy's session storage in the ``wechat_session`` table, shared by workers.

    Values are cached in memory until they expire, so a send costs no database read;
    ``reload`` reads the database (another worker may have stored a newer token).
    """

    def __init__(self, database: Database, *, now: Callable[[], datetime] | None = None) -> None:
        self._database = database
        self._now = now or (lambda: datetime.now(UTC))
        self._cache: dict[str, tuple[str, datetime | None]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and (cached[1] is None or cached[1] > self._now()):
            return cached[0]
        value = self.reload(key)
        return default if value is None else value

    def reload(self, key: str) -> str | None:
        with self._database.unit_of_work() as uow:
            found = uow.channel_store(WeChatSessions).find(key, self._now())
        with self._lock:
            if found is None:
                self._cache.pop(key, None)
                return None
            self._cache[key] = found
        return found[0]

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is None:
            return
        expires_at = None
        if ttl is not None:
            lifetime = max(int(ttl) - TOKEN_MARGIN, int(ttl) // 2)
            expires_at = self._now() + timedelta(seconds=lifetime)
        with self._database.unit_of_work() as uow:
            uow.channel_store(WeChatSessions).put(key, str(value), expires_at)
            uow.commit()
        with self._lock:
            self._cache[key] = (str(value), expires_at)

    def delete(self, key: str) -> None:
        with self._database.unit_of_work() as uow:
            uow.channel_store(WeChatSessions).delete(key)
            uow.commit()
        with self._lock:
            self._cache.pop(key, None)

    def lease(self, key: str, seconds: float) -> bool:
        """Take the right to refresh ``key`` for ``seconds``; False while another worker has it."""
        now = self._now()
        with self._database.unit_of_work() as uow:
            sessions = uow.channel_store(WeChatSessions)
            taken = sessions.lease(key, now, now + timedelta(seconds=seconds))
            uow.commit()
        return taken

    def release(self, key: str) -> None:
        with self._database.unit_of_work() as uow:
            uow.channel_store(WeChatSessions).release(key)
            uow.commit()


def api_root(api_url: str) -> tuple[str, str]:
    """(base, root) of a configured API base: ``…/cgi-bin/`` and its parent ``…/``."""
    base = api_url if api_url.endswith("/") else f"{api_url}/"
    root = base[: -len("cgi-bin/")] if base.endswith("/cgi-bin/") else base
    return base, root


class ClaimbotWeChatClient(WeChatClient):  # type: ignore[misc]
    def __init__(
        self,
        appid: str,
        secret: str,
        *,
        api_url: str,
        session: DatabaseSessionStorage,
        timeout: float = 10.0,
        busy_retries: int = 3,
        busy_backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.API_BASE_URL, self._root = api_root(api_url)
        self._sessions = session
        self._busy_retries = busy_retries
        self.busy_backoff = busy_backoff
        self._sleep = sleep
        self._refresh_lock = threading.Lock()

    # --- routing and retries --------------------------------------------------------------

    def route(self, url: str) -> str:
        """A URL on the public API host, moved to the configured base's root."""
        if url.startswith(PUBLIC_ROOT):
            return self._root + url[len(PUBLIC_ROOT) :]
        return url

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        base = kwargs.pop("api_base_url", self.API_BASE_URL)
        if url_or_endpoint.startswith(("http://", "https://")):
            url = url_or_endpoint
        else:
            url = f"{base}{url_or_endpoint}"
        url = self.route(url)
        params = dict(kwargs.pop("params", None) or {})
        refreshed = False
        busy = 0
        while True:
            attempt = dict(params)
            try:
                return super()._request(method, url, params=attempt, **kwargs)
            except WeChatClientException as exc:
                if exc.errcode in TOKEN_ERRORS and not refreshed and "access_token" not in params:
                    refreshed = True
                    self._refresh(failed=attempt.get("access_token"))
                    continue
                if exc.errcode == SYSTEM_BUSY and busy < self._busy_retries:
                    self._sleep(self.busy_backoff * 2**busy)
                    busy += 1
                    continue
                raise

    def _decode_result(self, res: requests.Response) -> Any:
        """JSON answers are decoded; a file (media/get) is returned unread, for streaming."""
        content_type = res.headers.get("Content-Type", "")
        if "json" not in content_type and not content_type.startswith("text/"):
            return res
        return super()._decode_result(res)

    # --- the access token -----------------------------------------------------------------

    @property
    def access_token(self) -> str:
        token = self.session.get(self.access_token_key)
        if token:
            return str(token)
        return self._refresh(failed=None)

    def fetch_access_token(self) -> dict[str, Any]:
        return {"access_token": self._refresh(failed=None)}

    def _refresh(self, failed: str | None) -> str:
        """A token other than ``failed``: another worker's fresh one, or a new one."""
        with self._refresh_lock:
            current = self._sessions.reload(self.access_token_key)
            if current and current != failed:
                return current
            if not self._sessions.lease(self.access_token_key, REFRESH_LEASE):
                fresh = self._wait_for_other_worker(failed)
                if fresh:
                    return fresh
            try:
                result = self._fetch_access_token(
                    url=f"{self.API_BASE_URL}token",
                    params={
                        "grant_type": "client_credential",
                        "appid": self.appid,
                        "secret": self.secret,
                    },
                )
            except BaseException:
                self._sessions.release(self.access_token_key)  # let the next try go at once
                raise
            return str(result["access_token"])

    def _wait_for_other_worker(self, failed: str | None) -> str | None:
        deadline = time.monotonic() + REFRESH_LEASE
        while time.monotonic() < deadline:
            self._sleep(0.2)
            current = self._sessions.reload(self.access_token_key)
            if current and current != failed:
                return current
        return None

    # --- what the channel uses ------------------------------------------------------------

    def send_text(self, openid: str, content: str) -> None:
        self.message.send_text(openid, content)

    def send_image(self, openid: str, media_id: str) -> None:
        self.message.send_image(openid, media_id)

    def send_video(self, openid: str, media_id: str) -> None:
        self.message.send_video(openid, media_id)

    def send_msg_menu(self, openid: str, msgmenu: dict[str, Any]) -> None:
        self.message.send_msg_menu(openid, msgmenu)

    def upload_media(self, media_type: str, filename: str, data: bytes, mime: str) -> str:
        """A temporary file (``media/upload``, type image or video, kept 3 days by WeChat);
        its media_id."""
        result = self.media.upload(media_type, (filename, data, mime))
        media_id = result.get("media_id") if isinstance(result, dict) else None
        if not media_id:
            raise WeChatClientException(None, "media/upload answered without a media_id", self)
        return str(media_id)

    def send_template(self, openid: str, template_id: str, data: dict[str, Any]) -> None:
        self.message.send_template(openid, template_id, data)

    def user_language(self, openid: str) -> str | None:
        info = self.user.get(openid, lang="zh_CN")
        language = info.get("language") if isinstance(info, dict) else None
        return str(language) if language else None

    def download_media(self, media_id: str, limit: int) -> bytes:
        """A user-sent file by its MediaId, read up to ``limit`` bytes (``MediaTooLarge``)."""
        result = self.get("media/get", params={"media_id": media_id}, stream=True)
        if isinstance(result, dict):  # a video answers with a download URL
            url = result.get("video_url")
            if not url:
                raise WeChatClientException(None, "media/get answered without a file", self)
            result = self._http.get(self.route(str(url)), stream=True, timeout=self.timeout)
            result.raise_for_status()
        return _read_capped(result, limit)


def _read_capped(response: requests.Response, limit: int) -> bytes:
    try:
        declared = int(response.headers.get("Content-Length", "0"))
        if declared > limit:
            raise MediaTooLarge(declared)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
            if size > limit:
                raise MediaTooLarge(size)
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        response.close()
