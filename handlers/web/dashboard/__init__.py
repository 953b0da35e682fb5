"""The staff dashboard at /quan-ly: sign-in without passwords, the survey's progress, the
respondents, the files (handlers/web/dashboard/{auth,pages,files}.py). `register` is the one
line the web server needs."""

from __future__ import annotations

from aiohttp import web

from bot.people.staff_sessions import StaffSessions
from bot.services import Services
from handlers.web.dashboard import auth, colleagues, files, html, pages
from handlers.web.guard import RateLimit


async def _css(request: web.Request) -> web.StreamResponse:
    return html.CSS.respond(request)


async def _home_slash(request: web.Request) -> web.StreamResponse:
    return auth.see_other(auth.HOME)


async def _not_found(request: web.Request) -> web.StreamResponse:
    from bot import messages

    return html.message_page(messages.DASH_TITLE, messages.DASH_NOT_FOUND, 404,
                             link=(auth.HOME, messages.DASH_TITLE))


def register(app: web.Application, svc: Services) -> None:
    app[auth.DASHBOARD] = auth.Dashboard(
        svc, StaffSessions(svc.db, svc.writer, svc.clock),
        RateLimit(auth.LINK_PER_MINUTE, burst=auth.LINK_PER_MINUTE // 2),
        RateLimit(auth.CODES_PER_MINUTE, burst=auth.CODES_PER_MINUTE))
    get, post = app.router.add_get, app.router.add_post
    get(html.CSS_PATH, _css)
    get("/quan-ly", pages.overview)
    get("/quan-ly/", _home_slash)
    get(auth.SIGN_IN, auth.sign_in_page)
    post(auth.SIGN_IN, auth.sign_in_code)
    get("/quan-ly/vao", auth.link_page)
    post("/quan-ly/vao", auth.use_link)
    post("/quan-ly/dang-xuat", auth.sign_out)
    get("/quan-ly/tra-loi", pages.responses)
    get("/quan-ly/tai-ve", pages.downloads)
    get("/quan-ly/truong", pages.schools)
    get("/quan-ly/cau-hoi", pages.unanswered)
    get(colleagues.PAGE, colleagues.colleagues)
    post(colleagues.MAKE, colleagues.make_link)
    get("/quan-ly/bao-cao", files.report_page)
    get(r"/quan-ly/tai-ve/{format:csv}/{survey:[a-z0-9_]{1,40}}", files.export)
    get(r"/quan-ly/tai-ve/{format:xlsx}", files.export)
    get("/quan-ly/tai-ve/bieu-do.png", files.chart)
    get("/quan-ly/qr.png", files.qr)
    get("/quan-ly/{rest:.*}", _not_found)  # a page of its own, not the chat API's JSON error
