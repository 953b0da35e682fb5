"""The counsellor handoff from Zalo, end to end: the real bot (`careerbot run`, against the
Telegram Bot API stand-in) serving the web server with ZALO_APP_ID set, and the OA API
stand-in. A counsellor's reply reaches the person inside Zalo's 48-hour window; outside it, it
is kept (not sent), the group is told, and it goes out when the person writes again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot import intents as i
from bot import messages
from handlers.zalo import ZALO
from handlers.zalo.channel import ZaloChannel, media_text
from handlers.zalo.render import button_payload
from handlers.zalo.window import WINDOW_SECONDS
from tests.telegram.botapi import FakeBotAPI
from tests.telegram.harness import COUNSELOR_CHAT, BotHarness
from tests.telegram.protocol import Chat, User
from tests.web_process import free_port
from tests.zalo.harness import intents, zalo_env
from tests.zalo.oaapi import FakeZaloOA, Sent


class Person:
    """A Zalo user writing to the OA served by the bot's web server."""

    def __init__(self, zalo: FakeZaloOA, bot: BotHarness, url: str, user: str) -> None:
        self.zalo, self.bot, self.url, self.user = zalo, bot, url, user

    @property
    def channel(self) -> ZaloChannel:
        channel = self.bot.app.bot_data["web"].app[ZALO].channel
        assert channel is not None
        return channel

    async def say(self, text: str) -> list[Sent]:
        return await self.send("user_send_text", text=text)

    async def send(self, event_name: str, **options: Any) -> list[Sent]:
        """The person sends something (a text, a picture, a file); what Zalo delivered back."""
        before = len(self.zalo.sent)
        status, _ = await self.zalo.send_event(
            self.url, self.zalo.event(event_name, self.user, **options))
        assert status == 200
        await self.channel.drain()
        return [m for m in self.zalo.sent[before:] if m.user_id == self.user]

    def user_id(self) -> int:
        account = self.bot.services.accounts.find("zalo", self.user)
        assert account is not None
        return account.user_id


async def until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait for something the bot does in the background (no timing is asserted)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


@pytest.fixture
async def person(api: FakeBotAPI, zalo: FakeZaloOA, tmp_path: Path, counsellors: Chat
                 ) -> AsyncIterator[Person]:
    port = free_port()
    bot = BotHarness(api, tmp_path, env={"CAREERBOT_WEB_PORT": str(port),
                                         "CAREERBOT_WEB_HOST": "127.0.0.1", **zalo_env(zalo)})
    await bot.start()
    try:
        yield Person(zalo, bot, f"http://127.0.0.1:{port}/zalo/webhook", "z-lan")
    finally:
        await bot.stop()


async def _open_ticket(person: Person, api: FakeBotAPI) -> dict[str, object]:
    [fallback] = await person.say("cho em hỏi về nghề thổi thủy tinh")
    counsel = next(x for x in intents(fallback) if isinstance(x, i.CounselOpen))
    api.mark(COUNSELOR_CHAT)
    [opened] = await person.say(button_payload(counsel))
    [header] = await api.wait_for_message(COUNSELOR_CHAT, timeout=20)
    ticket = person.bot.services.tickets.open_for(person.user_id())
    assert ticket is not None and f"#{ticket.id}" in (opened.text or "")
    assert f"#{ticket.id}" in header["text"]
    [passed_on] = await person.say("em muốn hỏi riêng ạ")
    assert passed_on.text == messages.RELAY_ACK
    [relayed] = await api.wait_for_message(COUNSELOR_CHAT, timeout=20)
    assert relayed["text"] == "em muốn hỏi riêng ạ"
    return relayed


async def test_a_counsellors_reply_reaches_the_zalo_user_inside_the_window(
        person: Person, api: FakeBotAPI, zalo: FakeZaloOA, counsellor: User, counsellors: Chat):
    relayed = await _open_ticket(person, api)
    await api.send_text(counsellor, "Chào em, cô Mai đây.", chat=counsellors, reply_to=relayed)
    await until(lambda: "Chào em, cô Mai đây." in zalo.texts_to(person.user))
    [reply] = [m for m in zalo.sent if m.text == "Chào em, cô Mai đây."]
    assert reply.reply_to is None  # sent on the bot's own, later: addressed by user id
    call = next(r for r in zalo.message_calls()
                if r.body["message"].get("text") == "Chào em, cô Mai đây.")
    assert call.body["recipient"] == {"user_id": person.user}


async def test_a_reply_outside_the_window_is_kept_the_group_told_and_sent_when_they_write(
        person: Person, api: FakeBotAPI, zalo: FakeZaloOA, counsellor: User, counsellors: Chat):
    relayed = await _open_ticket(person, api)
    # Two days pass: the person last wrote 48 hours and a minute ago.
    long_ago = zalo.clock() - WINDOW_SECONDS - 60
    zalo.person_wrote(person.user, at=long_ago)
    user_id = person.user_id()
    await person.bot.services.writer.write(lambda db: db.execute(
        "UPDATE zalo_windows SET last_message_at = ? WHERE user_id = ?", [long_ago, user_id]))
    api.mark(COUNSELOR_CHAT)
    calls = len(zalo.message_calls())
    await api.send_text(counsellor, "Cô gửi em lịch tư vấn nhé.", chat=counsellors,
                        reply_to=relayed)
    told = await api.wait_for_message(COUNSELOR_CHAT, count=2, timeout=20)
    said = "\n".join(m["text"] for m in told)
    ticket = person.bot.services.tickets.open_for(user_id)
    assert ticket is not None
    assert messages.ZALO_REPLY_HELD.format(id=ticket.id) in said
    assert len(zalo.message_calls()) == calls  # nothing was even tried at Zalo
    kept = list(person.bot.services.db.query(
        "SELECT text, state FROM outbox WHERE destination = 'zalo' AND user_id = ?", [user_id]))
    assert kept == [{"text": "Cô gửi em lịch tư vấn nhé.", "state": "undelivered"}]
    # The person writes again: the kept reply goes first, then their message is passed on.
    held, ack = await person.say("dạ em cảm ơn cô")
    assert messages.ZALO_HELD_HEAD in (held.text or "")
    assert "Cô gửi em lịch tư vấn nhé." in (held.text or "")
    assert ack.text == messages.RELAY_ACK
    assert held.reply_to is not None and held.reply_to == ack.reply_to  # answers that message
    await person.bot.services.writer.sync()
    assert not list(person.bot.services.db.query(
        "SELECT 1 FROM outbox WHERE destination = 'zalo' AND user_id = ?", [user_id]))


@pytest.mark.parametrize(("kind", "line"), [
    ("user_send_image", messages.ZALO_RELAY_MEDIA["image"].format(
        url="https://photo.zalo.me/photo.jpg")),
    ("user_send_file", messages.ZALO_RELAY_MEDIA["file"].format(
        url="https://f.zalo.me/file.pdf", name="hoso.pdf"))])
async def test_a_picture_or_file_on_an_open_ticket_reaches_the_counsellors_as_its_link(
        person: Person, api: FakeBotAPI, zalo: FakeZaloOA, counsellor: User, counsellors: Chat,
        kind: str, line: str):
    relayed = await _open_ticket(person, api)
    api.mark(COUNSELOR_CHAT)
    [ack] = await person.send(kind)
    assert ack.text == messages.RELAY_ACK  # not "chỉ đọc được tin chữ"
    [passed_on] = await api.wait_for_message(COUNSELOR_CHAT, timeout=20)
    assert passed_on["text"] == line
    # The counsellors answer the picture as any relayed message; the answer reaches Zalo.
    await api.send_text(counsellor, "Cô xem ảnh rồi nhé.", chat=counsellors, reply_to=passed_on)
    await until(lambda: "Cô xem ảnh rồi nhé." in zalo.texts_to(person.user))
    assert relayed["text"] != passed_on["text"]


async def test_a_picture_with_a_caption_is_passed_on_with_it_and_none_without_a_ticket(
        person: Person, api: FakeBotAPI):
    [text_only] = await person.send("user_send_image")
    assert text_only.text == messages.ZALO_TEXT_ONLY  # no ticket: nothing to pass it on to
    await _open_ticket(person, api)
    api.mark(COUNSELOR_CHAT)
    [ack] = await person.send("user_send_image", text="bảng điểm của em ạ")
    assert ack.text == messages.RELAY_ACK  # the caption is the person's own: no crisis reply
    [passed_on] = await api.wait_for_message(COUNSELOR_CHAT, timeout=20)
    assert passed_on["text"].splitlines() == [
        "bảng điểm của em ạ",
        messages.ZALO_RELAY_MEDIA["image"].format(url="https://photo.zalo.me/photo.jpg")]
    [sticker] = await person.send("user_send_sticker")  # a sticker says nothing to pass on
    assert sticker.text == messages.ZALO_TEXT_ONLY


def test_only_web_links_of_known_kinds_are_passed_on():
    def image(url: object, kind: str = "image") -> dict[str, object]:
        return {"type": kind, "payload": {"url": url}}

    assert media_text({"attachments": [image("javascript:alert(1)"), image(None),
                                       image("https://x.zalo.me/s.png", "sticker")]}) is None
    assert media_text({"text": "x"}) is None and media_text("not a message") is None
    two = media_text({"attachments": [image("https://a.zalo.me/1.jpg"), "junk",
                                      image("http://b.zalo.me/2.jpg")]})
    assert two is not None and two.splitlines() == [
        messages.ZALO_RELAY_MEDIA["image"].format(url="https://a.zalo.me/1.jpg"),
        messages.ZALO_RELAY_MEDIA["image"].format(url="http://b.zalo.me/2.jpg")]
