"""Nothing lost for web visitors: what the outbox delivers to a visitor with no page open (a
counsellor's reply) is in the database, so a restarted server still shows it, within bounds,
in the visitor's data export, erased with the rest and forgotten on time."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.answering.assistant import Assistant
from bot.bootstrap import Running, build_services
from bot.config import Settings
from bot.outreach.inbox import KEEP_PER_USER, Delivered
from bot.people import privacy
from bot.services import Services
from bot.storage.database import MIGRATIONS, migrate, open_db, schema_version
from bot.views import Block, Part, View
from handlers.web.server import build_app
from handlers.web.sessions import session_key
from tests.test_web_api import Visitor, _next_event, _sid, choices, text_of

REPLY = "Cô Mai: em cứ đăng ký trung cấp, thứ Hai cô gọi lại nhé"


class Server:
    """`careerbot web` on a database: started, stopped and started again like the real one
    (new services, new application; only the database and the browser's cookie carry over)."""

    def __init__(self, path: Path, assistant: Assistant) -> None:
        self.settings = Settings(db_path=path, flood_per_minute=1000)
        self.assistant = assistant
        self.cookies = CookieJar(unsafe=True)
        self.svc: Services | None = None
        self.client: TestClient | None = None

    async def start(self) -> Visitor:
        self.svc = build_services(self.settings, assistant=self.assistant)
        self.client = TestClient(TestServer(build_app(Running(self.svc))), cookie_jar=self.cookies)
        await self.client.start_server()
        return Visitor(self.client)

    async def stop(self) -> None:
        assert self.client is not None and self.svc is not None
        await self.client.close()
        self.svc.close()
        self.client = self.svc = None


@pytest.fixture
async def server(tmp_path: Path, assistant: Assistant) -> AsyncIterator[Server]:
    running = Server(tmp_path / "web.db", assistant)
    try:
        yield running
    finally:
        if running.client is not None:
            await running.stop()


async def _offline_reply(server: Server) -> int:
    """A visitor opens the chat, closes the page; the counsellor answers. Their user id."""
    visitor = await server.start()
    await visitor.open()
    assert server.svc is not None and server.client is not None
    user_id = server.svc.accounts.find("web", _sid(server.client)).user_id
    assert await server.svc.outbox.send(user_id, View((Part(Block.TEXT, REPLY),)))
    return user_id


def _texts(entries: list[dict[str, Any]]) -> list[str]:
    return [text_of(e) for e in entries if "parts" in e]


async def test_a_counsellor_reply_to_an_offline_visitor_is_there_after_a_restart(server):
    await _offline_reply(server)
    await server.stop()  # the server restarts before the visitor comes back

    visitor = await server.start()
    opened = await visitor.open()
    assert any(REPLY in text for text in _texts(opened["history"]))
    assert opened["views"] == []  # no welcome over the counsellor's reply
    assert opened["last"] >= max(e["id"] for e in opened["history"])
    # It stays in the chat on a reload, and what comes next gets a later id.
    again = await visitor.open()
    assert _texts(again["history"]) == _texts(opened["history"])
    [answer] = await visitor.say("hoc trung cap co mat hoc phi ko")
    assert answer["id"] > max(e["id"] for e in opened["history"])


async def test_after_a_restart_a_half_done_survey_comes_back_below_the_reply(server):
    visitor = await server.start()
    await visitor.open()
    [listing] = await visitor.say("/khaosat")
    [consent] = await visitor.tap(listing, next(c["label"] for c in choices(listing)))
    [question] = await visitor.tap(consent, next(c["label"] for c in choices(consent)))
    assert server.svc is not None and server.client is not None
    user_id = server.svc.accounts.find("web", _sid(server.client)).user_id
    assert await server.svc.outbox.send(user_id, View((Part(Block.TEXT, REPLY),)))
    await server.stop()

    opened = await (await server.start()).open()
    assert any(REPLY in text for text in _texts(opened["history"]))
    [resumed] = opened["views"]
    assert text_of(resumed) == text_of(question)


async def test_erasing_my_data_erases_what_was_delivered_too(server):
    user_id = await _offline_reply(server)
    assert server.svc is not None
    await server.svc.writer.sync()
    assert len(server.svc.inbox.kept(user_id, "web")) == 1
    exported = privacy.my_data(server.svc.db, user_id)
    assert [row["text"] for row in exported["delivered"]] == [REPLY]  # in the visitor's file

    counts = await server.svc.writer.write(lambda db: privacy.erase(db, user_id))
    assert counts["inbox"] == 1
    assert server.svc.inbox.kept(user_id, "web") == []
    await server.stop()
    opened = await (await server.start()).open()  # the old cookie leads nowhere now
    assert not any(REPLY in text for text in _texts(opened["history"] + opened["views"]))


async def test_only_the_last_deliveries_of_a_person_are_kept(server):
    user_id = await _offline_reply(server)
    assert server.svc is not None
    await server.svc.inbox.keep(user_id, "web", [
        Delivered(100 + n, f"tin {n}", {"id": 100 + n, "parts": []})
        for n in range(KEEP_PER_USER + 5)])
    kept = server.svc.inbox.kept(user_id, "web")
    assert len(kept) == KEEP_PER_USER
    assert [k.text for k in kept][-1] == f"tin {KEEP_PER_USER + 4}"  # the newest stay
    assert REPLY not in [k.text for k in kept]


def test_retention_forgets_deliveries_after_180_days(tmp_path):
    db = open_db(tmp_path / "old.db")
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    db.execute("INSERT INTO users (id, created_at) VALUES (-1, 'x')")
    for days, text in [(200, "old"), (20, "recent")]:
        db.execute("INSERT INTO inbox (user_id, channel, entry_id, text, payload, at) "
                   "VALUES (-1, 'web', 1, ?, '{}', ?)",
                   [text, (now - dt.timedelta(days=days)).isoformat()])
    counts = privacy.purge(db, now)
    assert counts["inbox"] == 1
    assert [r[0] for r in db.execute("SELECT text FROM inbox")] == ["recent"]


def test_a_database_of_the_previous_release_gains_the_inbox_and_keeps_its_data(tmp_path):
    path = tmp_path / "v6.db"
    old = sqlite_utils.Database(sqlite3.connect(path))
    migrate(old, MIGRATIONS[:6])  # the schema the release before the inbox shipped with
    old.execute("INSERT INTO users (id, created_at) VALUES (-3, 'then')")
    old.execute("INSERT INTO accounts (channel, external_id, user_id, created_at) "
                "VALUES ('web', 's3ss10n', -3, 'then')")
    old.conn.commit()
    old.close()
    db = open_db(path)
    assert schema_version(db) == len(MIGRATIONS) >= 7
    assert db.execute("SELECT user_id FROM accounts WHERE external_id = ?",  # kept hashed
                      [session_key("s3ss10n")]).fetchone()[0] == -3
    db.execute("INSERT INTO inbox (user_id, channel, entry_id, text, payload, at) "
               "VALUES (-3, 'web', 1, 'x', ?, 'now')", [json.dumps({"id": 1})])
    with pytest.raises(sqlite3.IntegrityError):  # a row names a real person
        db.execute("INSERT INTO inbox (user_id, channel, entry_id, text, payload, at) "
                   "VALUES (-99, 'web', 1, 'x', '{}', 'now')")


async def test_a_page_left_open_across_a_restart_gets_what_came_after_it(server):
    """The page reconnects its event stream with the last id it saw in the old process; a
    reply delivered after the restart must not sort before it (ids kept rising)."""
    visitor = await server.start()
    await visitor.open()
    for question in ("hoc phi trung cap", "xkld la gi", "vay von di hoc"):
        await visitor.say(question)  # the old process gave this page a few ids
    seen = (await visitor.open())["last"]
    assert server.svc is not None and server.client is not None
    user_id = server.svc.accounts.find("web", _sid(server.client)).user_id
    await server.stop()

    await server.start()
    assert server.svc is not None and server.client is not None
    assert await server.svc.outbox.send(user_id, View((Part(Block.TEXT, REPLY),)))
    stream = await server.client.get("/api/events", headers={"Last-Event-ID": str(seen)})
    event = await _next_event(stream)
    assert event["parts"][0]["text"] == REPLY and event["id"] > seen
    stream.close()
