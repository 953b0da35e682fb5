"""A sign-in link made on the dashboard for a colleague (one without Telegram, say): the same
single-use, 10-minute link /dangnhap and `careerbot staff login-link` make
(StaffSessions.new_link), shown once and never stored or logged, only its audit row.

Who may make one for whom is asked again on every request: an admin for any staff member, an
area staff member for the school staff of their own area's schools (whom they can already
see the data of), no one else. The staff table keeps no names, so a colleague is shown by id,
role and school."""

from __future__ import annotations

import re

from aiohttp import web

from bot import messages
from bot.people.access import scope_of
from bot.people.accounts import Account
from bot.people.staff import ScopeError, StaffMember
from bot.people.staff_screens import sign_in_url
from bot.people.staff_sessions import DASHBOARD_CHANNEL, LINK_MINUTES, TooManyLinks
from bot.services import Services
from handlers.web.dashboard import html
from handlers.web.dashboard.auth import (
    HOME,
    Caller,
    caller,
    ctx,
    form_of,
    had_session,
    own_origin,
    session_form_ok,
    signed_out,
)
from handlers.web.dashboard.html import e
from handlers.web.dashboard.pages import frame

PAGE = "/quan-ly/can-bo"
MAKE = "/quan-ly/can-bo/lien-ket"
_USER_ID = re.compile(r"-?[0-9]{1,15}")


def may_make_links(who: Caller) -> bool:
    return who.admin or who.scope.kind == "area"


def may_link(who: Caller, member: StaffMember) -> bool:
    """May this caller (as of now) make a sign-in link for this staff member?"""
    if who.admin:
        return True
    codes = who.scope.school_codes
    return who.scope.kind == "area" and member.role == "school" and codes is not None \
        and member.school_code is not None and member.school_code in codes


def _where(svc: Services, member: StaffMember) -> str:
    if member.role == "school" and member.school_code:
        school = svc.schools.get(member.school_code)
        return f"{school.name if school else '?'} ({member.school_code})"
    if member.role == "area":
        return f"Khu vực {member.area.name}" if member.area else "Khu vực chưa rõ"
    return "Toàn tỉnh"


def _refused(text: str, status: int) -> web.Response:
    return html.message_page(messages.DASH_COLLEAGUES_TITLE, text, status,
                             link=(HOME, messages.DASH_TITLE))


async def _who(request: web.Request) -> Caller | web.StreamResponse:
    who = await caller(request)
    if who is None:
        return signed_out(request, "het" if had_session(request) else "")
    if not may_make_links(who):
        return _refused(messages.DASH_COLLEAGUES_ONLY, 403)
    return who


async def colleagues(request: web.Request) -> web.StreamResponse:
    """The staff members this caller may make a link for, each with its button."""
    got = await _who(request)
    if isinstance(got, web.StreamResponse):
        return got
    who, svc = got, ctx(request).svc
    label = messages.ROLE_LABELS
    rows = [(e(m.user_id), e(label.get(m.role, m.role)), e(_where(svc, m)),
             e((m.since or "")[:10]),
             f"<form method=\"post\" action=\"{MAKE}\">"
             f"<input type=\"hidden\" name=\"csrf\" value=\"{e(who.csrf)}\">"
             f"<input type=\"hidden\" name=\"user\" value=\"{e(m.user_id)}\">"
             f"<button type=\"submit\" id=\"link-{e(m.user_id)}\">"
             f"{e(messages.DASH_COLLEAGUE_BUTTON)}</button></form>")
            for m in svc.staff.members() if may_link(who, m)]
    table = html.table(("Mã cán bộ", "Vai trò", "Trường / phạm vi", "Từ ngày", ""), rows,
                       numeric=(0,)) if rows else \
        f"<p class=\"muted\">{e(messages.DASH_COLLEAGUES_NONE)}</p>"
    body = (f"<section class=\"card\"><p>"
            f"{e(messages.DASH_COLLEAGUES_HELP.format(minutes=LINK_MINUTES))}</p>{table}"
            "</section>")
    return html.page(frame(request, who, who.scope, "Cán bộ", body))


async def make_link(request: web.Request) -> web.StreamResponse:
    """POST: one link for the colleague the form names, if they are this caller's to name."""
    got = await _who(request)
    if isinstance(got, web.StreamResponse):
        return got
    who, dash = got, ctx(request)
    form = await form_of(request)
    if not session_form_ok(request, who, form):
        return _refused(messages.DASH_FORM_EXPIRED, 403)
    if not dash.made.allow(str(who.user_id)):
        return _refused(messages.DASH_SLOW_DOWN, 429)
    sent = form.get("user", "").strip()
    # Ids of staff without Telegram are negative (bot/people/accounts.py).
    member = dash.svc.staff.member(int(sent)) if _USER_ID.fullmatch(sent) else None
    if member is None or not may_link(who, member):
        return _refused(messages.DASH_COLLEAGUE_NOT_YOURS, 403)
    try:  # their school or area no longer resolves: a link would open nothing
        target = scope_of(dash.svc, Account(DASHBOARD_CHANNEL, str(member.user_id),
                                            member.user_id))
    except ScopeError:
        return _refused(messages.DASH_COLLEAGUE_NOT_YOURS, 403)
    try:
        token = await dash.sessions.new_link(member.user_id,
                                             created_by=f"dashboard:{who.user_id}")
    except TooManyLinks:
        return _refused(messages.DASH_COLLEAGUE_TOO_MANY.format(minutes=LINK_MINUTES), 429)
    # The audit row names who, for whom and when; never the token.
    await dash.sessions.record_download(who.user_id, f"sign-in-link:{member.user_id}",
                                        target.name, target.school_codes)
    url = sign_in_url(own_origin(request), token)
    title = messages.DASH_COLLEAGUE_LINK_MADE.format(
        user_id=member.user_id, role=messages.ROLE_LABELS.get(member.role, member.role),
        where=_where(dash.svc, member))
    body = (f"<section class=\"card\"><h3>{e(title)}</h3>"
            "<label for=\"link\">Đường liên kết</label>"
            f"<textarea id=\"link\" readonly rows=\"3\" spellcheck=\"false\">{e(url)}</textarea>"
            f"<p class=\"notice\" role=\"status\">"
            f"{e(messages.DASH_COLLEAGUE_LINK_NOTE.format(minutes=LINK_MINUTES))}</p>"
            f"<p><a class=\"button\" href=\"{PAGE}\">← {e(messages.DASH_COLLEAGUES_TITLE)}</a>"
            "</p></section>")
    response = html.page(frame(request, who, who.scope, "Cán bộ", body))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
