"""A simulated WeChat server: posts signed (plaintext) or encrypted (safe/compatible mode)
XML to our real /wechat/callback, as WeChat does, and returns the answers."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from typing import Any

import httpx
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat.callback import signature
from domain.clock import Clock

TOKEN = "claimbot-test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat makes them
ACCOUNT = "gh_0123456789ab"


class WeChatSimulator:
    def __init__(
        self,
        http: httpx.Client,
        clock: Clock,
        app_id: str,
        *,
        mode: str = "plain",  # plain | safe | compatible
        token: str = TOKEN,
        aes_key: str = AES_KEY,
        before_send: Callable[[str], None] | None = None,
    ) -> None:
        self.before_send = before_send  # called with the sender's openid before each post
        self.http = http
        self.clock = clock
        self.mode = mode
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, app_id)
        self._ids = itertools.count(24_000_000_000_000_001)

    # --- what users do --------------------------------------------------------------------

    def text(self, openid: str, content: str, **kw: Any) -> httpx.Response:
        return self.message(openid, "text", {"Content": content}, **kw)

    def tap(self, openid: str, item: dict[str, str], **kw: Any) -> httpx.Response:
        """A tap on a menu message's item: WeChat posts its content as text, with its id."""
        fields = {"Content": item["content"], "bizmsgmenuid": item["id"]}
        return self.message(openid, "text", fields, **kw)

    def image(self, openid: str, media_id: str, **kw: Any) -> httpx.Response:
        fields = {"PicUrl": "http://mmbiz.example/pic", "MediaId": media_id}
        return self.message(openid, "image", fields, **kw)

    def video(self, openid: str, media_id: str, **kw: Any) -> httpx.Response:
        return self.message(openid, "video", {"MediaId": media_id, "ThumbMediaId": "t"}, **kw)

    def voice(self, openid: str, recognition: str | None = None, **kw: Any) -> httpx.Response:
        """A voice message; ``recognition`` is what WeChat's speech recognition heard (the
        element is there, perhaps empty, only when the account has recognition on)."""
        fields = {"MediaId": "voice-1", "Format": "amr"}
        if recognition is not None:
            fields["Recognition"] = recognition
        return self.message(openid, "voice", fields, **kw)

    def location(self, openid: str, lat: str, lon: str, label: str, **kw: Any) -> httpx.Response:
        fields = {"Location_X": lat, "Location_Y": lon, "Scale": "15", "Label": label}
        return self.message(openid, "location", fields, **kw)

    def event(
        self, openid: str, event: str, key: str | None = None, *, create_time: int | None = None
    ) -> httpx.Response:
        fields = {"Event": event} if key is None else {"Event": event, "EventKey": key}
        return self.post(self.xml(openid, "event", fields, create_time=create_time))

    def message(
        self, openid: str, msg_type: str, fields: dict[str, str], *, msg_id: int | None = None
    ) -> httpx.Response:
        msg_id = next(self._ids) if msg_id is None else msg_id
        return self.post(self.xml(openid, msg_type, {**fields, "MsgId": str(msg_id)}))

    # --- the wire -------------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock.now().timestamp())

    def xml(
        self, openid: str, msg_type: str, fields: dict[str, str], *, create_time: int | None = None
    ) -> str:
        if self.before_send is not None:
            self.before_send(openid)
        parts = [
            f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>",
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
            f"<CreateTime>{create_time or self.now()}</CreateTime>",
            f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
        ]
        for name, value in fields.items():
            parts.append(
                f"<{name}>{value}</{name}>"
                if name == "MsgId"
                else f"<{name}><![CDATA[{value}]]></{name}>"
            )
        return "<xml>" + "".join(parts) + "</xml>"

    def query(self, *, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(self.now() if timestamp is None else timestamp)
        nonce = secrets.token_hex(5)
        return {
            "signature": signature(self.token, stamp, nonce),
            "timestamp": stamp,
            "nonce": nonce,
        }

    def post(
        self, xml: str | bytes, *, timestamp: int | None = None, query: dict[str, str] | None = None
    ) -> httpx.Response:
        params = query or self.query(timestamp=timestamp)
        body = xml.encode() if isinstance(xml, str) else xml
        if self.mode != "plain":
            body, params = self.encrypt(body.decode(), params)
        return self.http.post(
            "/wechat/callback", params=params, content=body, headers={"Content-Type": "text/xml"}
        )

    def encrypt(self, xml: str, params: dict[str, str]) -> tuple[bytes, dict[str, str]]:
        """What WeChat posts in safe mode (only Encrypt) or compatible mode (both)."""
        sealed = self.crypto.encrypt_message(xml, params["nonce"], params["timestamp"])
        encrypted = sealed.split("<Encrypt><![CDATA[", 1)[1].split("]]>", 1)[0]
        msg_signature = signature(self.token, params["timestamp"], params["nonce"], encrypted)
        if self.mode == "compatible":
            inner = xml[len("<xml>") : -len("</xml>")]  # the plaintext fields stay
        else:
            inner = f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        body = f"<xml>{inner}<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        return body.encode(), {
            **params,
            "encrypt_type": "aes",
            "msg_signature": msg_signature,
        }

    def handshake(self, echostr: str, **overrides: str) -> httpx.Response:
        return self.http.get(
            "/wechat/callback", params={**self.query(), "echostr": echostr, **overrides}
        )
