"""The dashboard's pages: overview, responses, downloads, the report, the schools of an area
and (admins) the questions the bot could not answer. Each handler starts from `_allowed`,
which re-reads the caller's role and scope and checks the school the URL names against it:
nothing else decides which rows a page reads."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from aiohttp import web

from bot import messages
from bot.people.access import scope_of
from bot.people.staff import Scope, ScopeError
from bot.reports import progress
from bot.reports.report import report_view
from bot.surveys.model import Survey, school_year
from bot.views import Block
from handlers.web.dashboard import html
from handlers.web.dashboard.auth import (
    HOME,
    Caller,
    caller,
    ctx,
    had_session,
    own_origin,
    signed_out,
)
from handlers.web.dashboard.html import e, href

STATUS = {"submitted": "Đã gửi", "in_progress": "Đang làm"}
ROLE = {"all": "Quản trị (toàn tỉnh)", "area": "Cán bộ khu vực", "school": "Cán bộ trường"}
DAYS_SHOWN = 14
SAFETY_DAYS = 7


async def allowed(request: web.Request) -> tuple[Caller, Scope] | web.StreamResponse:
    """(who, the scope this request may read) or the response that refuses it."""
    who = await caller(request)
    if who is None:  # "session over" only to someone who had one
        return signed_out(request, "het" if had_session(request) else "")
    school = request.query.get("truong", "").strip()
    try:
        scope = scope_of(ctx(request).svc, who.account, school[:40])
    except ScopeError as refused:
        return html.message_page(messages.DASH_TITLE, str(refused), 403,
                                 link=(HOME, messages.DASH_TITLE))
    return who, scope


def school_code_of(scope: Scope) -> str:
    """The school a page is about, when it is about one (carried in its links)."""
    if scope.kind == "school" and scope.school_codes:
        return next(iter(scope.school_codes))
    return ""


def frame(request: web.Request, who: Caller, scope: Scope, title: str, body: str) -> str:
    code = school_code_of(scope) if who.scope.kind != "school" else ""
    items = [("/quan-ly", "Tổng quan"), ("/quan-ly/tra-loi", "Câu trả lời"),
             ("/quan-ly/tai-ve", "Tải về")]
    if who.scope.kind != "school":
        items.append(("/quan-ly/truong", "Các trường"))
    if who.admin:
        items.append(("/quan-ly/cau-hoi", "Câu hỏi chưa trả lời"))
    if who.admin or who.scope.kind == "area":  # handlers/web/dashboard/colleagues.py
        items.append(("/quan-ly/can-bo", "Cán bộ"))
    current = ' aria-current="page"'
    nav = "".join(f"<a href=\"{href(path, truong=code)}\""
                  f"{current if request.path == path else ''}>{e(label)}</a>"
                  for path, label in items)
    header = (f"<header class=\"top\"><div class=\"top-row\"><h1>{e(messages.DASH_TITLE)}</h1>"
              f"<span class=\"who\">{e(ROLE.get(who.scope.kind, ''))}: {e(who.scope.name)}"
              f"</span><form method=\"post\" action=\"/quan-ly/dang-xuat\">"
              f"<input type=\"hidden\" name=\"csrf\" value=\"{e(who.csrf)}\">"
              f"<button type=\"submit\" id=\"sign-out\">{e(messages.DASH_SIGN_OUT)}</button>"
              f"</form></div><nav aria-label=\"Trang\">{nav}</nav></header>")
    lead = f"<h2>{e(title)} · {e(scope.name)}</h2>"
    return html.document(title, lead + body, header=header)


def this_year(request: web.Request) -> str:
    return school_year(ctx(request).svc.local_now().date())


def _zone(request: web.Request) -> ZoneInfo:
    return ZoneInfo(ctx(request).svc.settings.timezone)


def _bar(done: int, total: int) -> str:
    return f"<progress max=\"{max(total, 1)}\" value=\"{done}\">{done}/{total}</progress>"


def _survey_card(p: progress.SurveyProgress) -> str:
    numbers = (f"<div class=\"numbers\"><div><strong>{p.started}</strong>đã bắt đầu</div>"
               f"<div><strong>{p.submitted}</strong>đã gửi</div>"
               f"<div><strong>{e(p.last_at or '—')}</strong>trả lời gần nhất</div></div>")
    classes = html.table(("Lớp", "Bắt đầu", "Đã gửi", "Tỷ lệ gửi"),
                         [(e(k), str(s), str(d), _bar(d, s)) for k, s, d in p.per_class],
                         numeric=(1, 2), caption="Theo lớp") if p.per_class else ""
    days = html.table(("Ngày", "Bắt đầu", "Đã gửi"),
                      [(e(d), str(s), str(n)) for d, s, n in p.per_day[:DAYS_SHOWN]],
                      numeric=(1, 2), caption="Theo ngày (14 ngày gần nhất có trả lời)") \
        if p.per_day else ""
    empty = "" if p.started else "<p class=\"muted\">Chưa có học sinh nào trả lời.</p>"
    return (f"<section class=\"card\"><h3>{e(p.survey.title)}</h3>{numbers}{empty}{classes}"
            f"{days}</section>")


def _links(request: web.Request, code: str) -> str:
    """The school's links for students, each with its QR code."""
    svc = ctx(request).svc
    base = own_base(request)
    figures = []
    if svc.settings.bot_username:
        url = f"https://t.me/{svc.settings.bot_username}?start={code}"
        figures.append(("Telegram", url, "telegram"))
    figures.append(("Trò chuyện trên web", f"{base}/?truong={code}", "web"))
    out = "".join(f"<figure><img src=\"{href('/quan-ly/qr.png', truong=code, kenh=kind)}\" "
                  f"alt=\"Mã QR: {e(url)}\" width=\"200\" height=\"200\">"
                  f"<figcaption><strong>{e(label)}</strong><br><a href=\"{e(url)}\">{e(url)}"
                  f"</a><br><a class=\"noprint\" download=\"qr-{e(kind)}-{e(code)}.png\" "
                  f"href=\"{href('/quan-ly/qr.png', truong=code, kenh=kind)}\">Tải mã QR (PNG)"
                  "</a></figcaption></figure>" for label, url, kind in figures)
    missing = "" if svc.settings.bot_username else \
        "<p class=\"muted\">Đặt CAREERBOT_BOT_USERNAME để có thêm đường liên kết Telegram.</p>"
    return (f"<section class=\"card\"><h3>Đường liên kết cho học sinh</h3>"
            f"<div class=\"links\">{out}</div>{missing}</section>")


def own_base(request: web.Request) -> str:
    """CAREERBOT_PUBLIC_ORIGIN, or (a chat on this machine) the address the browser used."""
    return own_origin(request)


async def overview(request: web.Request) -> web.StreamResponse:
    got = await allowed(request)
    if isinstance(got, web.StreamResponse):
        return got
    who, scope = got
    svc, year, zone = ctx(request).svc, this_year(request), _zone(request)
    cards = [_survey_card(progress.progress(
        s, progress.respondents(svc.db, s, scope.school_codes, year), zone))
        for s in svc.surveys.surveys]
    code = school_code_of(scope)
    body = (f"<p class=\"muted\">Năm học {e(year)}.</p>" + (_links(request, code) if code else "")
            + "".join(cards))
    return html.page(frame(request, who, scope, "Tổng quan", body))


def _survey(request: web.Request) -> Survey:
    surveys = ctx(request).svc.surveys.surveys
    wanted = request.query.get("khaosat", "")
    return next((s for s in surveys if s.id == wanted), surveys[0])


def _number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 7 else 1


async def responses(request: web.Request) -> web.StreamResponse:
    got = await allowed(request)
    if isinstance(got, web.StreamResponse):
        return got
    who, scope = got
    svc, query = ctx(request).svc, request.query
    survey = _survey(request)
    people = progress.respondents(svc.db, survey, scope.school_codes, this_year(request))
    klass, search = query.get("lop", "")[:20], query.get("q", "")[:60]
    page = progress.page_of(people, klass, search, _number(query.get("trang", "1")))
    many = scope.kind != "school"
    names = {s.code: s.name for s in svc.schools.all()} if many else {}
    head = ("STT", "Lớp", "Họ tên (nếu học sinh ghi)", *(("Trường",) if many else ()),
            "Trạng thái", "Bắt đầu", "Gửi lúc")
    zone = _zone(request)
    start = (page.number - 1) * progress.PAGE_SIZE
    rows = [(str(start + n), e(p.klass), e(p.name),
             *((e(names.get(p.school_code or "", p.school_code or "")),) if many else ()),
             e(STATUS.get(p.status, p.status)), e(progress.local(p.started_at, zone)),
             e(progress.local(p.submitted_at, zone))) for n, p in enumerate(page.rows, start=1)]
    code = school_code_of(scope) if who.scope.kind != "school" else ""
    body = _filters(request, survey, page, klass, search, code) + \
        f"<p class=\"muted\" id=\"count\">{page.total} người trả lời.</p>" + \
        html.table(head, rows, numeric=(0,)) + _pager(page, survey, klass, search, code)
    return html.page(frame(request, who, scope, "Câu trả lời", body))


def _filters(request: web.Request, survey: Survey, page: progress.Page, klass: str,
             search: str, code: str) -> str:
    surveys = "".join(f"<option value=\"{e(s.id)}\"{' selected' if s.id == survey.id else ''}>"
                      f"{e(s.title)}</option>" for s in ctx(request).svc.surveys.surveys)
    classes = "<option value=\"\">Tất cả các lớp</option>" + "".join(
        f"<option{' selected' if c == klass else ''}>{e(c)}</option>" for c in page.classes)
    school = f"<input type=\"hidden\" name=\"truong\" value=\"{e(code)}\">" if code else ""
    return ("<form class=\"filters\" method=\"get\" action=\"/quan-ly/tra-loi\">" + school +
            f"<div><label for=\"khaosat\">Khảo sát</label><select id=\"khaosat\" name=\"khaosat\">"
            f"{surveys}</select></div><div><label for=\"lop\">Lớp</label>"
            f"<select id=\"lop\" name=\"lop\">{classes}</select></div>"
            "<div><label for=\"q\">Tìm theo lớp hoặc tên</label>"
            f"<input id=\"q\" name=\"q\" type=\"search\" value=\"{e(search)}\" maxlength=\"60\">"
            "</div><button class=\"main\" type=\"submit\">Lọc</button></form>")


def _pager(page: progress.Page, survey: Survey, klass: str, search: str, code: str) -> str:
    def link(number: int, label: str) -> str:
        return f"<a href=\"{href('/quan-ly/tra-loi', khaosat=survey.id, lop=klass, q=search, truong=code, trang=number)}\">{e(label)}</a>"  # noqa: E501

    back = link(page.number - 1, "← Trang trước") if page.number > 1 else ""
    forward = link(page.number + 1, "Trang sau →") if page.number < page.pages else ""
    return (f"<div class=\"pager\">{back}<span>Trang {page.number}/{page.pages}</span>"
            f"{forward}</div>")


async def downloads(request: web.Request) -> web.StreamResponse:
    got = await allowed(request)
    if isinstance(got, web.StreamResponse):
        return got
    who, scope = got
    code = school_code_of(scope) if who.scope.kind != "school" else ""
    items = [(href(f"/quan-ly/tai-ve/csv/{s.id}", truong=code), f"{s.title} (CSV)",
              f"csv-{s.id}") for s in ctx(request).svc.surveys.surveys]
    items.append((href("/quan-ly/tai-ve/xlsx", truong=code),
                  "Tất cả khảo sát, kèm trang tổng hợp (Excel)", "xlsx"))
    files = "".join(f"<li><a id=\"{e(key)}\" href=\"{link}\" download>{e(label)}</a></li>"
                    for link, label, key in items)
    report = (f"<li><a id=\"report\" href=\"{href('/quan-ly/bao-cao', truong=code)}\">"
              "Báo cáo so với chỉ tiêu (xem, in)</a></li>"
              f"<li><a id=\"chart\" href=\"{href('/quan-ly/tai-ve/bieu-do.png', truong=code, tai=1)}\" download>"  # noqa: E501
              "Biểu đồ của báo cáo (PNG)</a></li>")
    body = (f"<section class=\"card\"><p>Năm học {e(this_year(request))}. Tệp giống hệt lệnh "
            "/export của bot và <code>careerbot export</code>; chỉ gồm các câu trả lời đã gửi. "
            "Mỗi lần tải được ghi lại (ai, tệp nào, lúc nào).</p>"
            f"<ul class=\"downloads\">{files}{report}</ul></section>")
    return html.page(frame(request, who, scope, "Tải về", body))


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"__(.+?)__")


def _marked(text: str) -> str:
    """The report View's **bold** and __italic__, after escaping."""
    return _ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", e(text)))


def report_html(request: web.Request, who: Caller, scope: Scope, report: object) -> str:
    from bot.reports.report import Report

    assert isinstance(report, Report)  # noqa: S101 - built by the worker for this page
    view = report_view(report)
    code = school_code_of(scope) if who.scope.kind != "school" else ""
    parts = []
    for part in view.parts:
        if part.kind == Block.TITLE:
            parts.append(f"<h3>{e(part.text)}</h3>")
        else:
            parts.append("<p>" + "<br>".join(_marked(line) for line in part.text.split("\n"))
                         + "</p>")
    chart = href("/quan-ly/tai-ve/bieu-do.png", truong=code)
    body = (f"<section class=\"card report\">{''.join(parts)}"
            f"<p><img id=\"chart-img\" src=\"{chart}\" alt=\"Biểu đồ kết quả so với chỉ tiêu\">"
            "</p></section>")
    return frame(request, who, scope, "Báo cáo", body)


async def schools(request: web.Request) -> web.StreamResponse:
    """Area staff and admins: each school of their scope with its counts."""
    got = await allowed(request)
    if isinstance(got, web.StreamResponse):
        return got
    who, scope = got
    if who.scope.kind == "school":
        return html.message_page(messages.DASH_TITLE, messages.DASH_NOT_FOUND, 404,
                                 link=(HOME, messages.DASH_TITLE))
    counts = progress.school_counts(ctx(request).svc.db, scope.school_codes, this_year(request))
    rows = [(f"<a href=\"{href('/quan-ly', truong=c)}\">{e(name)}</a>", e(c), str(s), str(d),
             _bar(d, s)) for c, name, s, d in counts]
    body = html.table(("Trường", "Mã", "Bắt đầu", "Đã gửi", "Tỷ lệ gửi"), rows, numeric=(2, 3),
                      caption="Mọi khảo sát, năm học này")
    return html.page(frame(request, who, scope, "Các trường", body))


async def unanswered(request: web.Request) -> web.StreamResponse:
    """Admins: what students asked that the bot could not answer."""
    got = await allowed(request)
    if isinstance(got, web.StreamResponse):
        return got
    who, scope = got
    if not who.admin:
        return html.message_page(messages.DASH_TITLE, messages.ADMIN_ONLY, 403,
                                 link=(HOME, messages.DASH_TITLE))
    asked = await ctx(request).svc.asks.unanswered(50)
    zone = _zone(request)
    rows = [(e(a.text), str(a.count), e(progress.local(a.last_at, zone))) for a in asked]
    body = html.table(("Câu hỏi", "Số lần", "Lần gần nhất"), rows, numeric=(1,)) if rows else \
        "<p class=\"muted\">Chưa có câu hỏi nào bot không trả lời được.</p>"
    # Counts only: what was written stays out of every page (bot/answering/safety.py).
    safety = (await ctx(request).svc.asks.stats(days=SAFETY_DAYS)).safety_per_day
    body += (f"<h3>Tin nhắn được trả lời an toàn ({SAFETY_DAYS} ngày qua)</h3>"
             "<p class=\"muted\">Tin có dấu hiệu khủng hoảng hoặc việc nguy hiểm; chỉ có số "
             "lượng, không có nội dung.</p>" + (
                 html.table(("Ngày", "Số tin"), [(e(d), str(n)) for d, n in safety],
                            numeric=(1,)) if safety else
                 "<p id=\"safety-none\" class=\"muted\">Không có.</p>"))
    return html.page(frame(request, who, scope, "Câu hỏi chưa trả lời", body))

