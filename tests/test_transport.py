"""The bot's HTTP transport: JSON bodies for calls, multipart for uploads, errors mapped."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from handlers.transport import JsonBodyRequest


async def test_answers_go_as_json_and_files_as_multipart(bot, api, student):
    [answer] = await bot.say(student, "Học phí trung cấp bao nhiêu?")
    sent = [c for c in api.calls if c.method == "sendMessage"][-1]
    assert sent.body == "json"
    assert sent.params["parse_mode"] == "HTML" and "<i>Nguồn:</i>" in sent.params["text"]
    assert "Nguồn:" in answer["text"]  # the stand-in parsed the HTML the JSON carried
    assert sent.params["reply_markup"]["inline_keyboard"]  # nested objects arrive as objects
    await bot.say(student, "/dulieucuatoi", count=2)
    [upload] = [c for c in api.calls if c.method == "sendDocument"]
    assert upload.body == "multipart" and upload.ok


async def test_an_unreachable_server_is_a_network_error():
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()  # nothing listens on that port any more
    request = JsonBodyRequest(connection_pool_size=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await Bot("1:x", base_url=f"http://127.0.0.1:{port}/bot", request=request).get_me()
    finally:
        await request.shutdown()


async def test_a_server_that_does_not_answer_in_time_is_a_timeout():
    release = asyncio.Event()

    async def never(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/{tail:.*}", never)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    request = JsonBodyRequest(connection_pool_size=1, read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await Bot("1:x", base_url=f"http://127.0.0.1:{port}/bot",
                      request=request).send_message(1, "xin chào")
    finally:
        release.set()
        await request.shutdown()
        await runner.cleanup()
