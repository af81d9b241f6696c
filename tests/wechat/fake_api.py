"""A fake WeChat API server on 127.0.0.1, called by the real wechatpy client.

It issues access tokens, takes customer-service (text, image, video, menu) and template
messages (a menu message must have a head and items with an id and content), serves user-sent
media (real JPEG/MP4 bytes), takes temporary media uploads (multipart, as WeChat does;
an image or video message must name an uploaded media_id of its type, and a video upload
must be an MP4), answers user/info and menu creation,
and records what it was sent. Faults are injected per endpoint
(``fail_next("message/custom/send", 45015)``); a 40001 also invalidates the tokens issued
so far, as a real refresh elsewhere would.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

APP_ID = "wx0123456789abcdef"
APP_SECRET = "s3cr3t-for-tests"


@dataclass
class Media:
    data: bytes
    content_type: str
    as_url: bool = False  # answer with {"video_url": ...} like WeChat does for some videos
    delay: float = 0.0  # seconds media/get takes (a slow download)


@dataclass(frozen=True)
class Upload:
    kind: str  # the ``type`` query parameter: image, voice, video, thumb
    filename: str
    content_type: str
    data: bytes


UPLOAD_LIMITS = {"image": 10 * 1024 * 1024, "voice": 2 * 1024 * 1024, "video": 10 * 1024 * 1024}


@dataclass
class FakeWeChatAPI:
    languages: dict[str, str] = field(default_factory=dict)
    media: dict[str, Media] = field(default_factory=dict)
    closed_windows: set[str] = field(default_factory=set)  # custom sends answer 45015
    messages: list[dict[str, Any]] = field(default_factory=list)  # message/custom/send
    templates: list[dict[str, Any]] = field(default_factory=list)  # message/template/send
    menus: list[dict[str, Any]] = field(default_factory=list)
    conditional_menus: list[dict[str, Any]] = field(default_factory=list)
    kf_accounts: list[dict[str, Any]] = field(default_factory=list)
    tokens_issued: list[str] = field(default_factory=list)
    uploads: dict[str, Upload] = field(default_factory=dict)  # media/upload, by media_id
    expired: set[str] = field(default_factory=set)  # uploads WeChat no longer knows
    calls: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    user_info_calls: list[str] = field(default_factory=list)
    on_send: Callable[[dict[str, Any]], None] | None = None  # called for each custom send
    _faults: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    _valid: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- test controls --------------------------------------------------------------------

    def fail_next(self, endpoint: str, *errcodes: int) -> None:
        with self._lock:
            self._faults[endpoint].extend(errcodes)

    def texts(self, openid: str) -> list[str]:
        with self._lock:
            return [
                m["text"]["content"]
                for m in self.messages
                if m["touser"] == openid and m["msgtype"] == "text"
            ]

    def msgmenus(self, openid: str) -> list[dict[str, Any]]:
        """The ``msgmenu`` object of each menu message sent to ``openid``, in order."""
        with self._lock:
            return [
                m["msgmenu"]
                for m in self.messages
                if m["touser"] == openid and m["msgtype"] == "msgmenu"
            ]

    def images(self, openid: str) -> list[bytes]:
        """The bytes of each image message sent to ``openid``, in order."""
        return self._sent_media(openid, "image")

    def videos(self, openid: str) -> list[bytes]:
        """The bytes of each video message sent to ``openid``, in order."""
        return self._sent_media(openid, "video")

    def _sent_media(self, openid: str, msgtype: str) -> list[bytes]:
        with self._lock:
            return [
                self.uploads[m[msgtype]["media_id"]].data
                for m in self.messages
                if m["touser"] == openid and m["msgtype"] == msgtype
            ]

    def expire_uploads(self) -> None:
        """Temporary media live 3 days: from now on, those uploaded so far are unknown."""
        with self._lock:
            self.expired.update(self.uploads)

    def kinds(self, openid: str) -> list[str]:
        """The msgtype of each customer-service message sent to ``openid``, in order."""
        with self._lock:
            return [m["msgtype"] for m in self.messages if m["touser"] == openid]

    def templates_for(self, openid: str) -> list[dict[str, Any]]:
        with self._lock:
            return [t for t in self.templates if t["touser"] == openid]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("the fake WeChat API did not see what was expected")
            time.sleep(0.01)

    # --- the server -----------------------------------------------------------------------

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/cgi-bin/token")
        def token(grant_type: str, appid: str, secret: str) -> dict[str, Any]:
            if grant_type != "client_credential" or (appid, secret) != (APP_ID, APP_SECRET):
                return {"errcode": 40013, "errmsg": "invalid appid"}
            with self._lock:
                issued = f"TOKEN-{next(self._serial)}"
                self.tokens_issued.append(issued)
                self._valid.add(issued)
            return {"access_token": issued, "expires_in": 7200}

        @app.post("/cgi-bin/message/custom/send")
        async def custom_send(request: Request) -> dict[str, Any]:
            body = await self._json(request)
            refused = self._refuse("message/custom/send", request)
            if refused:
                return refused
            with self._lock:
                if body.get("touser") in self.closed_windows:
                    return _error(45015, "response out of time limit or subscription is canceled")
                msgtype = body.get("msgtype")
                if msgtype in ("image", "video"):
                    media_id = str(body.get(msgtype, {}).get("media_id"))
                    upload = self.uploads.get(media_id)
                    if upload is None or upload.kind != msgtype or media_id in self.expired:
                        return _error(40007, "invalid media_id")
                if msgtype == "msgmenu" and not _valid_menu(body.get("msgmenu")):
                    return _error(47001, "data format error")
                self.messages.append(body)
            if self.on_send is not None:
                self.on_send(body)
            return _ok()

        @app.post("/cgi-bin/message/template/send")
        async def template_send(request: Request) -> dict[str, Any]:
            body = await self._json(request)
            refused = self._refuse("message/template/send", request)
            if refused:
                return refused
            with self._lock:
                self.templates.append(body)
            return {**_ok(), "msgid": next(self._serial)}

        @app.get("/cgi-bin/media/get")
        def media_get(request: Request, media_id: str) -> Response:  # a worker thread
            item = self.media.get(media_id)
            if item is not None and item.delay:
                time.sleep(item.delay)
            refused = self._refuse("media/get", request)
            if refused:
                return JSONResponse(refused)
            if item is None:
                return JSONResponse(_error(40007, "invalid media_id"))
            if item.as_url:
                base = str(request.base_url)
                return JSONResponse({"video_url": f"{base}cdn/{media_id}"})
            return Response(item.data, media_type=item.content_type)

        @app.post("/cgi-bin/media/upload")
        async def media_upload(request: Request) -> dict[str, Any]:
            form = await request.form()
            refused = self._refuse("media/upload", request)
            if refused:
                return refused
            kind = request.query_params.get("type", "")
            media = form.get("media")
            if kind not in UPLOAD_LIMITS or not isinstance(media, UploadFile):
                return _error(40004, "invalid media type")
            data = await media.read()
            if len(data) > UPLOAD_LIMITS[kind]:
                return _error(40006, "invalid meida size")
            content_type = media.content_type or ""
            if kind == "image" and not content_type.startswith("image/"):
                return _error(40005, "invalid file type")
            if kind == "video" and content_type != "video/mp4":
                return _error(40005, "invalid file type")
            with self._lock:
                media_id = f"UPLOADED-{next(self._serial)}"
                self.uploads[media_id] = Upload(kind, media.filename or "", content_type, data)
            return {"type": kind, "media_id": media_id, "created_at": int(time.time())}

        @app.get("/cdn/{media_id}")
        def cdn(media_id: str) -> Response:
            item = self.media[media_id]
            return Response(item.data, media_type=item.content_type)

        @app.get("/cgi-bin/user/info")
        def user_info(request: Request, openid: str, lang: str = "zh_CN") -> dict[str, Any]:
            refused = self._refuse("user/info", request)
            if refused:
                return refused
            with self._lock:
                self.user_info_calls.append(openid)
            return {
                "subscribe": 1,
                "openid": openid,
                "language": self.languages.get(openid, "zh_CN"),
            }

        @app.post("/cgi-bin/menu/create")
        async def menu_create(request: Request) -> dict[str, Any]:
            body = await self._json(request)
            refused = self._refuse("menu/create", request)
            if refused:
                return refused
            self.menus.append(body)
            return _ok()

        @app.post("/cgi-bin/menu/addconditional")
        async def menu_conditional(request: Request) -> dict[str, Any]:
            body = await self._json(request)
            refused = self._refuse("menu/addconditional", request)
            if refused:
                return refused
            self.conditional_menus.append(body)
            return {"menuid": str(next(self._serial))}

        @app.post("/customservice/kfaccount/add")
        async def kf_add(request: Request) -> dict[str, Any]:
            body = await self._json(request)
            refused = self._refuse("customservice/kfaccount/add", request)
            if refused:
                return refused
            self.kf_accounts.append(body)
            return _ok()

        return app

    async def _json(self, request: Request) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(await request.body() or b"{}")
        return data

    def _refuse(self, endpoint: str, request: Request) -> dict[str, Any] | None:
        """Count the call; answer an injected fault, or 40001 for a token not issued."""
        with self._lock:
            self.calls[endpoint] += 1
            faults = self._faults[endpoint]
            if faults:
                code = faults.pop(0)
                if code == 40001:
                    self._valid.clear()
                return _error(code, "injected")
            if request.query_params.get("access_token") not in self._valid:
                return _error(40001, "invalid credential, access_token is invalid or not latest")
        return None


def _valid_menu(menu: Any) -> bool:
    if not isinstance(menu, dict) or not isinstance(menu.get("head_content"), str):
        return False
    items = menu.get("list")
    return (
        isinstance(items, list)
        and bool(items)
        and all(
            isinstance(item, dict)
            and isinstance(item.get("id"), str)
            and isinstance(item.get("content"), str)
            and item["id"]
            and item["content"]
            for item in items
        )
    )


def _ok() -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok"}


def _error(code: int, message: str) -> dict[str, Any]:
    return {"errcode": code, "errmsg": message}
