"""python-telegram-bot's HTTP requests on aiohttp instead of httpx.

`Bot` builds every Bot API call and parses every answer as before; only the transport
under `BaseRequest.do_request` changes. Profiles of a busy bot put a quarter to a third of
its CPU in PTB's default transport (httpx → httpcore, whose pool checks each idle
connection for readability before and after every request → anyio's sockets); aiohttp's
pool hands out a kept connection without that scan and parses answers in C.

Timeouts map onto aiohttp's: `pool_timeout` bounds waiting for a pooled connection
(aiohttp's `connect`, which includes opening one), `connect_timeout` opening the socket
(`sock_connect`), `read_timeout` each read (`sock_read`). aiohttp has no write timeout of
its own: the whole request is bounded by the sum of the four (PTB's write timeout is 20 s
for uploads), unbounded when any of them is.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

UPLOAD_WRITE_TIMEOUT = 20.0  # PTB's default for requests that carry files


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp session with `connections` kept-alive connections."""

    def __init__(
        self,
        connections: int = 8,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._connections, limit_per_host=self._connections
            )
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        if isinstance(write_timeout, DefaultValue):
            write_timeout = UPLOAD_WRITE_TIMEOUT if files else self._write_timeout
        pool = _given(pool_timeout, self._pool_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        read = _given(read_timeout, self._read_timeout)
        timeout = aiohttp.ClientTimeout(
            total=_sum(pool, connect, write_timeout, read),
            connect=pool,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data, files), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _sum(*bounds: float | None) -> float | None:
    """None (unbounded) when any bound is."""
    total = 0.0
    for bound in bounds:
        if bound is None:
            return None
        total += bound
    return total


def _body(request_data: RequestData | None, files: dict[str, Any] | None) -> Any:
    """Form fields as httpx sends them: url-encoded, or multipart when there are files."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not files:
        return fields
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
