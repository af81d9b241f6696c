"""PTB's Bot on our aiohttp transport: calls, uploads and failures as PTB's own transport
reports them (the sender tells a retry from a refusal by these exceptions)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.channels.telegram.request import AiohttpRequest
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import TOKEN


def _bot(api: FakeBotApi, request: AiohttpRequest) -> Bot:
    return Bot(TOKEN, base_url=api.api_url, base_file_url=api.file_url, request=request)


def test_a_message_and_a_document_reach_the_bot_api(api: FakeBotApi) -> None:
    async def run() -> None:
        async with _bot(api, AiohttpRequest(2)) as bot:
            sent = await bot.send_message(42, "你好，请拍照", reply_markup=None)
            assert sent.text == "你好，请拍照"
            await bot.send_document(42, b"%PDF-1.4 agreement", filename="协议书.pdf")

    asyncio.run(run())
    text, document = api.messages(42)
    assert text.text == "你好，请拍照"
    assert (document.method, document.filename) == ("senddocument", "协议书.pdf")
    assert document.media == [b"%PDF-1.4 agreement"]


def test_a_refusal_is_a_bad_request(api: FakeBotApi) -> None:
    async def run() -> None:
        async with _bot(api, AiohttpRequest(1)) as bot:
            with pytest.raises(BadRequest):
                await bot.send_message(42, "")

    asyncio.run(run())


async def _silent_server() -> AsyncIterator[int]:
    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


def test_a_server_that_does_not_answer_times_out() -> None:
    async def run() -> None:
        async for port in _silent_server():
            request = AiohttpRequest(1, read_timeout=0.3)
            await request.initialize()
            try:
                with pytest.raises(TimedOut):
                    await request.post(f"http://127.0.0.1:{port}/botX/getMe")
            finally:
                await request.shutdown()

    asyncio.run(run())


def test_a_closed_port_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def run() -> None:
        request = AiohttpRequest(1)
        await request.initialize()
        try:
            with pytest.raises(NetworkError) as raised:
                await request.post(f"http://127.0.0.1:{port}/botX/getMe")
            assert not isinstance(raised.value, TimedOut)
        finally:
            await request.shutdown()

    asyncio.run(run())


def test_a_request_before_initialize_is_refused() -> None:
    async def run() -> None:
        with pytest.raises(NetworkError):
            await AiohttpRequest(1).post("http://127.0.0.1:9/botX/getMe")

    asyncio.run(run())
