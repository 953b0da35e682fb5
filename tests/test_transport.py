"""The bot's HTTP transport (aiohttp): JSON bodies for calls, multipart for uploads, errors."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.config import Settings
from handlers.telegram.transport import AiohttpRequest


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
    request = AiohttpRequest(connection_pool_size=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await Bot("1:x", base_url=f"http://127.0.0.1:{port}/bot", request=request).get_me()
    finally:
        await request.shutdown()


async def test_a_slow_server_and_a_full_pool_are_timeouts():
    release = asyncio.Event()
    arrived: list[int] = []

    async def slow(request: web.Request) -> web.Response:
        arrived.append(1)
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/{tail:.*}", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/bot"
    request = AiohttpRequest(connection_pool_size=1, read_timeout=0.2, connect_timeout=0.1,
                             pool_timeout=0.1)
    await request.initialize()
    bot = Bot("1:x", base_url=base, request=request)
    try:
        with pytest.raises(TimedOut):  # no answer within the read timeout
            await bot.send_message(1, "xin chào")
        # The only connection is busy (read timeout lifted): the next call cannot get one.
        busy = asyncio.ensure_future(bot.send_message(1, "một", read_timeout=None))
        for _ in range(500):  # until it holds the connection (a loaded machine is slow)
            if len(arrived) == 2:
                break
            await asyncio.sleep(0.01)
        with pytest.raises(TimedOut):  # no read timeout: only the pool can give up
            await asyncio.wait_for(bot.send_message(1, "hai", read_timeout=None), 5)
        release.set()
        with contextlib.suppress(Exception):  # its answer is not a message; only timing matters
            await busy
    finally:
        release.set()
        await request.shutdown()
        await runner.cleanup()


def test_the_connection_pool_follows_the_updates_in_flight_unless_set():
    assert Settings.from_env({"CAREERBOT_UPDATES_IN_FLIGHT": "64"}).connections == 72
    assert Settings.from_env({}).connections == Settings().connections == 40
    assert Settings.from_env({"CAREERBOT_UPDATES_IN_FLIGHT": "64",
                              "TELEGRAM_CONNECTIONS": "10"}).connections == 10


def test_an_office_proxy_from_the_environment_is_used_and_no_proxy_hosts_bypass_it(
        monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.truong.local:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    request = AiohttpRequest()
    assert request._proxy("https://api.telegram.org/botX/sendMessage") == \
        "http://proxy.truong.local:3128"
    assert request._proxy("http://127.0.0.1:8081/botX/getUpdates") is None
    monkeypatch.delenv("HTTPS_PROXY")  # read once per host: a bot does not change proxy midway
    assert request._proxy("https://api.telegram.org/botX/getMe") == \
        "http://proxy.truong.local:3128"
