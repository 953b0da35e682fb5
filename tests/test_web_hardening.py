"""Issue 17's web findings, each through aiohttp's test server (or the real listener for the
slow-client timeouts) on a fresh database: only issued sessions, kept hashed; stream caps with
polling; malformed JSON and lone surrogates; no staff work in the anonymous chat; the host,
the proxies, the log salt, slow clients and a full disk."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import secrets
import socket
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot import logs, messages
from bot.answering.assistant import Assistant
from bot.bootstrap import Running, build_services
from bot.config import ConfigError, Settings
from bot.people import privacy
from bot.reports import reporting
from bot.services import Services
from bot.storage.database import MIGRATIONS, migrate
from bot.views import Block, Part, View
from handlers.web import api, server
from handlers.web.server import build_app
from handlers.web.sessions import session_key
from tests.test_web_api import SCHOOL, Visitor, _answer, _start_survey, choices, text_of
from tests.web_process import WebServer

SCHOOL_SITE = "https://thcs-a.example.edu.vn"


def _settings(tmp_path: Path, **extra: Any) -> Settings:
    return Settings(db_path=tmp_path / "web.db", web_origins=(SCHOOL_SITE,),
                    flood_per_minute=1000, **extra)


@pytest.fixture
async def make(tmp_path: Path, assistant: Assistant) -> AsyncIterator[Any]:
    """make(**settings) -> (services, a function opening one more browser on that server)."""
    made: list[Services] = []
    clients: list[TestClient] = []

    async def build(**extra: Any) -> tuple[Services, Any]:
        svc = build_services(_settings(tmp_path, **extra), assistant=assistant)
        made.append(svc)
        test_server = TestServer(build_app(Running(svc)))

        async def browser() -> TestClient:
            client = TestClient(test_server, cookie_jar=CookieJar(unsafe=True))
            await client.start_server()
            clients.append(client)
            return client

        return svc, browser

    try:
        yield build
    finally:
        for client in reversed(clients):
            await client.close()
        for svc in made:
            svc.close()


def _plant(client: TestClient, value: str) -> None:
    """A cookie the browser holds for this server (as one a script would send)."""
    client.session.cookie_jar.update_cookies({"careerbot": value},
                                             response_url=client.make_url("/"))


def _cookie(client: TestClient) -> str:
    return next(c.value for c in client.session.cookie_jar if c.key == "careerbot")


def _web_accounts(svc: Services) -> int:
    return int(svc.db.execute("SELECT count(*) FROM accounts WHERE channel = 'web'")
               .fetchone()[0])


# --- F2: only sessions the server issued ---------------------------------------------------------
async def test_a_made_up_cookie_never_names_an_account_and_opening_gets_a_fresh_one(make):
    svc, browser = await make()
    client = await browser()
    made_up = secrets.token_urlsafe(32)
    _plant(client, made_up)
    page = Visitor(client)
    refused = await page.post("/api/message", {"text": "chào"})
    assert refused.status == 401 and (await refused.json())["error"] == messages.WEB_NO_SESSION
    opened = await page.post("/api/open", {"school": ""})
    assert opened.status == 200 and "careerbot=" in opened.headers["Set-Cookie"]
    issued = _cookie(client)
    assert issued != made_up
    for key in (made_up, session_key(made_up)):
        assert svc.accounts.find("web", key) is None
    assert _web_accounts(svc) == 1
    assert (await page.post("/api/message", {"text": "chào"})).status == 200


async def test_one_address_with_made_up_cookies_makes_no_more_accounts_than_its_new_sessions(make):
    svc, browser = await make()
    client = await browser()
    page = Visitor(client)
    statuses = []
    start = time.monotonic()
    for _ in range(100):  # 2,499 accounts in 20 s were made this way
        client.session.cookie_jar.clear()
        _plant(client, secrets.token_urlsafe(32))
        statuses.append((await page.post("/api/open", {"school": ""})).status)
    elapsed = time.monotonic() - start
    assert 429 in statuses
    # No more accounts than new sessions, and no more of those than the new-session bucket
    # holds (its burst) plus what it refills while this loop runs on a slow machine.
    per_minute = max(60, svc.settings.web_ip_per_minute // server.NEW_SESSION_SHARE)
    bound = per_minute // 2 + per_minute / 60 * elapsed
    assert _web_accounts(svc) == statuses.count(200) <= bound


async def test_the_database_holds_no_live_cookie(make, tmp_path):
    svc, browser = await make()
    client = await browser()
    await Visitor(client).open()
    await Visitor(client).say("hoc trung cap co mat hoc phi ko")
    cookie = _cookie(client)
    await svc.writer.sync()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("web.db*"))
    assert cookie.encode() not in stored
    assert svc.accounts.find("web", session_key(cookie)) is not None


async def test_a_new_visitor_never_gets_the_user_id_of_someone_who_erased_their_data(make):
    svc, browser = await make()
    first, second = Visitor(await browser()), Visitor(await browser())
    await first.open()
    erased = svc.accounts.find("web", session_key(_cookie(first.client))).user_id
    [confirm] = await first.say("/xoadulieu")
    await first.call("/api/intent", {
        "intent": next(c["intent"] for c in choices(confirm) if c["intent"]["erase"] is True),
        "from": confirm["id"]})
    after_reset = svc.accounts.find("web", session_key(_cookie(first.client))).user_id
    await second.open()
    newcomer = svc.accounts.find("web", session_key(_cookie(second.client))).user_id
    assert erased not in (after_reset, newcomer)
    assert len({erased, after_reset, newcomer}) == 3


async def test_the_migration_hashes_existing_sessions_and_their_cookies_still_work(tmp_path,
                                                                                  assistant):
    path = tmp_path / "web.db"
    old = sqlite_utils.Database(sqlite3.connect(path))
    migrate(old, MIGRATIONS[:7])  # the release before session ids were hashed
    cookie = secrets.token_urlsafe(32)
    old.execute("INSERT INTO users (id, created_at, audience) VALUES (-7, 'then', 'parent')")
    old.execute("INSERT INTO accounts (channel, external_id, user_id, created_at) "
                "VALUES ('web', ?, -7, 'then')", [cookie])
    old.conn.commit()
    old.close()
    svc = build_services(_settings(tmp_path), assistant=assistant)
    client = TestClient(TestServer(build_app(Running(svc))), cookie_jar=CookieJar(unsafe=True))
    await client.start_server()
    try:
        assert svc.db.execute("SELECT external_id FROM accounts WHERE user_id = -7"
                              ).fetchone()[0] == hashlib.sha256(cookie.encode()).hexdigest()
        _plant(client, cookie)
        await Visitor(client).say("hoc trung cap co mat hoc phi ko")
        await svc.writer.sync()
        assert svc.db.execute("SELECT user_id FROM asks").fetchone()[0] == -7
    finally:
        await client.close()
        svc.close()


async def test_web_sessions_that_left_nothing_are_purged_after_the_retention_period(make):
    svc, browser = await make()
    idle, asked = Visitor(await browser()), Visitor(await browser())
    await idle.open()
    await asked.open()
    await asked.say("hoc trung cap co mat hoc phi ko")
    idle_id = svc.accounts.find("web", session_key(_cookie(idle.client))).user_id
    later = svc.clock() + privacy.KEEP_EMPTY_WEB + dt.timedelta(days=1)
    soon = svc.clock() + dt.timedelta(days=2)
    assert (await svc.writer.write(lambda db: privacy.purge(db, soon)))["users"] == 0
    counts = await svc.writer.write(lambda db: privacy.purge(db, later))
    svc.accounts.clear_cache()
    assert counts["users"] == 1
    assert svc.db.execute("SELECT count(*) FROM users WHERE id = ?", [idle_id]).fetchone()[0] == 0
    assert _web_accounts(svc) == 1  # the one who asked keeps everything
    gone = await idle.post("/api/message", {"text": "chào"})
    assert gone.status == 401  # its cookie names nothing now: opening the chat starts afresh


async def _submit_survey(visitor: Visitor, svc: Services) -> None:
    question = await _start_survey(svc, visitor)
    while not any(c["intent"]["type"] == "survey_submit" for c in choices(question)):
        question = await _answer(visitor, question)
    [thanks, *_] = await visitor.tap(question, "✅ Gửi")
    assert "Cảm ơn" in text_of(thanks)


async def test_survey_bursts_from_one_address_are_kept_but_shown_to_staff_as_suspect(make):
    svc, browser = await make(surveys_per_address_hour=2)
    for _ in range(3):
        await _submit_survey(Visitor(await browser()), svc)
    flags = [r[0] for r in svc.db.execute("SELECT suspect FROM responses WHERE status = "
                                          "'submitted' ORDER BY id")]
    assert flags == [0, 0, 1]  # nothing lost, the third marked
    scope = svc.staff.school_scope(SCHOOL.code)
    year = svc.db.execute("SELECT school_year FROM responses").fetchone()[0]
    report = reporting.build_report(svc, scope, year)
    assert report is not None and report.total == 3
    assert report.notes[0] == messages.REPORT_SUSPECT.format(count=1)
    assert "đáng ngờ" in report.notes[0]


# --- F3: live streams per address and per session ------------------------------------------------
async def _stream_status(client: TestClient) -> int:
    response = await client.get("/api/events", headers={"Sec-Fetch-Site": "same-origin"})
    status = response.status
    if status != 200:
        assert (await response.json())["error"] == messages.WEB_POLLING
        response.close()
    return status


async def test_one_address_gets_only_its_share_of_streams_and_the_rest_poll(make):
    svc, browser = await make(web_streams_per_address=2, web_streams_per_session=1)
    pages = [Visitor(await browser()) for _ in range(3)]
    for page in pages:
        await page.open()
    held = []
    for page in pages:
        response = await page.client.get("/api/events",
                                         headers={"Sec-Fetch-Site": "same-origin"})
        held.append(response)
    assert [r.status for r in held] == [200, 200, 429]
    assert (await held[2].json())["error"] == messages.WEB_POLLING
    assert await _stream_status(pages[0].client) == 429  # a second tab of one session
    # The refused page still gets what is delivered to it, by polling.
    key = session_key(_cookie(pages[2].client))
    account = svc.accounts.find("web", key)
    last = (await (await pages[2].client.get("/api/poll")).json())["last"]

    await svc.outbox.send(account.user_id, View((Part(Block.TEXT, "Thầy trả lời nè"),)))
    polled = await (await pages[2].client.get(f"/api/poll?after={last}")).json()
    assert [text_of(v) for v in polled["views"]] == ["Thầy trả lời nè "]
    assert polled["every"] == api.POLL_EVERY
    cross = await pages[2].client.get("/api/poll", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status == 403  # another site's page cannot read it with the visitor's cookie
    for response in held[:2]:
        response.close()
    await asyncio.sleep(0.05)
    assert await _stream_status(pages[2].client) == 200  # a slot is free again


# --- F5, F6: JSON the parser gives up on; lone surrogates ---------------------------------------
async def _raw_post(page: Visitor, path: str, body: str) -> tuple[int, dict[str, Any]]:
    response = await page.client.post(path, data=body.encode(), headers={
        "Content-Type": "application/json", "Origin": page.origin})
    return response.status, await response.json()


@pytest.mark.parametrize("body", [
    "[" * 8_000 + "]" * 8_000,  # RecursionError in the parser (within the 16 KB a body may be)
    '{"text": ' + "9" * 5_000 + "}",  # ValueError: over 4,300 digits
    '{"text": "a", "x": ' + "[" * 200 + "]" * 200 + "}",  # parsed, but deeper than any request
])
async def test_json_the_parser_gives_up_on_is_a_400_in_vietnamese(make, body):
    _, browser = await make()
    page = Visitor(await browser())
    await page.open()
    for path in ("/api/open", "/api/message", "/api/intent"):
        status, data = await _raw_post(page, path, body)
        assert (status, data) == (400, {"error": messages.WEB_BAD_REQUEST}), path


async def test_a_lone_surrogate_is_cleaned_and_never_breaks_the_chat_or_a_reload(make):
    svc, browser = await make()
    page = Visitor(await browser())
    await page.open()
    status, data = await _raw_post(page, "/api/message", '{"text": "hoc ph\\ud800i ko"}')
    assert status == 200 and data["views"]
    reload = await page.call("/api/open", {"school": ""})
    assert {"user": "hoc ph\ufffdi ko"} in [{"user": e.get("user")} for e in reload["history"]]
    await svc.writer.sync()
    stored = svc.db.execute("SELECT text FROM asks").fetchone()[0]
    assert stored.startswith("hoc ph") and stored.encode("utf-8")  # well-formed


async def test_a_delivered_view_with_a_lone_surrogate_never_breaks_a_reload(make):
    svc, browser = await make()
    page = Visitor(await browser())
    await page.open()
    account = svc.accounts.find("web", session_key(_cookie(page.client)))
    assert await svc.outbox.send(account.user_id, View((Part(Block.TEXT, "Cô tr\ud800ả lời"),)))
    for _ in range(2):  # every reload, and after the transcript is rebuilt from the database
        reload = await page.call("/api/open", {"school": ""})
        assert "Cô tr\ufffdả lời" in [text_of(v).strip() for v in reload["history"]]
    [kept] = [r[0] for r in svc.db.execute("SELECT text FROM inbox")]
    assert kept == "Cô tr\ufffdả lời"


async def test_a_typed_survey_answer_with_a_lone_surrogate_is_kept(make):
    svc, browser = await make()
    page = Visitor(await browser())
    question = await _start_survey(svc, page)
    while "lớp nào" not in text_of(question):
        question = await _answer(page, question)
    status, data = await _raw_post(page, "/api/message", '{"text": "9A\\udc81"}')
    assert status == 200
    [value] = [json.loads(r[0]) for r in svc.db.execute(
        "SELECT value FROM answers WHERE question_id = 'class'")]
    assert value == "9A\ufffd"
    assert "lớp nào" not in text_of(data["views"][-1])  # on to the next question


# --- F7: no staff work in the anonymous chat ------------------------------------------------------
async def test_staff_commands_are_refused_in_the_web_chat_and_help_lists_none(make):
    svc, browser = await make()
    svc.schools.add(SCHOOL)
    code = svc.staff.invite_now("school", SCHOOL.code)
    page = Visitor(await browser())
    await page.open()
    for command in (f"/dangky {code}", "/export", "/baocao", "/thongbao mai nghi", "/stats"):
        [reply] = await page.say(command)
        assert text_of(reply).strip() == messages.WEB_STAFF_ELSEWHERE, command
    for tapped in ({"type": "export_menu", "school": ""}, {"type": "redeem", "code": code}):
        refused = await page.post("/api/intent", {"intent": tapped})
        if refused.status == 200:
            [reply] = (await refused.json())["views"]
            assert text_of(reply).strip() == messages.WEB_STAFF_ELSEWHERE
        else:
            assert refused.status == 400
    assert svc.db.execute("SELECT count(*) FROM staff").fetchone()[0] == 0
    assert svc.db.execute("SELECT used_by FROM invites").fetchone()[0] is None
    [help_view] = await page.say("/help")
    for name, _ in messages.STAFF_COMMANDS + messages.ADMIN_COMMANDS:
        assert f"/{name}" not in text_of(help_view)


# --- F9: the host, the proxies, the log salt, slow clients, a full disk --------------------------
async def test_only_the_public_host_is_answered(make):
    svc, browser = await make()
    page = Visitor(await browser())
    rebound = await page.client.get("/", headers={"Host": "evil.example:8080"})
    assert rebound.status == 421  # DNS rebinding: another name pointing here
    opened = await page.client.post("/api/open", data="{}", headers={
        "Host": "evil.example", "Origin": "http://evil.example",
        "Content-Type": "application/json"})
    assert opened.status == 421 and (await opened.json())["error"] == messages.WEB_HOST_REFUSED
    assert _web_accounts(svc) == 0
    assert (await page.client.get("/")).status == 200  # loopback, no public origin set


async def test_with_a_public_origin_only_that_host_and_origin_count(make):
    _, browser = await make(public_origin="https://tuvan.example.vn")
    client = await browser()
    assert (await client.get("/")).status == 421  # 127.0.0.1 is not the public name
    public = {"Host": "tuvan.example.vn", "Origin": "https://tuvan.example.vn",
              "Content-Type": "application/json"}
    opened = await client.post("/api/open", data="{}", headers=public)
    assert opened.status == 200
    assert "__Host-careerbot=" in opened.headers["Set-Cookie"]  # https from the configuration
    wrong = await client.post("/api/open", data="{}", headers={
        **public, "Origin": "http://tuvan.example.vn"})
    assert wrong.status == 403


async def test_forwarded_for_counts_only_from_the_configured_proxies(make):
    _, browser = await make(trusted_proxies=("10.1.2.3/32",))
    client = await browser()
    statuses = []
    for n in range(100):  # a school LAN machine rotating X-Forwarded-For
        client.session.cookie_jar.clear()
        response = await client.post("/api/open", data="{}", headers={
            "Origin": str(client.make_url("/")).rstrip("/"), "Content-Type": "application/json",
            "X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"})
        statuses.append(response.status)
    assert 429 in statuses  # one address, whatever it claims
    _, browser2 = await make(trusted_proxies=("127.0.0.0/8",))
    client2 = await browser2()
    statuses2 = []
    for n in range(100):  # the same from the configured proxy: 100 different students
        client2.session.cookie_jar.clear()
        response = await client2.post("/api/open", data="{}", headers={
            "Origin": str(client2.make_url("/")).rstrip("/"), "Content-Type": "application/json",
            "X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"})
        statuses2.append(response.status)
    assert set(statuses2) == {200}


def test_every_entry_hashes_user_ids_with_the_installation_salt(tmp_path, assistant):
    logs.set_salt(None)
    public = logs.uid(123)
    with_db = [build_services(Settings(db_path=tmp_path / "a.db"), assistant=assistant)
               for _ in range(2)]
    try:
        first = logs.uid(123)
    finally:
        for svc in with_db:
            svc.close()
    assert first != public  # `careerbot web` alone no longer uses the public default
    again = build_services(Settings(db_path=tmp_path / "a.db"), assistant=assistant)
    again.close()
    assert logs.uid(123) == first  # the same pseudonym, whichever process starts next
    other = build_services(Settings(db_path=tmp_path / "b.db"), assistant=assistant)
    other.close()
    assert logs.uid(123) != first  # another installation: its own salt
    configured = build_services(Settings(db_path=tmp_path / "a.db", log_salt="x" * 32),
                                assistant=assistant)
    configured.close()
    logs.set_salt("x" * 32)
    assert logs.uid(123) == logs.uid(123) != first


def test_the_new_settings_are_read_and_checked():
    s = Settings.from_env({"CAREERBOT_PUBLIC_ORIGIN": "https://TuVan.example.vn/",
                           "CAREERBOT_TRUSTED_PROXIES": "172.16.0.0/12, 127.0.0.1",
                           "CAREERBOT_WEB_STREAMS_PER_ADDRESS": "5",
                           "CAREERBOT_SURVEYS_PER_ADDRESS_HOUR": "7"})
    assert s.public_origin == "https://tuvan.example.vn"
    assert s.trusted_proxies == ("172.16.0.0/12", "127.0.0.1/32")
    assert (s.web_streams_per_address, s.surveys_per_address_hour) == (5, 7)
    assert Settings.from_env({}).trusted_proxies == ("127.0.0.0/8", "::1/128")
    for env in ({"CAREERBOT_TRUSTED_PROXIES": "10.0.0.0/33"},
                {"CAREERBOT_PUBLIC_ORIGIN": "https://a.vn,https://b.vn"},
                {"CAREERBOT_PUBLIC_ORIGIN": "https://a.vn/chat"}):
        with pytest.raises(ConfigError):
            Settings.from_env(env)


@pytest.fixture
async def listening(tmp_path, assistant, monkeypatch):
    """The web chat on a real loopback listener (start_web, as `careerbot run` serves it)."""
    monkeypatch.setattr(server, "HEADER_SECONDS", 0.5)
    monkeypatch.setattr(api, "BODY_SECONDS", 0.5)
    svc = build_services(_settings(tmp_path), assistant=assistant)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    runner = await server.start_web(Running(svc), "127.0.0.1", port)
    try:
        yield port
    finally:
        await runner.cleanup()
        svc.close()


async def _read_until_closed(reader: asyncio.StreamReader, limit: float = 10.0) -> bytes:
    """Everything the server sends until it closes; fails if it is still open after `limit`."""
    return await asyncio.wait_for(reader.read(), limit)


async def test_half_sent_headers_are_cut_off(listening):
    reader, writer = await asyncio.open_connection("127.0.0.1", listening)
    writer.write(b"POST /api/open HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")
    await writer.drain()
    assert await _read_until_closed(reader) == b""  # closed, nothing answered
    writer.close()


async def test_a_half_sent_body_gets_408(listening):
    reader, writer = await asyncio.open_connection("127.0.0.1", listening)
    here = f"127.0.0.1:{listening}".encode()
    writer.write(b"POST /api/open HTTP/1.1\r\nHost: " + here + b"\r\nContent-Type: "
                 b"application/json\r\nOrigin: http://" + here + b"\r\nContent-Length: 100"
                 b"\r\n\r\n{\"sch")
    await writer.drain()
    head = await asyncio.wait_for(reader.readline(), 10.0)
    assert head.startswith(b"HTTP/1.1 408")
    writer.close()


async def test_a_full_disk_tells_new_visitors_to_try_again_later(make):
    svc, browser = await make()
    # The database may not grow by a page more (as on a full disk; SQLite then rolls the whole
    # transaction back).
    await svc.writer.write(lambda db: db.execute(
        f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}"))
    newcomer = Visitor(await browser())
    failed = None
    for _ in range(55):  # new visitors, until their rows need a page the disk does not have
        newcomer.client.session.cookie_jar.clear()
        response = await newcomer.post("/api/open", {"school": ""})
        if response.status != 200:
            failed = response
            break
    assert failed is not None and failed.status == 503
    assert (await failed.json())["error"] == messages.WEB_TRY_LATER
    assert failed.headers["Retry-After"] == server.RETRY_AFTER
    assert "thử lại sau" in messages.WEB_TRY_LATER


def test_careerbot_web_alone_cuts_off_half_sent_headers(tmp_path):
    """The same through `careerbot web` (aiohttp's run_app, not the runner of `careerbot run`)."""
    web = WebServer(tmp_path / "alone.db").start()
    try:
        with socket.create_connection(("127.0.0.1", web.port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: te")
            s.settimeout(server.HEADER_SECONDS + 15)  # bounded: never waits for ever
            assert s.recv(1024) == b""  # closed by the server, nothing answered
    finally:
        assert web.stop() == 0, web.output()
