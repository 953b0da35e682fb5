"""The dashboard's files: CSV and XLSX exactly as `careerbot export` and /export make them
(bot/reports/reporting.py, built in the worker process as the bot builds them), the report and
its chart, the school's QR codes. Every data file is audited (who, what, when) before it is
sent, for the scope the caller has now."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import segno
from aiohttp import web

from bot import messages
from bot.reports import progress, reporting
from bot.reports.builds import BuildBusy
from handlers.web.dashboard import html
from handlers.web.dashboard.auth import HOME, ctx
from handlers.web.dashboard.pages import (
    allowed,
    own_base,
    report_html,
    school_code_of,
    this_year,
)

T = TypeVar("T")
WAIT_FOR_BUILD = 60.0  # seconds a page waits for the same person's previous file


def _attachment(data: bytes, filename: str, content_type: str, inline: bool = False
                ) -> web.Response:
    how = "inline" if inline else "attachment"
    return web.Response(body=data, content_type=content_type, headers={
        "Content-Disposition": f"{how}; filename=\"{filename}\"; "
                               f"filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store"})


async def _build(request: web.Request, owner: int, build: Callable[..., T], *args: Any
                 ) -> T | web.Response:
    """Run a build in the worker process; a staff member's second file waits for the first
    (a page and its chart ask one after the other)."""
    builds = ctx(request).svc.builds
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_FOR_BUILD
    while builds.busy(owner) and loop.time() < deadline:
        await asyncio.sleep(0.1)
    try:
        return await builds.start(owner, build, *args)
    except BuildBusy:
        return html.message_page(messages.DASH_TITLE, messages.DASH_BUILD_BUSY, 429,
                                 link=(HOME, messages.DASH_TITLE))


async def export(request: web.Request) -> web.StreamResponse:
    got = await allowed(request)
    if isinstance(got, web.StreamResponse):
        return got
    who, scope = got
    svc = ctx(request).svc
    fmt = request.match_info["format"]
    wanted = request.match_info.get("survey", "all")
    surveys = list(svc.surveys.surveys) if fmt == "xlsx" else \
        [s for s in svc.surveys.surveys if s.id == wanted]
    if not surveys:
        return html.message_page(messages.DASH_TITLE, messages.DASH_NOT_FOUND, 404,
                                 link=(HOME, messages.DASH_TITLE))
    year = this_year(request)
    built = await _build(request, who.user_id, reporting.export_file, str(svc.settings.db_path),
                         scope, surveys, fmt, year, reporting.report_survey(svc),
                         svc.kb.districts)
    if isinstance(built, web.Response):
        return built
    await ctx(request).sessions.record_download(who.user_id, built.filename, scope.name,
                                                scope.school_codes)
    kind = "text/csv" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _attachment(built.data, built.filename, kind)


async def _report(request: web.Request, build: Callable[..., T], link: bool
                  ) -> tuple[Any, Any, T] | web.StreamResponse:
    """The caller, their scope and the report built for it in the worker, or the page that
    says why not (signed out, busy, no survey to report on)."""
    got = await allowed(request)
    if isinstance(got, web.StreamResponse):
        return got
    who, scope = got
    svc = ctx(request).svc
    survey = reporting.report_survey(svc)
    built = None if survey is None else await _build(
        request, who.user_id, build, str(svc.settings.db_path), survey, scope,
        svc.kb.districts, this_year(request))
    if isinstance(built, web.Response):
        return built
    if built is None:
        return html.message_page(messages.DASH_TITLE, messages.REPORT_NONE, 404,
                                 **({"link": (HOME, messages.DASH_TITLE)} if link else {}))
    return who, scope, built


async def report_page(request: web.Request) -> web.StreamResponse:
    got = await _report(request, progress.report_table, link=True)
    if isinstance(got, web.StreamResponse):
        return got
    who, scope, built = got
    await ctx(request).sessions.record_download(who.user_id, "bao-cao", scope.name,
                                                scope.school_codes)
    return html.page(report_html(request, who, scope, built))


async def chart(request: web.Request) -> web.StreamResponse:
    got = await _report(request, reporting.report_with_chart, link=False)
    if isinstance(got, web.StreamResponse):
        return got
    who, scope, built = got
    assert built is not None  # noqa: S101 - _report answers 404 when there is nothing to build
    _, png = built
    await ctx(request).sessions.record_download(who.user_id, "bao-cao.png", scope.name,
                                                scope.school_codes)
    return _attachment(png, f"bao-cao-{this_year(request)}.png", "image/png",
                       inline="tai" not in request.query)


async def qr(request: web.Request) -> web.StreamResponse:
    """The QR code of one of the school's links (a school of the caller's scope only)."""
    got = await allowed(request)
    if isinstance(got, web.StreamResponse):
        return got
    _, scope = got
    code = school_code_of(scope)
    svc = ctx(request).svc
    kind = request.query.get("kenh", "web")
    if not code or (kind == "telegram" and not svc.settings.bot_username):
        return html.message_page(messages.DASH_TITLE, messages.DASH_NOT_FOUND, 404)
    url = f"https://t.me/{svc.settings.bot_username}?start={code}" if kind == "telegram" else \
        f"{own_base(request)}/?truong={code}"
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2)
    return _attachment(out.getvalue(), f"qr-{kind}-{code}.png", "image/png", inline=True)
