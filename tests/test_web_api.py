"""The web chat's HTTP API, through aiohttp's test client against the real application and
services on a fresh database: sessions, the guards, the views' JSON, intents and events."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientResponse, CookieJar, DummyCookieJar, web
from aiohttp.test_utils import TestClient, TestServer

from bot import intents as i
from bot import messages
from bot.bootstrap import Running, build_services
from bot.config import ConfigError, Settings
from bot.people.schools import School
from bot.reports.export import csv_bytes
from bot.services import Services
from bot.surveys.responses import load_records
from bot.views import Block, Choice, Part, View
from handlers.web.api import WEB
from handlers.web.server import build_app
from handlers.web.sessions import session_key

SCHOOL_SITE = "https://thcs-a.example.edu.vn"


@pytest.fixture
def svc_env() -> dict[str, str]:
    """The shared `svc` (tests/conftest.py) with a school's site allowed to embed the chat."""
    return {"CAREERBOT_WEB_ORIGINS": SCHOOL_SITE, "CAREERBOT_FLOOD_PER_MINUTE": "1000"}


class Visitor:
    """One browser: its own cookie jar, the Origin a page of this server sends."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.origin = str(client.make_url("/")).rstrip("/")

    async def post(self, path: str, body: Any, **headers: str) -> ClientResponse:
        headers = {"Origin": self.origin, **headers}
        return await self.client.post(path, data=json.dumps(body),
                                      headers={"Content-Type": "application/json", **headers})

    async def call(self, path: str, body: Any, status: int = 200) -> dict[str, Any]:
        response = await self.post(path, body)
        data = await response.json()
        assert response.status == status, data
        return data

    async def open(self, school: str = "") -> dict[str, Any]:
        return await self.call("/api/open", {"school": school})

    async def say(self, text: str) -> list[dict[str, Any]]:
        return (await self.call("/api/message", {"text": text}))["views"]

    async def tap(self, view: dict[str, Any], label: str) -> list[dict[str, Any]]:
        choice = next(c for row in view["rows"] for c in row if c["label"].startswith(label))
        data = await self.call("/api/intent", {"intent": choice["intent"], "from": view["id"]})
        return data["views"]


async def _client(app: Any, server: TestServer | None = None) -> TestClient:
    client = TestClient(server or TestServer(app), cookie_jar=CookieJar(unsafe=True))
    await client.start_server()
    return client


@pytest.fixture
async def clients(svc: Services) -> AsyncIterator[list[TestClient]]:
    """Two browsers on one server."""
    server = TestServer(build_app(Running(svc)))
    first = await _client(None, server)
    second = await _client(None, server)
    try:
        yield [first, second]
    finally:
        await second.close()
        await first.close()


@pytest.fixture
def visitor(clients: list[TestClient]) -> Visitor:
    return Visitor(clients[0])


def text_of(view: dict[str, Any]) -> str:
    return "\n".join(p["text"] + " " + " ".join(map(str, p.get("items", [])))
                     for p in view["parts"])


def labels(view: dict[str, Any]) -> list[str]:
    return [c["label"] for row in view["rows"] for c in row]


# --- sessions ------------------------------------------------------------------------------
async def test_a_first_open_greets_and_gives_an_http_only_lax_session_cookie(visitor):
    response = await visitor.post("/api/open", {"school": ""})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("careerbot=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
    data = await response.json()
    [welcome] = data["views"]
    assert welcome["parts"][0]["kind"] == "text" and "Chào bạn" in welcome["parts"][0]["text"]
    assert {"id", "replaces", "parts", "rows", "notice", "replace", "files"} <= set(welcome)
    assert welcome["rows"][0][0]["intent"] == {"type": "audience", "code": "student9"}
    again = await visitor.post("/api/message", {"text": "xin chào"})
    assert "Set-Cookie" not in again.headers  # the session stuck


async def test_behind_an_https_proxy_the_cookie_is_secure_with_the_host_prefix(visitor):
    response = await visitor.post("/api/open", {}, **{
        "X-Forwarded-Proto": "https", "Origin": visitor.origin.replace("http:", "https:")})
    assert response.status == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-careerbot=") and "; Secure" in cookie


async def test_the_embedded_chat_gets_a_partitioned_cross_site_cookie(visitor):
    response = await visitor.post("/api/open?embed=1", {"school": ""})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-careerbot-embed=")
    for attribute in ("HttpOnly", "SameSite=None", "Secure", "Partitioned"):
        assert attribute in cookie


async def test_two_visitors_never_see_or_reach_each_others_chat(svc, clients):
    lan, minh = Visitor(clients[0]), Visitor(clients[1])
    await lan.open()
    [answer] = await lan.say("hoc trung cap co mat hoc phi ko")
    data = await minh.open()
    # Minh replays Lan's 👍 button: the core refuses a vote on someone else's answer.
    vote = next(c["intent"] for row in answer["rows"] for c in row
                if c["intent"]["type"] == "vote")
    [refused] = (await minh.call("/api/intent", {"intent": vote}))["views"]
    assert refused["notice"]["alert"] is True
    await svc.writer.sync()
    assert svc.db.execute("SELECT count(*) FROM feedback").fetchone()[0] == 0
    assert data["history"] == [] and len(data["views"]) == 1  # a welcome, not Lan's chat
    lan_id = svc.accounts.find("web", _sid(clients[0])).user_id
    minh_id = svc.accounts.find("web", _sid(clients[1])).user_id
    assert lan_id != minh_id and lan_id < 0 and minh_id < 0
    # A cookie the server never issued is a new, empty session, never someone else's.
    jar = clients[1].session.cookie_jar
    jar.clear()
    jar.update_cookies({"careerbot": "A" * 43}, response_url=clients[1].make_url("/"))
    assert (await minh.open())["history"] == []
    assert (await lan.open())["history"][1]["user"] == "hoc trung cap co mat hoc phi ko"


def _sid(client: TestClient) -> str:
    """The session's key, as the server keeps it (the cookie's id is never stored)."""
    return session_key(next(c.value for c in client.session.cookie_jar if c.key == "careerbot"))


# --- the guards ----------------------------------------------------------------------------
async def test_a_request_from_a_site_not_allowed_is_refused_in_vietnamese(visitor):
    response = await visitor.post("/api/message", {"text": "chào"}, Origin="https://evil.example")
    assert response.status == 403
    assert (await response.json())["error"] == messages.WEB_ORIGIN_REFUSED
    no_origin = await visitor.client.post("/api/message", data=json.dumps({"text": "chào"}),
                                          headers={"Content-Type": "application/json"})
    assert no_origin.status == 403
    preflight = await visitor.client.options("/api/message", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status == 403


async def test_an_allowed_school_site_may_call_the_api_with_cors(visitor):
    preflight = await visitor.client.options("/api/message", headers={
        "Origin": SCHOOL_SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == SCHOOL_SITE
    response = await visitor.post("/api/open", {"school": ""}, Origin=SCHOOL_SITE)
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == SCHOOL_SITE
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


async def test_only_json_is_accepted(visitor):
    for content_type, body in (("text/plain", '{"text": "chào"}'),
                               ("application/x-www-form-urlencoded", "text=chao")):
        response = await visitor.client.post("/api/message", data=body, headers={
            "Content-Type": content_type, "Origin": visitor.origin})
        assert response.status == 415
        assert (await response.json())["error"] == messages.WEB_NOT_JSON
    broken = await visitor.client.post("/api/message", data="{not json", headers={
        "Content-Type": "application/json", "Origin": visitor.origin})
    assert broken.status == 400


async def test_a_message_over_4096_characters_or_a_body_over_16_kb_is_refused(visitor):
    await visitor.open()
    assert (await visitor.post("/api/message", {"text": "a " * 2048})).status == 200
    long = await visitor.post("/api/message", {"text": "a" * 4097})
    assert long.status == 413 and "4.096" in (await long.json())["error"]
    big = await visitor.post("/api/intent", {"intent": {"type": "menu"}, "pad": "x" * 17_000})
    assert big.status == 413 and (await big.json())["error"] == messages.WEB_TOO_BIG


async def test_a_session_sending_too_fast_is_slowed_down(svc):
    client = await _client(build_app(Running(svc), session_per_minute=9))
    try:
        fast = Visitor(client)
        await fast.open()
        statuses = [(await fast.post("/api/message", {"text": "chào"})).status
                    for _ in range(4)]
        assert statuses == [200, 200, 429, 429]  # a burst of a third of the minute's nine
        refused = await fast.post("/api/message", {"text": "chào"})
        assert (await refused.json())["error"] == messages.WEB_RATE_LIMITED
    finally:
        await client.close()


async def test_an_address_sending_too_fast_is_slowed_down_whatever_its_sessions(svc):
    client = TestClient(TestServer(build_app(Running(svc), ip_per_minute=10)),
                        cookie_jar=DummyCookieJar())  # a new session on every open
    await client.start_server()
    try:
        visitor = Visitor(client)
        statuses = [(await visitor.post("/api/open", {})).status for _ in range(7)]
        assert statuses == [200] * 5 + [429] * 2  # a burst of half the minute's ten
        assert len(svc.db.execute("SELECT * FROM accounts").fetchall()) == 5
    finally:
        await client.close()


def _frozen_new_sessions(app: web.Application) -> web.Application:
    """The new-session bucket with its clock stopped: the burst alone decides, however long a
    busy machine takes over the requests (it refills one session every 0.6 s)."""
    app[WEB].new_sessions.clock = lambda: 0.0
    return app


async def test_only_opening_the_chat_starts_a_session_and_only_so_many_per_address(svc):
    client = TestClient(TestServer(_frozen_new_sessions(build_app(Running(svc),
                                                                  ip_per_minute=2500))),
                        cookie_jar=DummyCookieJar())
    await client.start_server()
    try:
        visitor = Visitor(client)
        without = await visitor.post("/api/message", {"text": "chào"})
        assert without.status == 401
        assert (await without.json())["error"] == messages.WEB_NO_SESSION
        assert (await client.get("/api/events")).status == 401
        assert svc.db.execute("SELECT count(*) FROM accounts").fetchone()[0] == 0
        statuses = [(await visitor.post("/api/open", {})).status for _ in range(52)]
        assert statuses.count(200) == 50 and statuses[-1] == 429  # 100 a minute, 50 at once
    finally:
        await client.close()


async def test_the_flood_guard_slows_down_messages_and_taps_alike(tmp_path, assistant):
    services = build_services(Settings(db_path=tmp_path / "f.db", flood_per_minute=3),
                              assistant=assistant)
    client = await _client(build_app(Running(services)))
    try:
        visitor = Visitor(client)
        await visitor.open()  # opening is not a message
        [menu] = await visitor.say("/menu")
        await visitor.tap(menu, labels(menu)[0])
        await visitor.say("chào bot")
        for refused in (await visitor.post("/api/message", {"text": "chào nữa"}),
                        await visitor.post("/api/intent", {"intent": {"type": "menu"}})):
            assert refused.status == 429
            assert (await refused.json())["error"] == messages.SLOW_DOWN
    finally:
        await client.close()
        services.close()


async def test_every_response_carries_a_strict_content_security_policy(visitor):
    page = await visitor.client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert f"frame-ancestors 'self' {SCHOOL_SITE}" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    await visitor.open()
    api = await visitor.post("/api/message", {"text": "chào"})
    assert "Content-Security-Policy" in api.headers and api.headers["Cache-Control"] == "no-store"
    missing = await visitor.client.get("/nowhere")
    assert missing.status == 404 and (await missing.json())["error"] == messages.WEB_NOT_FOUND


# --- what comes back -----------------------------------------------------------------------
async def test_html_in_a_message_comes_back_as_plain_text(visitor):
    attack = "<img src=x onerror=alert(1)>"
    await visitor.open()
    response = await visitor.post("/api/message", {"text": attack})
    raw = await response.text()
    assert "<" not in raw and ">" not in raw  # escaped in the JSON text itself
    reload = await visitor.client.post("/api/open", data="{}", headers={
        "Content-Type": "application/json", "Origin": visitor.origin})
    assert "<img" not in await reload.text()
    history = (await reload.json())["history"]
    assert {"id": history[1]["id"], "user": attack} == history[1]  # the exact text, as data


async def test_a_question_without_diacritics_is_answered_with_its_sources(svc, visitor):
    await visitor.open()
    [answer] = await visitor.say("hoc trung cap co mat hoc phi ko")
    title = svc.kb.get("tuition.trung-cap-free").title
    assert answer["parts"][0] == {"kind": "title", "text": title}
    sources = next(p for p in answer["parts"] if p["kind"] == "sources")
    assert sources["items"] and all(isinstance(s, str) for s in sources["items"])
    assert any(c["intent"]["type"] == "vote" for row in answer["rows"] for c in row)


async def test_every_choice_of_an_answer_round_trips_as_its_intent(visitor):
    await visitor.open()
    [answer] = await visitor.say("hoc trung cap co mat hoc phi ko")
    kinds = set()
    for row in answer["rows"]:
        for choice in row:
            kinds.add(choice["intent"]["type"])
            data = await visitor.call("/api/intent", {"intent": choice["intent"],
                                                      "from": answer["id"]})
            assert data["views"], choice
            assert all(v["notice"] is None or not v["notice"]["alert"] for v in data["views"])
    assert {"details", "topic", "vote"} <= kinds


async def test_a_forged_or_foreign_intent_is_refused(visitor):
    await visitor.open()
    for bad in ({"type": "nothing"}, {"type": "topic", "id": "x", "admin": True},
                {"type": "topic", "id": "<script>"}, "menu", None):
        response = await visitor.post("/api/intent", {"intent": bad})
        assert response.status == 400
        assert (await response.json())["error"] == messages.WEB_STALE


async def test_walking_the_menu_replaces_the_message_it_was_tapped_on(visitor):
    await visitor.open()
    [menu] = await visitor.say("/menu")
    assert menu["parts"][0]["text"] == messages.MENU_TITLE
    [group] = await visitor.tap(menu, labels(menu)[0])
    assert group["replaces"] == menu["id"] and group["replace"] is True
    [topic] = await visitor.tap(group, labels(group)[0])
    assert topic["replaces"] == group["id"]
    history = (await visitor.open())["history"]
    ids = [entry["id"] for entry in history]
    assert topic["id"] in ids and menu["id"] not in ids and group["id"] not in ids


async def test_a_reload_redraws_the_chat_in_order(visitor):
    first = await visitor.open()
    await visitor.say("hoc cao dang mat may nam")
    again = await visitor.open()
    assert again["views"] == []
    assert [e.get("user") for e in again["history"]] == [None, "hoc cao dang mat may nam", None]
    assert again["history"][0]["id"] == first["views"][0]["id"]
    assert again["last"] == again["history"][-1]["id"]


async def test_the_school_of_the_link_is_filled_in_as_a_deep_link_does(svc, visitor):
    svc.schools.add(School("THCSA", "THCS An Lạc", "Xã Một", "Bến Lức", "Long An"))
    data = await visitor.open("THCSA")
    assert "THCS An Lạc" in text_of(data["views"][0])
    user = svc.accounts.find("web", _sid(visitor.client)).user_id
    assert svc.users.get(user).school_code == "THCSA"


# --- events --------------------------------------------------------------------------------
async def _next_event(stream: ClientResponse) -> dict[str, Any]:
    """The next `data:` of a server-sent event stream (comments and ids skipped)."""
    while True:
        line = (await asyncio.wait_for(stream.content.readline(), 10)).decode()
        if line.startswith("data: "):
            return json.loads(line[len("data: "):])


async def test_a_view_the_outbox_delivers_reaches_only_that_visitors_event_stream(svc, clients):
    lan, minh = Visitor(clients[0]), Visitor(clients[1])
    await lan.open()
    await minh.open()
    lan_id = svc.accounts.find("web", _sid(clients[0])).user_id
    stream = await clients[0].get("/api/events")
    other = await clients[1].get("/api/events")
    assert stream.headers["Content-Type"] == "text/event-stream"
    reply = View((Part(Block.TEXT, "Cô Mai: em cứ học trung cấp nhé"),),
                 ((Choice(messages.MENU_BUTTON, i.Menu()),),))
    assert await svc.outbox.send(lan_id, reply)
    event = await _next_event(stream)
    assert event["parts"] == [{"kind": "text", "text": "Cô Mai: em cứ học trung cấp nhé"}]
    assert event["rows"][0][0]["intent"] == {"type": "menu"}
    with pytest.raises(TimeoutError):  # Minh's stream carries nothing of Lan's
        await asyncio.wait_for(_next_event(other), 0.5)
    stream.close()
    other.close()
    # Delivered while no page is open: kept, sent once the page reconnects after what it had.
    assert await svc.outbox.send(lan_id, View((Part(Block.TEXT, "Cô Mai: còn gì em hỏi nha"),)))
    again = await clients[0].get("/api/events", headers={"Last-Event-ID": str(event["id"])})
    missed = await _next_event(again)
    assert missed["parts"][0]["text"] == "Cô Mai: còn gì em hỏi nha"
    again.close()
    assert any(e.get("parts", [{}])[0].get("text", "").startswith("Cô Mai")
               for e in (await lan.open())["history"])  # and in the redrawn chat


# --- assets and settings -------------------------------------------------------------------
async def test_the_page_and_widget_are_compressed_and_revalidated(visitor):
    page = await visitor.client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    html = await page.text()
    assert 'lang="vi"' in html and messages.WEB_INPUT_LABEL in html and "{{" not in html
    same = await visitor.client.get("/", headers={"If-None-Match": page.headers["ETag"]})
    assert same.status == 304
    widget = await visitor.client.get("/widget.js")
    body = await widget.text()
    assert "__STRINGS__" not in body and messages.WEB_OPEN_CHAT in body
    assert widget.headers["Content-Type"].startswith("text/javascript")


def test_the_web_settings_are_read_and_checked():
    settings = Settings.from_env({"CAREERBOT_WEB_PORT": "8081", "CAREERBOT_WEB_HOST": "10.0.0.5",
                                  "CAREERBOT_WEB_ORIGINS": "https://A.example.vn, "
                                                           "http://b.example:8000/"})
    assert settings.web_port == 8081 and settings.web_host == "10.0.0.5"
    assert settings.web_origins == ("https://a.example.vn", "http://b.example:8000")
    assert Settings.from_env({}).web_port is None
    with pytest.raises(ConfigError, match="CAREERBOT_WEB_ORIGINS"):
        Settings.from_env({"CAREERBOT_WEB_ORIGINS": "https://a.example.vn/trang"})
    with pytest.raises(ConfigError, match="CAREERBOT_WEB_PORT"):
        Settings.from_env({"CAREERBOT_WEB_PORT": "http"})
    with pytest.raises(ConfigError, match="CAREERBOT_WEB_ORIGIN:"):
        Settings.from_env({"CAREERBOT_WEB_ORIGIN": "https://a.example.vn"})


# --- surveys, privacy, votes through the same intents ----------------------------------------
SCHOOL = School("THCSAL", "THCS An Lạc", "Xã An Lạc", "Bến Lức", "Long An")


def choices(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in view["rows"] for c in row]


async def _start_survey(svc: Services, visitor: Visitor) -> dict[str, Any]:
    """A student of THCS An Lạc (from the school's link) at the needs survey's first question."""
    svc.schools.add(SCHOOL)
    welcome = (await visitor.open(SCHOOL.code))["views"][-1]
    await visitor.tap(welcome, "Học sinh lớp 9")
    [listing] = await visitor.say("/khaosat")
    [consent] = await visitor.tap(listing, "Nhu cầu sau tốt nghiệp")
    [first] = await visitor.tap(consent, "✅")
    return first


async def _answer(visitor: Visitor, question: dict[str, Any]) -> dict[str, Any]:
    """The first choice of a single question, the first two of a multi (then Xong), a typed
    answer where the question waits for text; the next screen."""
    kinds = [c["intent"]["type"] for c in choices(question)]
    if "survey_answer" in kinds:
        pick = next(c for c in choices(question) if c["intent"]["type"] == "survey_answer")
        [after] = await visitor.tap(question, pick["label"])
        return after
    if "survey_toggle" in kinds:
        for n in range(2):
            toggle = [c for c in choices(question) if c["intent"]["type"] == "survey_toggle"][n]
            [question] = await visitor.tap(question, toggle["label"])
        [after] = await visitor.tap(question, "✔️")
        return after
    views = await visitor.say("9A1" if "lớp nào" in text_of(question) else "Lan, 0900000000")
    return views[-1]


async def test_a_whole_survey_through_the_web_is_exported_with_the_web_channel(svc, visitor):
    question = await _start_survey(svc, visitor)
    while not any(c["intent"]["type"] == "survey_submit" for c in choices(question)):
        question = await _answer(visitor, question)
    [thanks, *_] = await visitor.tap(question, "✅ Gửi")
    assert "Cảm ơn" in text_of(thanks)
    [record] = load_records(svc.db, "needs", {SCHOOL.code})
    assert record.channel == "web" and record.answers["grade"] == "9"
    assert record.answers["class"] == "9A1" and len(record.answers["field"]) == 2
    [row] = csv.DictReader(io.StringIO(csv_bytes(svc.surveys.get("needs"), [record],
                                                 {SCHOOL.code: SCHOOL}).decode("utf-8-sig")))
    assert row["Kênh"] == "web"


async def test_a_reload_or_a_restart_mid_survey_brings_back_the_question(svc, visitor):
    first = await _start_survey(svc, visitor)
    second = await _answer(visitor, first)
    again = await visitor.open()  # a reload: the chat as it was, the question last
    assert again["history"][-1]["id"] == second["id"] and again["views"] == []
    # A restart: a new application on the same database (no transcript), the same cookie.
    cookies = visitor.client.session.cookie_jar
    restarted = TestClient(TestServer(build_app(Running(svc))), cookie_jar=cookies)
    await restarted.start_server()
    try:
        data = await Visitor(restarted).open()
        assert data["history"] == []
        [resumed] = data["views"]
        assert text_of(resumed) == text_of(second)  # the question it stopped at
        assert [c["intent"] for c in choices(resumed)] == [c["intent"] for c in choices(second)]
    finally:
        await restarted.close()


async def test_my_data_is_a_download_only_my_session_can_fetch(svc, clients):
    lan, minh = Visitor(clients[0]), Visitor(clients[1])
    await lan.open()
    await lan.say("hoc trung cap co mat hoc phi ko")
    [mine] = await lan.say("/dulieucuatoi")
    [offered] = mine["files"]
    assert offered["filename"] and offered["url"].startswith("/api/file/")
    download = await clients[0].get(offered["url"])
    assert download.status == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert "hoc trung cap co mat hoc phi ko" in (await download.read()).decode("utf-8")
    await minh.open()
    assert (await clients[1].get(offered["url"])).status == 404


async def test_erasing_my_data_clears_the_chat_and_changes_the_session(svc, visitor):
    await visitor.open()
    await visitor.say("hoc trung cap co mat hoc phi ko")
    old_sid = _sid(visitor.client)
    [confirm] = await visitor.say("/xoadulieu")
    response = await visitor.post("/api/intent", {
        "intent": next(c["intent"] for c in choices(confirm) if c["intent"]["erase"] is True),
        "from": confirm["id"]})
    data = await response.json()
    assert data["reset"] is True and "careerbot=" in response.headers["Set-Cookie"]
    assert _sid(visitor.client) != old_sid
    assert svc.accounts.find("web", old_sid) is None
    history = (await visitor.open())["history"]
    assert len(history) == 1 and "user" not in history[0]  # only "đã xoá", nothing before it
    assert svc.db.execute("SELECT count(*) FROM asks").fetchone()[0] == 0


async def test_a_vote_takes_the_vote_buttons_off_its_answer(visitor):
    await visitor.open()
    [answer] = await visitor.say("hoc trung cap co mat hoc phi ko")
    [thanks] = await visitor.tap(answer, messages.VOTE_UP)
    assert thanks["strip"] == ["vote"] and thanks["notice"]["text"] == messages.VOTE_THANKS
    redrawn = next(e for e in (await visitor.open())["history"] if e["id"] == answer["id"])
    kinds = {c["intent"]["type"] for c in choices(redrawn)}
    assert "vote" not in kinds and "details" in kinds


async def test_a_body_that_arrives_in_pieces_is_read_whole(visitor):
    await visitor.open()
    body = json.dumps({"text": "hoc trung cap co mat hoc phi ko " + "ạ" * 1500}).encode()

    async def slowly() -> Any:  # chunked, with pauses, as a phone on a bad network sends it
        for k in range(0, len(body), 500):
            yield body[k:k + 500]
            await asyncio.sleep(0.01)

    response = await visitor.client.post("/api/message", data=slowly(), headers={
        "Content-Type": "application/json", "Origin": visitor.origin})
    assert response.status == 200, await response.text()
    too_big = json.dumps({"text": "a" * 4000, "pad": "b" * 13_000}).encode()

    async def big() -> Any:
        for k in range(0, len(too_big), 4000):
            yield too_big[k:k + 4000]

    refused = await visitor.client.post("/api/message", data=big(), headers={
        "Content-Type": "application/json", "Origin": visitor.origin})
    assert refused.status == 413 and (await refused.json())["error"] == messages.WEB_TOO_BIG


async def test_my_data_file_keeps_vietnamese_readable_and_says_it_is_utf8(svc, visitor):
    await visitor.open()
    await visitor.say("học trung cấp có mất học phí không")
    [mine] = await visitor.say("/dulieucuatoi")
    [offered] = mine["files"]
    response = await visitor.client.get(offered["url"])
    assert response.status == 200 and response.charset == "utf-8"
    assert response.content_type == "application/json"
    body = await response.read()
    assert "học trung cấp có mất học phí không".encode() in body and b"\\u" not in body
    assert json.loads(body)["questions"][0]["text"] == "học trung cấp có mất học phí không"


async def test_the_widget_learns_whether_its_site_may_frame_the_chat(svc, clients, caplog):
    client = clients[0]

    async def allowed(origin: str | None) -> bool:
        response = await client.get("/widget/allowed",
                                    headers={"Origin": origin} if origin else {})
        assert response.status == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
        return bool((await response.json())["allowed"])

    assert await allowed(SCHOOL_SITE) and await allowed(None)
    with caplog.at_level("WARNING"):
        assert not await allowed("https://truong-khac.example.vn")
        assert not await allowed("https://truong-khac.example.vn")
    said = [r.getMessage() for r in caplog.records if "truong-khac" in r.getMessage()]
    assert len(said) == 1 and "CAREERBOT_WEB_ORIGINS" in said[0]  # logged once, with the fix


async def test_a_follow_up_asking_the_amount_gets_it_and_the_whole_answer_is_one_tap_away(
        svc, visitor):
    await visitor.open()
    [first] = await visitor.say("nha e ngheo hoc cd co vay dc tien ko")
    loan = svc.kb.get("support.student-loan")
    assert first["parts"][0] == {"kind": "title", "text": loan.title}
    [focused] = await visitor.say("vay được nhiêu")
    amount = loan.facet_answer("how-much")
    assert amount and amount in text_of(focused) and loan.answer not in text_of(focused)
    assert any(p["kind"] == "sources" and p["items"] for p in focused["parts"])
    [whole] = await visitor.tap(focused, "👉 " + messages.WHOLE_ANSWER)
    assert loan.answer in text_of(whole)
