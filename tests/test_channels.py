"""The channel contract and the one wiring point: the registry of channels, the jobs a process
runs once whatever channels it has, `Conversation.receive`, and screens and question types that
register themselves."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer
from pydantic import ValidationError

from bot import intents as i
from bot import messages
from bot.bootstrap import Running, build_conversation, screen_modules
from bot.channels import Account, Blocked, Known, Limits
from bot.intents import Intent
from bot.screens import Handlers, Screens, text_view
from bot.surveys import kinds
from bot.surveys.model import Question
from bot.views import FLOODED, View, flatten
from handlers.web.server import build_app
from tests.test_web_api import Visitor, _sid, text_of

ADMIN = 4242


@pytest.fixture
def svc_env():
    return {"CAREERBOT_ADMIN_IDS": str(ADMIN), "CAREERBOT_FLOOD_PER_MINUTE": "5"}


def said(view: View) -> str:
    return "\n".join(p.text for v in flatten(view) for p in v.parts)


class Recorder:
    """A channel as an adapter registers one (bot/channels.py), keeping what it was given."""

    limits = Limits(text=2000, buttons=5, button_title=20)

    def __init__(self, name: str, refuse: bool = False) -> None:
        self.name = name
        self.refuse = refuse
        self.got: list[tuple[str, str]] = []

    async def deliver(self, account: Account, view: View) -> bool:
        if self.refuse:
            raise Blocked
        self.got.append((account.external_id, said(view)))
        return True


# --- the registry ------------------------------------------------------------------------------
async def test_an_account_is_refused_on_a_channel_nobody_registered(svc):
    with pytest.raises(ValueError, match="unknown channel"):
        await svc.accounts.resolve("viber", "someone")
    svc.channels.declare(Known("viber"))
    account = await svc.accounts.resolve("viber", "someone")
    assert account.channel == "viber" and account.user_id < 0  # a new id, never theirs


async def test_the_outbox_delivers_on_each_account_through_its_channels_own_deliver(svc):
    zalo = Recorder("zalo")
    svc.channels.add(zalo)
    person = await svc.accounts.resolve("zalo", "z-1")
    assert await svc.outbox.send(person.user_id, text_view("Chào bạn"))
    assert zalo.got == [("z-1", "Chào bạn")]
    svc.channels.add(Recorder("zalo", refuse=True))  # the person blocked the OA meanwhile
    assert await svc.outbox.reach(person.user_id, text_view("Lần hai")) == "blocked"


async def test_a_counsellor_reply_reaches_a_positive_id_on_another_channel(svc):
    """The channel is read from the account, never from the sign of the id."""
    svc.channels.declare(Known("sms", keeps_ids=True))
    sms = Recorder("sms")
    svc.channels.add(sms)
    person = await svc.accounts.resolve("sms", "84901")
    assert person.user_id == 84901
    assert await svc.outbox.send(84901, text_view("Cô trả lời"))
    assert sms.got == [("84901", "Cô trả lời")]


# --- the process's jobs ------------------------------------------------------------------------
async def test_announcements_are_delivered_by_a_process_that_runs_only_the_web_chat(svc):
    core = Running(svc)
    client = TestClient(TestServer(build_app(core)), cookie_jar=CookieJar(unsafe=True))
    await client.start_server()
    await core.start()  # as `careerbot web` does when it starts serving
    try:
        visitor = Visitor(client)
        await visitor.open()
        student = svc.accounts.find("web", _sid(client))
        await svc.users.set_audience(student.user_id, "student9")
        talk = core.conversation
        staff = await svc.accounts.resolve("telegram", str(ADMIN))
        preview = await talk.handle(staff, i.AnnounceDraft("lop9 Họp phụ huynh lớp 9"))
        send = next(c.intent for c in preview.choices if c.label == messages.ANNOUNCE_SEND)
        assert isinstance(send, i.AnnounceDecision)
        assert said(await talk.handle(staff, send)) == \
            messages.ANNOUNCE_STARTED.format(count=1)
        for _ in range(200):  # delivered by the core's job, paced
            if svc.announcements.tally(svc.announcements.get(send.id)).get("sent"):
                break
            await asyncio.sleep(0.05)
        shown = [text_of(e) for e in (await visitor.open())["history"] if "parts" in e]
        assert any("Họp phụ huynh lớp 9" in text for text in shown)
    finally:
        await core.stop()
        await client.close()


async def test_a_process_starts_its_jobs_once_whichever_channels_ask(svc):
    core = Running(svc)
    await core.start()
    try:
        jobs = set(core.jobs.tasks)
        await core.start()  # the web chat beside the Telegram bot asks again
        assert core.jobs.tasks == jobs and len(jobs) == 2  # one purge, one housekeeping
        assert svc.outbox.announcer is not None
    finally:
        await core.stop()
    assert svc.outbox.announcer is None  # nothing accepts an announcement it cannot deliver


# --- receive -----------------------------------------------------------------------------------
async def test_receive_notes_the_person_reads_commands_and_guards_floods(svc):
    talk = build_conversation(svc)
    person = await svc.accounts.resolve("web", "fast")
    menu = await talk.receive(person, "/menu")
    assert {c.label for c in menu.choices} >= {g.title for g in svc.kb.menu}
    await svc.writer.sync()
    assert svc.users.get(person.user_id) is not None
    for _ in range(4):  # 5 a minute in this test's settings
        assert FLOODED not in (await talk.receive(person, "học phí")).signals
    warned = await talk.receive(person, "học phí")
    assert FLOODED in warned.signals and warned.notice.text == messages.SLOW_DOWN
    quiet = await talk.receive(person, i.Menu())
    assert FLOODED in quiet.signals and quiet.notice is None and not quiet.parts


async def test_receive_relays_a_message_on_an_open_ticket_instead_of_answering(svc):
    talk = build_conversation(svc)
    person = await svc.accounts.resolve("web", "asks-counsellor")
    ticket, _ = await svc.tickets.open(person.user_id, None)
    shown = await talk.receive(person, "em muốn hỏi về ngành y")
    assert said(shown) == messages.RELAY_ACK
    await svc.writer.sync()
    rows = svc.db.execute("SELECT text FROM outbox WHERE ticket_id = ?", [ticket.id]).fetchall()
    assert [r[0] for r in rows] == ["em muốn hỏi về ngành y"]


# --- self-registration -------------------------------------------------------------------------
@dataclass(frozen=True)
class Ping(Intent):
    kind = "test_ping"


async def test_a_screen_module_registers_itself_and_bootstrap_builds_the_table(svc):
    assert {"bot.people.staff_screens", "bot.reports.screens", "bot.outreach.announce_screens",
            "bot.answering.admin_screens"} <= set(screen_modules())

    class PingScreens(Screens):
        def handlers(self) -> Handlers:
            return {Ping: self.pong}

        async def pong(self, account: Account, intent: Intent) -> View:
            return text_view("pong")

    try:
        talk = build_conversation(svc)
        person = await svc.accounts.resolve("web", "pinger")
        assert said(await talk.handle(person, Ping())) == "pong"
    finally:
        Screens.registry.remove(PingScreens)


def test_a_question_type_is_valid_when_a_module_of_its_name_exists():
    assert set(kinds.names()) == {"single", "multi", "scale", "text", "number", "school"}
    assert Question(id="q1", text="Tuổi?", type="number").type == "number"
    with pytest.raises(ValidationError, match="kiểu câu hỏi"):
        Question(id="q2", text="Kéo thanh trượt", type="slider")


async def test_an_announcement_must_fit_the_smallest_message_of_the_running_channels(svc):
    core = Running(svc)
    await core.start()
    try:
        student = await svc.accounts.resolve("telegram", "801")
        await svc.users.set_audience(student.user_id, "student9")
        staff = await svc.accounts.resolve("telegram", str(ADMIN))
        text = "lop9 " + "Họp phụ huynh. " * 200  # 3,000 characters: Telegram takes it
        first = await core.conversation.handle(staff, i.AnnounceDraft(text))
        assert any(c.label == messages.ANNOUNCE_SEND for c in first.choices)
        svc.channels.add(Recorder("zalo"))  # 2,000 characters a message
        refused = await core.conversation.handle(staff, i.AnnounceDraft(text))
        assert not refused.choices
        assert said(refused).startswith(messages.ANNOUNCE_TOO_LONG.split("{")[0])
    finally:
        await core.stop()
