"""A child in danger gets help in the web chat too: the same crisis view through the web API
(aiohttp's test server), never a cached topic answer, and the urgent handoff from the web chat
to the Telegram counsellors only after the tap."""

from __future__ import annotations

from aiohttp import ClientSession, CookieJar

from bot import messages
from tests.telegram.botapi import FakeBotAPI
from tests.telegram.harness import COUNSELOR_CHAT
from tests.test_web_api import (  # noqa: F401
    Visitor,
    clients,
    labels,
    svc_env,
    text_of,
    visitor,
)
from tests.test_web_counsel import Page, both  # noqa: F401


async def test_a_crisis_message_gets_the_111_view_and_no_menu(visitor):  # noqa: F811
    await visitor.open()
    [view] = await visitor.say("e buon qua, muon chet cho xong")
    text = text_of(view)
    assert "111" in text and "113" in text and "115" in text
    # No counsellors on this server: the view says whom to see at school, and offers no menu.
    assert messages.SAFETY_NO_COUNSEL_HINT in text
    assert labels(view) == []


async def test_a_cached_topic_answer_never_serves_a_crisis_message(svc, visitor):  # noqa: F811
    await visitor.open()
    [topic] = await visitor.say("học nghề gì ở long an")
    assert "111" not in text_of(topic)
    kept = svc.assistant.cache.stats().size
    [crisis] = await visitor.say("học nghề gì ở long an, mà thôi em chẳng muốn sống nữa")
    assert "111" in text_of(crisis)
    assert svc.assistant.cache.stats().size == kept  # a safety reply is never remembered
    [again] = await visitor.say("học nghề gì ở long an")  # the cache keeps topic replies only
    assert text_of(again) == text_of(topic)


async def test_an_illegal_request_offers_the_legal_way_as_a_topic(visitor):  # noqa: F811
    await visitor.open()
    [view] = await visitor.say("có dịch vụ làm căn cước giả tăng tuổi không")
    assert "Điều 341" in text_of(view)
    [button] = view["rows"][0]
    assert button["intent"] == {"type": "topic", "id": "overseas.requirements", "back": ""}


async def test_the_web_visitor_reaches_the_counsellors_urgently_only_after_the_tap(
        both, api: FakeBotAPI):  # noqa: F811
    bot, url = both
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        page = Page(http, url)
        await page.post("/api/open", {"school": ""})
        api.mark(COUNSELOR_CHAT)
        [crisis] = await page.say("ba em say xỉn về là đánh em với má, em sợ lắm")
        urgent = next(c for row in crisis["rows"] for c in row)
        assert urgent["label"] == messages.SAFETY_COUNSEL_BUTTON
        assert urgent["intent"] == {"type": "counsel", "concern": "abuse"}
        assert api.sent(COUNSELOR_CHAT) == []  # nothing sent before the tap
        assert list(bot.services.db.query("SELECT id FROM tickets")) == []
        await page.post("/api/intent", {"intent": urgent["intent"], "from": crisis["id"]})
        [header] = await api.wait_for_message(COUNSELOR_CHAT)
        assert header["text"].startswith("🚨 KHẨN")
        assert "đánh" not in header["text"]
