"""`careerbot run` with CAREERBOT_WEB_PORT: the Telegram bot and the web chat in one process
(what the counsellor handoff needs), and the web chat alone when there is no token."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import ClientSession, CookieJar

from bot import messages
from tests.telegram.botapi import FakeBotAPI
from tests.telegram.process import bot_env, start_bot, stop_bot
from tests.web_process import WebServer, free_port


async def _chat(url: str) -> dict[str, object]:
    async with ClientSession() as http:
        page = await http.get(url + "/")
        assert page.status == 200 and messages.WEB_TITLE in await page.text()
        opened = await http.post(url + "/api/open", data=json.dumps({"school": ""}),
                                 headers={"Content-Type": "application/json", "Origin": url})
        assert opened.status == 200
        return await opened.json()


async def test_careerbot_run_serves_telegram_and_the_web_chat_together(api: FakeBotAPI,
                                                                      tmp_path: Path):
    port = free_port()
    env = bot_env(api, tmp_path / "both.db", CAREERBOT_WEB_PORT=str(port),
                  CAREERBOT_WEB_HOST="127.0.0.1")
    proc = await start_bot(api, env, capture=True)  # returns once it polls Telegram
    try:
        data = await _chat(f"http://127.0.0.1:{port}")
        assert "Chào bạn" in data["views"][0]["parts"][0]["text"]  # type: ignore[index]
    finally:
        err = await stop_bot(proc)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


async def test_careerbot_run_without_a_token_serves_the_web_chat_alone(tmp_path: Path):
    port = free_port()
    server = WebServer(tmp_path / "web-only.db", port=port, command=("run",),
                       env={"CAREERBOT_WEB_PORT": str(port), "CAREERBOT_WEB_HOST": "127.0.0.1"})
    server.start()
    try:
        data = await _chat(server.url)
        assert data["views"]
    finally:
        assert server.stop() == 0
    assert messages.WEB_ONLY.format(port=port) in server.output()


async def test_careerbot_web_says_at_its_end_how_often_an_answer_came_from_the_cache(
        tmp_path: Path):
    server = WebServer(tmp_path / "cache.db").start()
    try:
        # two visitors ask the same first question: the second reply comes from the cache
        # (within one chat the topic just answered is part of the key)
        for _ in range(2):
            async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:  # 127.0.0.1
                headers = {"Content-Type": "application/json", "Origin": server.url}
                opened = await http.post(server.url + "/api/open", data='{"school": ""}',
                                         headers=headers)
                assert opened.status == 200
                said = await http.post(server.url + "/api/message", headers=headers,
                                       data=json.dumps({"text": "hoc phi trung cap"}))
                assert said.status == 200
    finally:
        assert server.stop() == 0
    assert "answer cache: 1 hits, 1 misses (50% hits)" in server.output()
