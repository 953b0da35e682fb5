"""The staff dashboard (/quan-ly) through aiohttp's test client against the real application
and services on a fresh database: sign-in links and invite codes, sessions, scope on every
URL and form field, CSRF, the files and their audit."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
import pytest
from aiohttp import ClientResponse, CookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot import intents as i
from bot import messages
from bot.answering.assistant import Assistant
from bot.bootstrap import Running, build_conversation, build_services
from bot.config import Settings
from bot.people.accounts import Account
from bot.people.schools import School
from bot.people.staff_sessions import StaffSessions
from bot.reports import reporting
from bot.services import Services
from bot.surveys.model import school_year
from handlers.web.server import build_app
from tests.seed import seed_needs_responses, seed_response

SCHOOL_A = School("THCSA", "THCS An Lạc", "Xã An Lạc", "Bến Lức", "Long An")
SCHOOL_B = School("THCSB", "THCS Bình Đức", "Xã Bình Đức", "Bến Lức", "Long An")
SCHOOL_C = School("THCSC", "THCS Cần Giuộc", "Xã Cần Giuộc", "Cần Giuộc", "Long An")
B_NAME = "Trần Thị Bích Bê"  # only in school B's rows: a leak shows as this name
B_CLASS = "9Z9"
A_NAME = "Nguyễn Văn An"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 6, 3, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def seed(db: Path, year: str) -> None:
    seed_needs_responses(db, 30, [SCHOOL_A.code], year, first_user=5_000_000)
    seed_needs_responses(db, 20, [SCHOOL_B.code], year, first_user=6_000_000, seed=2)
    seed_response(db, 7_000_001, "needs", year, {"grade": "9", "class": B_CLASS,
                                                 "counsellor": "yes", "contact": B_NAME},
                  school=SCHOOL_B.code, current="plan")
    seed_response(db, 7_000_002, "needs", year, {"grade": "9", "class": "9A1",
                                                 "counsellor": "yes", "contact": A_NAME},
                  school=SCHOOL_A.code, current="plan")


@pytest.fixture
async def svc(tmp_path: Path, assistant: Assistant, clock: Clock) -> AsyncIterator[Services]:
    settings = Settings(db_path=tmp_path / "dash.db",
                        bot_username="careerbot_test_bot", admin_ids=frozenset({42}))
    services = build_services(settings, clock=clock, assistant=assistant)
    services.schools.add(SCHOOL_A, SCHOOL_B, SCHOOL_C)
    seed(settings.db_path, school_year(services.local_now().date()))
    try:
        yield services
    finally:
        services.close()


@pytest.fixture
async def server(svc: Services) -> AsyncIterator[TestServer]:
    server = TestServer(build_app(Running(svc)))
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


class Staff:
    """One browser of a staff member: its own cookies, the Origin this server's pages send."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.origin = str(client.make_url("/")).rstrip("/")

    async def get(self, path: str, status: int = 200) -> str:
        response = await self.client.get(path, allow_redirects=False)
        text = await response.text()
        assert response.status == status, (path, response.status, text[:500])
        return text

    async def post(self, path: str, form: dict[str, str], **headers: str) -> ClientResponse:
        return await self.client.post(path, data=form, allow_redirects=False,
                                      headers={"Origin": self.origin, **headers})

    async def follow_link(self, token: str) -> ClientResponse:
        page = await self.get(f"/quan-ly/vao?t={token}")
        return await self.post("/quan-ly/vao", {"t": token, "csrf": form_token(page)})

    async def csrf(self) -> str:
        return form_token(await self.get("/quan-ly"))


def form_token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:800]
    return found[1]


@pytest.fixture
async def browsers(server: TestServer) -> AsyncIterator[list[Staff]]:
    clients = [TestClient(server, cookie_jar=CookieJar(unsafe=True)) for _ in range(3)]
    for client in clients:
        await client.start_server()
    try:
        yield [Staff(c) for c in clients]
    finally:
        for client in clients:
            await client.close()


async def member(svc: Services, user_id: int, role: str = "school", school: str | None = None,
                 area: str | None = None) -> int:
    code = svc.staff.invite_now(role, school, area)  # type: ignore[arg-type]
    await svc.accounts.resolve("telegram", str(user_id))
    await svc.staff.redeem(code, user_id)
    return user_id


async def signed_in(svc: Services, staff: Staff, user_id: int) -> None:
    token = await StaffSessions(svc.db, svc.writer, svc.clock).new_link(user_id)
    response = await staff.follow_link(token)
    assert response.status == 303 and response.headers["Location"] == "/quan-ly"


def year_of(svc: Services) -> str:
    return school_year(svc.local_now().date())


# --- signing in ------------------------------------------------------------------------------
async def test_a_link_signs_in_and_sets_a_strict_http_only_cookie(
        svc: Services, browsers: list[Staff]) -> None:
    a = browsers[0]
    assert (await a.client.get("/quan-ly", allow_redirects=False)).headers["Location"] \
        .startswith("/quan-ly/dang-nhap")
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    token = await StaffSessions(svc.db, svc.writer, svc.clock).new_link(uid)
    page = await a.get(f"/quan-ly/vao?t={token}")  # a link preview's GET spends nothing
    page = await a.get(f"/quan-ly/vao?t={token}")
    response = await a.post("/quan-ly/vao", {"t": token, "csrf": form_token(page)})
    assert response.status == 303
    cookie = next(c for c in response.headers.getall("Set-Cookie") if c.startswith("quanly="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=28800" in cookie
    overview = await a.get("/quan-ly")
    assert SCHOOL_A.name in overview and "Đăng xuất" in overview
    stored = [r["id_hash"] for r in svc.db.query("SELECT id_hash FROM staff_sessions")]
    session = cookie.split(";")[0].split("=", 1)[1]
    assert len(stored) == 1 and session not in stored  # only its hash is kept


async def test_a_spent_link_is_refused(svc: Services, browsers: list[Staff]) -> None:
    a, other = browsers[0], browsers[1]
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    token = await StaffSessions(svc.db, svc.writer, svc.clock).new_link(uid)
    assert (await a.follow_link(token)).status == 303
    again = await other.follow_link(token)
    assert again.status == 403 and messages.DASH_LINK_USED in await again.text()
    await other.get("/quan-ly", status=303)


async def test_an_expired_link_is_refused(svc: Services, browsers: list[Staff],
                                          clock: Clock) -> None:
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    token = await StaffSessions(svc.db, svc.writer, svc.clock).new_link(uid)
    clock.now += dt.timedelta(minutes=10, seconds=1)
    refused = await browsers[0].follow_link(token)
    assert refused.status == 403 and messages.DASH_LINK_EXPIRED in await refused.text()
    await browsers[0].get("/quan-ly", status=303)


async def test_a_made_up_link_is_refused(svc: Services, browsers: list[Staff]) -> None:
    refused = await browsers[0].follow_link("x" * 43)
    assert refused.status == 403 and messages.DASH_LINK_UNKNOWN in await refused.text()


async def test_a_session_lasts_eight_hours(svc: Services, browsers: list[Staff],
                                           clock: Clock) -> None:
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    await signed_in(svc, browsers[0], uid)
    clock.now += dt.timedelta(hours=7, minutes=59)
    await browsers[0].get("/quan-ly")
    clock.now += dt.timedelta(minutes=2)
    await browsers[0].get("/quan-ly", status=303)


async def test_revoking_a_member_ends_their_session_at_once(
        svc: Services, browsers: list[Staff]) -> None:
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    await signed_in(svc, browsers[0], uid)
    await browsers[0].get("/quan-ly/tra-loi")
    pending = await StaffSessions(svc.db, svc.writer, svc.clock).new_link(uid)
    svc.staff.revoke_now(uid)
    for path in ("/quan-ly", "/quan-ly/tra-loi", "/quan-ly/tai-ve/csv/needs"):
        await browsers[0].get(path, status=303)
    assert svc.db.execute("SELECT count(*) FROM staff_sessions WHERE user_id = ?",
                          [uid]).fetchone()[0] == 0
    refused = await browsers[1].follow_link(pending)  # a link made before: opens nothing
    assert refused.status == 403


async def test_sign_out_ends_the_session(svc: Services, browsers: list[Staff]) -> None:
    a = browsers[0]
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    await signed_in(svc, a, uid)
    response = await a.post("/quan-ly/dang-xuat", {"csrf": await a.csrf()})
    assert response.status == 303 and "ra" in response.headers["Location"]
    await a.get("/quan-ly", status=303)
    assert svc.db.execute("SELECT count(*) FROM staff_sessions").fetchone()[0] == 0


async def test_csrf_is_required_on_every_post(svc: Services, browsers: list[Staff]) -> None:
    a = browsers[0]
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    await signed_in(svc, a, uid)
    token = await a.csrf()
    assert (await a.post("/quan-ly/dang-xuat", {})).status == 403
    forged = token[:-1] + ("1" if token[-1] == "0" else "0")
    assert (await a.post("/quan-ly/dang-xuat", {"csrf": forged})).status == 403
    assert (await a.post("/quan-ly/dang-xuat", {"csrf": "đ" * 64})).status == 403  # not a 500
    assert (await a.post("/quan-ly/dang-xuat", {"csrf": token},
                         Origin="https://evil.example")).status == 403
    await a.get("/quan-ly")  # still signed in
    # Before a session: the sign-in forms need their double-submit token too.
    link = await StaffSessions(svc.db, svc.writer, svc.clock).new_link(uid)
    fresh = browsers[1]
    assert (await fresh.post("/quan-ly/vao", {"t": link})).status == 403
    code = svc.staff.invite_now("school", SCHOOL_A.code)
    assert (await fresh.post("/quan-ly/dang-nhap", {"code": code, "csrf": "x" * 43})
            ).status == 403
    await fresh.get("/quan-ly", status=303)
    assert (await fresh.follow_link(link)).status == 303  # unspent by the refused tries


async def test_an_invite_code_on_the_page_registers_once(svc: Services,
                                                         browsers: list[Staff]) -> None:
    code = svc.staff.invite_now("school", SCHOOL_A.code)
    a, b = browsers[0], browsers[1]
    page = await a.get("/quan-ly/dang-nhap")
    response = await a.post("/quan-ly/dang-nhap", {"code": code.lower(),
                                                   "csrf": form_token(page)})
    assert response.status == 303
    assert SCHOOL_A.name in await a.get("/quan-ly")
    members = svc.staff.members()
    assert len(members) == 1 and members[0].school_code == SCHOOL_A.code
    assert svc.accounts.of_user(members[0].user_id)[0].channel == "dashboard"
    page = await b.get("/quan-ly/dang-nhap")
    again = await b.post("/quan-ly/dang-nhap", {"code": code, "csrf": form_token(page)})
    assert again.status == 400 and messages.INVITE_USED in await again.text()
    assert len(svc.staff.members()) == 1


async def test_the_code_form_and_links_are_rate_limited(svc: Services,
                                                        browsers: list[Staff]) -> None:
    a = browsers[0]
    page = await a.get("/quan-ly/dang-nhap")
    statuses = [(await a.post("/quan-ly/dang-nhap", {"code": f"WRONG{n}",
                                                     "csrf": form_token(page)})).status
                for n in range(7)]
    assert statuses[:5] == [400] * 5 and statuses[-1] == 429
    links = [(await a.client.get("/quan-ly/vao?t=abc")).status for _ in range(15)]
    assert 429 in links


async def test_dangnhap_gives_staff_a_link_and_others_nothing(svc: Services,
                                                              browsers: list[Staff]) -> None:
    # The bot (another process in production) knows the public address; this test server
    # answers loopback names, as it does without one.
    bot = dataclasses.replace(svc, settings=dataclasses.replace(
        svc.settings, public_origin="http://127.0.0.1"))
    conversation = build_conversation(bot)
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    view = await conversation.handle(Account("telegram", str(uid), uid), i.SignIn())
    text = "\n".join(p.text for p in view.parts)
    found = re.search(r"http://127\.0\.0\.1/quan-ly/vao\?t=([A-Za-z0-9_-]{43})", text)
    assert found, text
    assert (await browsers[0].follow_link(found[1])).status == 303
    student = await svc.accounts.resolve("telegram", "555")
    refused = await conversation.handle(student, i.SignIn())
    assert "quan-ly" not in refused.parts[0].text
    assert i.command_intent("/dangnhap") == i.SignIn()
    for _ in range(4):
        await conversation.handle(Account("telegram", str(uid), uid), i.SignIn())
    slow = await conversation.handle(Account("telegram", str(uid), uid), i.SignIn())
    assert "quan-ly" not in slow.parts[0].text  # five links in ten minutes at most


# --- what each one sees ------------------------------------------------------------------------
def rows_of(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr>(.*?)</tr>", body)


async def test_school_staff_see_only_their_school(svc: Services, browsers: list[Staff]) -> None:
    a = browsers[0]
    await signed_in(svc, a, await member(svc, 1001, school=SCHOOL_A.code))
    overview = await a.get("/quan-ly")
    assert "<strong>31</strong>đã bắt đầu" in overview and "<strong>30</strong>đã gửi" in overview
    assert B_CLASS not in overview and SCHOOL_B.name not in overview
    assert f"t.me/careerbot_test_bot?start={SCHOOL_A.code}" in overview
    assert f"?truong={SCHOOL_A.code}" in overview
    listing = await a.get("/quan-ly/tra-loi?khaosat=needs")
    assert "31 người trả lời" in listing and A_NAME in listing and B_NAME not in listing
    assert len(rows_of(listing)) == 31
    found = await a.get("/quan-ly/tra-loi?khaosat=needs&q=nguyen van")  # accents optional
    assert len(rows_of(found)) == 1 and A_NAME in found
    by_class = await a.get("/quan-ly/tra-loi?khaosat=needs&lop=9A1")
    assert all("9A1" in row for row in rows_of(by_class)) and rows_of(by_class)
    qr = await a.client.get("/quan-ly/qr.png?kenh=telegram")
    assert qr.status == 200 and (await qr.read()).startswith(b"\x89PNG")


async def test_the_responses_page_shows_fifty_a_page(svc: Services, browsers: list[Staff]) -> None:
    seed_needs_responses(svc.settings.db_path, 120, [SCHOOL_A.code], year_of(svc),
                         first_user=8_000_000, seed=3)
    a = browsers[0]
    await signed_in(svc, a, await member(svc, 1001, school=SCHOOL_A.code))
    first = await a.get("/quan-ly/tra-loi")
    assert len(rows_of(first)) == 50 and "Trang 1/4" in first
    last = await a.get("/quan-ly/tra-loi?trang=4")
    assert len(rows_of(last)) == 151 - 150 and "Trang 4/4" in last


async def test_other_schools_ids_in_every_url_and_field_are_refused(
        svc: Services, browsers: list[Staff]) -> None:
    a = browsers[0]
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    await signed_in(svc, a, uid)
    paths = ["/quan-ly", "/quan-ly/tra-loi", "/quan-ly/tai-ve", "/quan-ly/tai-ve/csv/needs",
             "/quan-ly/tai-ve/xlsx", "/quan-ly/bao-cao", "/quan-ly/tai-ve/bieu-do.png",
             "/quan-ly/qr.png", "/quan-ly/truong", "/quan-ly/cau-hoi"]
    for path in paths:
        for query in (f"truong={SCHOOL_B.code}", f"truong={SCHOOL_B.code.lower()}",
                      f"truong=%20{SCHOOL_B.code}%20", f"truong={SCHOOL_B.code}&truong=THCSA",
                      "truong=NOPE"):
            response = await a.client.get(f"{path}?{query}", allow_redirects=False)
            body = await response.read()
            assert response.status == 403, (path, query, response.status)
            assert SCHOOL_B.name.encode() not in body and B_NAME.encode() not in body
    # Form fields of the responses page: another school's class or name finds nothing.
    for query in (f"lop={B_CLASS}", f"q={B_NAME}", "q=Bê", "khaosat=needs&lop=9Z9"):
        page = await a.get(f"/quan-ly/tra-loi?{query}")
        assert rows_of(page) == [] and "0 người trả lời" in page
    # A made-up survey id falls back to the own school's first survey; never another's rows.
    assert B_NAME not in await a.get("/quan-ly/tra-loi?khaosat=../../THCSB")
    await a.get("/quan-ly/tai-ve/csv/nope", status=404)
    assert svc.db.execute("SELECT count(*) FROM staff_downloads").fetchone()[0] == 0


async def test_downloads_are_the_export_commands_files_and_are_audited(
        svc: Services, browsers: list[Staff]) -> None:
    a = browsers[0]
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    await signed_in(svc, a, uid)
    downloads = await a.get("/quan-ly/tai-ve")
    scope = svc.staff.school_scope(SCHOOL_A.code)
    assert scope is not None
    survey = next(s for s in svc.surveys.surveys if s.id == "needs")
    expected = reporting.export_document(svc, scope, [survey], "csv", year_of(svc))
    got = await a.client.get("/quan-ly/tai-ve/csv/needs")
    assert got.status == 200 and await got.read() == expected.data
    assert expected.filename in got.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO((await got.read()).decode("utf-8-sig"))))
    assert len(rows) == 1 + 30  # submitted only, school A only
    assert 'href="/quan-ly/tai-ve/xlsx"' in downloads
    xlsx = await a.client.get("/quan-ly/tai-ve/xlsx")
    book = openpyxl.load_workbook(io.BytesIO(await xlsx.read()))
    assert B_NAME not in str([[c.value for c in r] for ws in book for r in ws.iter_rows()])
    report = await a.get("/quan-ly/bao-cao")
    assert "BÁO CÁO KẾT QUẢ" in report and 'src="/quan-ly/tai-ve/bieu-do.png"' in report
    chart = await a.client.get("/quan-ly/tai-ve/bieu-do.png?tai=1")
    assert (await chart.read()).startswith(b"\x89PNG")
    assert chart.headers["Content-Disposition"].startswith("attachment")
    audit = list(svc.db.query("SELECT user_id, what, scope, school_codes FROM staff_downloads "
                              "ORDER BY id"))
    assert [r["what"] for r in audit] == [expected.filename, "khaosat-thcs-an-lac-"
                                          f"{year_of(svc)}.xlsx", "bao-cao", "bao-cao.png"]
    assert all(r["user_id"] == uid and r["school_codes"] == '["THCSA"]' for r in audit)


async def test_area_staff_see_their_schools_and_admins_the_unanswered(
        svc: Services, browsers: list[Staff]) -> None:
    area, admin, school = browsers
    await signed_in(svc, area, await member(svc, 2001, role="area", area="Bến Lức"))
    listing = await area.get("/quan-ly/truong")
    assert SCHOOL_A.name in listing and SCHOOL_B.name in listing
    assert SCHOOL_C.name not in listing
    await area.get(f"/quan-ly?truong={SCHOOL_C.code}", status=403)
    assert B_NAME in await area.get(f"/quan-ly/tra-loi?truong={SCHOOL_B.code}")
    await area.get("/quan-ly/cau-hoi", status=403)
    await svc.accounts.resolve("telegram", "42")
    await signed_in(svc, admin, 42)
    assert SCHOOL_C.name in await admin.get("/quan-ly/truong")
    await svc.writer.write(lambda db: db.execute(
        "INSERT INTO asks (user_id, at, source, text, kind) VALUES (42, ?, 'text', '', "
        "'safety')", [svc.clock().isoformat()]))
    questions = await admin.get("/quan-ly/cau-hoi")
    assert "Câu hỏi chưa trả lời" in questions and "an toàn" in questions
    day = svc.clock().astimezone(dt.UTC).strftime("%Y-%m-%d")
    assert re.search(rf"<td>{day}</td><td class=\"n\">1</td>", questions), questions[-900:]
    await signed_in(svc, school, await member(svc, 1001, school=SCHOOL_A.code))
    await school.get("/quan-ly/truong", status=404)
    await school.get("/quan-ly/cau-hoi", status=403)


def test_pages_are_whole_documents_without_scripts() -> None:
    from handlers.web.dashboard import html

    page = html.document("T", "<p>x</p>")
    assert "<script" not in page and page.startswith("<!doctype html>")



async def test_an_unknown_dashboard_page_is_a_page_not_json(browsers: list[Staff]) -> None:
    response = await browsers[0].client.get("/quan-ly/khong-co-trang-nay")
    assert response.status == 404 and response.content_type == "text/html"
    assert messages.DASH_NOT_FOUND in await response.text()


# --- a sign-in link made on the dashboard for a colleague ----------------------------------------
LINK_IN_PAGE = re.compile(r'<textarea id="link"[^>]*>http://[^<]*/quan-ly/vao\?t=([A-Za-z0-9_-]{43})'
                          r"</textarea>")


def links_for(svc: Services, user_id: int) -> int:
    return int(svc.db.execute("SELECT count(*) FROM staff_links WHERE user_id = ?",
                              [user_id]).fetchone()[0])


def link_audit(svc: Services) -> list[tuple[int, str]]:
    return [(r["user_id"], r["what"]) for r in svc.db.query(
        "SELECT user_id, what FROM staff_downloads WHERE what LIKE 'sign-in-link:%' ORDER BY id")]


async def make_link(staff: Staff, user: str, csrf: str) -> ClientResponse:
    return await staff.post("/quan-ly/can-bo/lien-ket", {"csrf": csrf, "user": user})


async def test_an_admin_makes_a_link_a_colleague_signs_in_with_once(
        svc: Services, browsers: list[Staff]) -> None:
    admin, colleague, later = browsers
    await svc.accounts.resolve("telegram", "42")
    await signed_in(svc, admin, 42)
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    listing = await admin.get("/quan-ly/can-bo")
    assert "1001" in listing and SCHOOL_A.name in listing and "cán bộ trường" in listing
    made = await make_link(admin, "1001", form_token(listing))
    page = await made.text()
    assert made.status == 200, page[:500]
    found = LINK_IN_PAGE.search(page)
    assert found, page[-1500:]
    assert "một lần" in page and "10 phút" in page
    token = found[1]
    assert (await colleague.follow_link(token)).status == 303
    overview = await colleague.get("/quan-ly")
    assert SCHOOL_A.name in overview and "Cán bộ trường" in overview
    again = await later.follow_link(token)
    assert again.status == 403 and messages.DASH_LINK_USED in await again.text()
    # One without Telegram (a negative id, bot/people/accounts.py) gets one the same way.
    code = svc.staff.invite_now("school", SCHOOL_B.code)
    web_only = (await svc.accounts.resolve("dashboard", "no-telegram")).user_id
    await svc.staff.redeem(code, web_only)
    assert web_only < 0 and f'value="{web_only}"' in await admin.get("/quan-ly/can-bo")
    made = await make_link(admin, str(web_only), form_token(listing))
    found = LINK_IN_PAGE.search(await made.text())
    assert made.status == 200 and found
    assert (await later.follow_link(found[1])).status == 303
    assert SCHOOL_B.name in await later.get("/quan-ly")
    assert link_audit(svc) == [(42, f"sign-in-link:{uid}"), (42, f"sign-in-link:{web_only}")]
    # The token is nowhere in the database: the link's hash only, the audit names no token.
    dump = "\n".join(svc.db.iterdump())
    assert token not in dump and "dashboard:42" in dump


async def test_school_staff_may_not_make_links(svc: Services, browsers: list[Staff]) -> None:
    school = browsers[0]
    await signed_in(svc, school, await member(svc, 1001, school=SCHOOL_A.code))
    colleague = await member(svc, 1002, school=SCHOOL_A.code)
    csrf = await school.csrf()
    assert "/quan-ly/can-bo" not in await school.get("/quan-ly")
    refused = await school.get("/quan-ly/can-bo", status=403)
    assert messages.DASH_COLLEAGUES_ONLY in refused
    response = await make_link(school, str(colleague), csrf)
    assert response.status == 403
    assert links_for(svc, colleague) == 0 and link_audit(svc) == []


async def test_area_staff_make_links_only_for_school_staff_of_their_area(
        svc: Services, browsers: list[Staff]) -> None:
    area = browsers[0]
    await signed_in(svc, area, await member(svc, 2001, role="area", area="Bến Lức"))
    mine = await member(svc, 1001, school=SCHOOL_B.code)
    outside = await member(svc, 3001, school=SCHOOL_C.code)
    other_area = await member(svc, 2002, role="area", area="Bến Lức")
    listing = await area.get("/quan-ly/can-bo")
    users = re.findall(r'name="user" value="(\d+)"', listing)
    assert users == [str(mine)], users
    csrf = form_token(listing)
    for forged in (outside, other_area, 42, 999_999):
        response = await make_link(area, str(forged), csrf)
        assert response.status == 403, forged
        assert messages.DASH_COLLEAGUE_NOT_YOURS in await response.text()
    assert svc.db.execute("SELECT count(*) FROM staff_links").fetchone()[0] == 1  # their own
    assert link_audit(svc) == []
    assert (await make_link(area, str(mine), csrf)).status == 200
    assert links_for(svc, mine) == 1 and link_audit(svc) == [(2001, f"sign-in-link:{mine}")]


async def test_made_up_user_ids_in_the_form_create_nothing(svc: Services,
                                                           browsers: list[Staff]) -> None:
    admin = browsers[0]
    await svc.accounts.resolve("telegram", "42")
    await signed_in(svc, admin, 42)
    student = await svc.accounts.resolve("telegram", "555")
    csrf = await admin.csrf()
    before = svc.db.execute("SELECT count(*) FROM staff_links").fetchone()[0]
    for forged in ("123456", "-123456", str(student.user_id), "1001 OR 1=1", "đ" * 20):
        response = await make_link(admin, forged, csrf)
        assert response.status == 403, forged
    assert svc.db.execute("SELECT count(*) FROM staff_links").fetchone()[0] == before
    assert link_audit(svc) == []


async def test_making_a_link_needs_the_form_token_and_is_rate_limited(
        svc: Services, browsers: list[Staff]) -> None:
    admin = browsers[0]
    await svc.accounts.resolve("telegram", "42")
    await signed_in(svc, admin, 42)
    uid = await member(svc, 1001, school=SCHOOL_A.code)
    csrf = await admin.csrf()
    assert (await admin.post("/quan-ly/can-bo/lien-ket", {"user": str(uid)})).status == 403
    assert (await admin.post("/quan-ly/can-bo/lien-ket", {"user": str(uid), "csrf": csrf},
                             Origin="https://evil.example")).status == 403
    assert links_for(svc, uid) == 0 and link_audit(svc) == []
    others = [await member(svc, 1100 + n, school=SCHOOL_A.code) for n in range(5)]
    statuses = [(await make_link(admin, str(u), csrf)).status for u in [uid, *others]]
    assert statuses[:5] == [200] * 5 and statuses[-1] == 429
    assert len(link_audit(svc)) == 5 and links_for(svc, others[-1]) == 0
