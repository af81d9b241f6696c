"""Headless Chromium driven over the DevTools protocol (websockets), for browser tests.

Chromium is started with ``--remote-debugging-port=0``; it writes the port it chose to
``DevToolsActivePort`` in its fresh user-data dir. One page target is attached in
"flat" mode, so its commands carry a session id on the browser's websocket.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import websockets

CHROMIUM = Path("/usr/bin/chromium")


class DevToolsError(RuntimeError):
    pass


class Browser:
    def __init__(self, process: subprocess.Popen[bytes], socket: Any, profile: Path) -> None:
        self._process = process
        self._socket = socket
        self._profile = profile
        self._ids = itertools.count(1)
        self._session: str | None = None

    @classmethod
    async def launch(cls, profile: Path, *, width: int = 1280, height: int = 900) -> Browser:
        process = subprocess.Popen(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-dev-shm-usage",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        active = profile / "DevToolsActivePort"
        for _ in range(300):  # Chromium writes the file once it listens
            if active.exists() and len(active.read_text().split()) == 2:
                break
            if process.poll() is not None:
                raise DevToolsError(f"chromium exited with {process.returncode}")
            await asyncio.sleep(0.1)
        else:
            process.kill()
            raise DevToolsError("chromium did not open its DevTools port")
        port, path = active.read_text().split()
        socket = await websockets.connect(f"ws://127.0.0.1:{port}{path}", max_size=None)
        browser = cls(process, socket, profile)
        target = await browser.call("Target.createTarget", url="about:blank")
        attached = await browser.call(
            "Target.attachToTarget", targetId=target["targetId"], flatten=True
        )
        browser._session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            await browser.page(f"{domain}.enable")
        return browser

    async def call(self, method: str, session: str | None = None, **params: Any) -> Any:
        ident = next(self._ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        await self._socket.send(json.dumps(message))
        while True:  # events arrive in between; answers carry our id
            reply = json.loads(await self._socket.recv())
            if reply.get("id") == ident:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    async def page(self, method: str, **params: Any) -> Any:
        return await self.call(method, self._session, **params)

    async def evaluate(self, expression: str) -> Any:
        result = await self.page("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, *, seconds: float = 30) -> Any:
        """Poll a JavaScript expression until it is truthy (the page may reload meanwhile)."""
        for _ in range(int(seconds * 10)):
            try:
                value = await self.evaluate(expression)
            except DevToolsError:  # the context went away mid-reload
                value = None
            if value:
                return value
            await asyncio.sleep(0.1)
        raise DevToolsError(f"timed out waiting for {expression}")

    async def navigate(self, url: str) -> None:
        await self.page("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'")

    async def cookie(self, url: str, name: str) -> str | None:
        """The value of a cookie the browser would send to ``url`` (HttpOnly ones too)."""
        found = await self.page("Network.getCookies", urls=[url])
        values = [c["value"] for c in found["cookies"] if c["name"] == name]
        return values[0] if values else None

    async def screenshot(self, path: Path) -> Path:
        shot = await self.page("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    async def close(self) -> None:
        with contextlib.suppress(Exception):  # already gone
            await self.call("Browser.close")
        await self._socket.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def profile_dir(base: Path) -> Path:
    return Path(tempfile.mkdtemp(prefix="chromium-", dir=base))
