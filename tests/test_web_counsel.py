"""The counsellor handoff from the web chat, end to end: the real bot (`careerbot run`'s
Application, against the local Bot API stand-in) with the web chat on the same event loop, as
`careerbot run` serves both when CAREERBOT_WEB_PORT is set."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession, CookieJar

from bot import messages
from tests.telegram.botapi import FakeBotAPI
from tests.telegram.harness import COUNSELOR_CHAT, BotHarness
from tests.telegram.protocol import Chat, User
from tests.web_process import free_port


@pytest.fixture
async def both(api: FakeBotAPI, tmp_path: Path, counsellors: Chat
               ) -> AsyncIterator[tuple[BotHarness, str]]:
    port = free_port()
    harness = BotHarness(api, tmp_path, env={"CAREERBOT_WEB_PORT": str(port),
                                             "CAREERBOT_WEB_HOST": "127.0.0.1"})
    await harness.start()
    try:
        yield harness, f"http://127.0.0.1:{port}"
    finally:
        await harness.stop()


class Page:
    def __init__(self, http: ClientSession, url: str) -> None:
        self.http, self.url = http, url

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.http.post(self.url + path, data=json.dumps(body), headers={
                "Content-Type": "application/json", "Origin": self.url}) as response:
            data: dict[str, Any] = await response.json()
            assert response.status == 200, data
            return data

    async def say(self, text: str) -> list[dict[str, Any]]:
        return (await self.post("/api/message", {"text": text}))["views"]


async def _event(stream: ClientResponse) -> dict[str, Any]:
    while True:
        line = (await asyncio.wait_for(stream.content.readline(), 20)).decode()
        if line.startswith("data: "):
            return json.loads(line[len("data: "):])


async def test_a_web_visitor_reaches_the_telegram_counsellors_and_gets_their_reply(
        both, api: FakeBotAPI, counsellor: User, counsellors: Chat):
    bot, url = both
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        page = Page(http, url)
        await page.post("/api/open", {"school": ""})
        [fallback] = await page.say("cho em hỏi về nghề thổi thủy tinh")
        counsel = next(c for row in fallback["rows"] for c in row
                       if c["intent"]["type"] == "counsel")
        assert counsel["label"] == messages.COUNSEL_BUTTON  # offered: counsellors are reachable
        api.mark(COUNSELOR_CHAT)
        [opened] = (await page.post("/api/intent", {"intent": counsel["intent"],
                                                    "from": fallback["id"]}))["views"]
        [header] = await api.wait_for_message(COUNSELOR_CHAT)
        user = next(a for a in bot.services.db.query("SELECT * FROM accounts")
                    if a["channel"] == "web")["user_id"]
        ticket = bot.services.tickets.open_for(user)
        assert f"#{ticket.id}" in opened["parts"][0]["text"] and f"#{ticket.id}" in header["text"]
        assert "thủy tinh" in header["text"]  # the question the bot could not answer
        # While the ticket is open the bot stays quiet: the message goes to the counsellors.
        [passed_on] = await page.say("em muốn hỏi riêng ạ")
        assert passed_on["parts"][0]["text"] == messages.RELAY_ACK
        [relayed] = await api.wait_for_message(COUNSELOR_CHAT)
        assert relayed["text"] == "em muốn hỏi riêng ạ"
        async with http.get(url + "/api/events") as stream:
            await api.send_text(counsellor, "Chào em, cô Mai đây. Em học trường nào?",
                                chat=counsellors, reply_to=relayed)
            reply = await _event(stream)
        assert reply["parts"][0]["text"] == "Chào em, cô Mai đây. Em học trường nào?"
        [closed] = await page.say("/ketthuc")
        assert f"#{ticket.id}" in closed["parts"][0]["text"]
        [answer] = await page.say("hoc phi trung cap")  # the bot answers again
        assert answer["parts"]


async def test_a_web_visitors_messages_are_answered_at_once_while_the_group_budget_is_spent(
        api: FakeBotAPI, tmp_path: Path, counsellors: Chat):
    port = free_port()
    bot = BotHarness(api, tmp_path, env={"CAREERBOT_WEB_PORT": str(port),
                                         "CAREERBOT_WEB_HOST": "127.0.0.1",
                                         "TELEGRAM_GROUP_RATE_PER_MINUTE": "1"})
    await bot.start()
    url = f"http://127.0.0.1:{port}"
    try:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
            page = Page(http, url)
            await page.post("/api/open", {"school": ""})
            await page.say("/tuvan")  # its header takes the group's one post this minute
            for n in range(3):  # each waited a minute for the group before
                [passed_on] = await asyncio.wait_for(page.say(f"em hỏi câu {n}"), 10)
                assert passed_on["parts"][0]["text"].startswith(messages.RELAY_ACK)
            assert messages.RELAY_QUEUE_LONG in passed_on["parts"][0]["text"]
        await bot.services.writer.sync()
        assert bot.services.outbox.queue.backlog("counsellors")[0] == 3  # kept, not lost
    finally:
        await bot.stop()
