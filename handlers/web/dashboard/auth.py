"""Who is signed in to the dashboard, asked again on every request.

The session cookie (HttpOnly, SameSite=Strict, Secure and __Host- over HTTPS) names an 8-hour
session stored hashed (bot/people/staff_sessions.py). Each request then asks the staff rules
(bot/people/access.py) what that person may see now: a revoked member's sessions end on their
next request and nothing is shown. Every POST carries a form token: the session's own
(derived from the cookie's secret) once signed in, a double-submit cookie before."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

from aiohttp import web

from bot import messages
from bot.people.access import scope_of
from bot.people.accounts import Account
from bot.people.staff import InviteError, Scope, ScopeError
from bot.people.staff_sessions import (
    DASHBOARD_CHANNEL,
    SESSION_HOURS,
    LinkRefusal,
    StaffSessions,
    csrf_token,
)
from bot.services import Services
from handlers.web import api
from handlers.web.dashboard import html
from handlers.web.guard import Network, RateLimit

SIGN_IN = "/quan-ly/dang-nhap"
HOME = "/quan-ly"
LINK_PER_MINUTE = 20  # sign-in links opened from one address a minute
CODES_PER_MINUTE = 5  # invite codes tried from one address a minute
MADE_PER_MINUTE = 10  # links for colleagues one staff member makes a minute


@dataclass
class Dashboard:
    svc: Services
    sessions: StaffSessions
    links: RateLimit
    codes: RateLimit
    made: RateLimit = field(default_factory=lambda: RateLimit(
        MADE_PER_MINUTE, burst=MADE_PER_MINUTE // 2))


DASHBOARD: web.AppKey[Dashboard] = web.AppKey("careerbot_dashboard", Dashboard)


@dataclass(frozen=True)
class Caller:
    """A signed-in staff member, as of this request."""

    user_id: int
    session: str
    scope: Scope  # their own scope, re-read now
    admin: bool

    @property
    def csrf(self) -> str:
        return csrf_token(self.session)

    @property
    def account(self) -> Account:
        return Account(DASHBOARD_CHANNEL, str(self.user_id), self.user_id)


def network(request: web.Request) -> Network:
    """The web server's view of the request: its client, scheme and own origin behind the
    trusted proxies (CAREERBOT_TRUSTED_PROXIES, CAREERBOT_PUBLIC_ORIGIN)."""
    return request.app[api.WEB].network


def client_ip(request: web.Request) -> str:
    return network(request).client_ip(request)


def is_https(request: web.Request) -> bool:
    return network(request).is_https(request)


def own_origin(request: web.Request) -> str:
    return network(request).own_origin(request)


def _cookie(request: web.Request, name: str) -> str:
    return f"__Host-{name}" if is_https(request) else name


def _set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str,
                seconds: int) -> None:
    attrs = [f"{_cookie(request, name)}={value}", f"Max-Age={seconds}", "Path=/", "HttpOnly",
             "SameSite=Strict", *(["Secure"] if is_https(request) else [])]
    response.headers.add("Set-Cookie", "; ".join(attrs))


def ctx(request: web.Request) -> Dashboard:
    return request.app[DASHBOARD]


async def caller(request: web.Request) -> Caller | None:
    """The signed-in staff member, with their scope as of now, or None. A session whose
    owner lost the role is ended here (and every other session of theirs)."""
    dash = ctx(request)
    session = request.cookies.get(_cookie(request, "quanly"), "")
    user = dash.sessions.user_of(session) if session else None
    if user is None:
        return None
    svc = dash.svc
    try:
        scope = scope_of(svc, Account(DASHBOARD_CHANNEL, str(user), user))
    except ScopeError:
        await dash.sessions.end_all(user)
        return None
    return Caller(user, session, scope, svc.is_admin(user) or scope.school_codes is None)


def see_other(location: str) -> web.Response:
    # Returned, not raised: the server's error middleware turns raised exceptions into JSON.
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


def had_session(request: web.Request) -> bool:
    return bool(request.cookies.get(_cookie(request, "quanly")))


def signed_out(request: web.Request, note: str = "") -> web.StreamResponse:
    """To the sign-in page; the session cookie cleared."""
    response = see_other(f"{SIGN_IN}?{note}" if note else SIGN_IN)
    _set_cookie(response, request, "quanly", "", 0)
    return response


async def form_of(request: web.Request) -> dict[str, str]:
    if request.content_type != "application/x-www-form-urlencoded":
        return {}
    data = await request.post()
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin.lower() == own_origin(request)


def _pre_session_token(request: web.Request) -> tuple[str, bool]:
    """The double-submit token of the sign-in forms (before any session): (token, new)."""
    token = request.cookies.get(_cookie(request, "quanly-form"), "")
    if len(token) == 43:
        return token, False
    return secrets.token_urlsafe(32), True


def _pre_session_ok(request: web.Request, form: dict[str, str]) -> bool:
    cookie = request.cookies.get(_cookie(request, "quanly-form"), "")
    sent = form.get("csrf", "")
    return len(cookie) == 43 and _equal(cookie, sent) and _same_origin(request)


def session_form_ok(request: web.Request, who: Caller, form: dict[str, str]) -> bool:
    return _equal(who.csrf, form.get("csrf", "")) and _same_origin(request)


def _equal(expected: str, sent: str) -> bool:
    # As bytes: compare_digest refuses str with characters beyond ASCII (a forged field may
    # have any), and that must be a refusal, not an error.
    return hmac.compare_digest(expected.encode(), sent.encode())


def _with_form_cookie(request: web.Request, response: web.Response, token: str, new: bool
                      ) -> web.Response:
    if new:
        _set_cookie(response, request, "quanly-form", token, 3600)
    return response


def _header() -> str:
    return f"<header class=\"top\"><div class=\"top-row\"><h1>{html.e(messages.DASH_TITLE)}" \
           "</h1></div></header>"


def _sign_in_page(request: web.Request, note: str = "", error: str = "",
                  status: int = 200) -> web.Response:
    token, new = _pre_session_token(request)
    notice = f"<p class=\"notice\" role=\"status\">{html.e(note)}</p>" if note else ""
    problem = f"<p class=\"error\" role=\"alert\">{html.e(error)}</p>" if error else ""
    body = (f"<div class=\"signin card\"><h2>{html.e(messages.DASH_SIGNIN_TITLE)}</h2>"
            f"{notice}{problem}<p>{html.e(messages.DASH_SIGNIN_HELP)}</p>"
            f"<form method=\"post\" action=\"{SIGN_IN}\">"
            f"<input type=\"hidden\" name=\"csrf\" value=\"{html.e(token)}\">"
            f"<label for=\"code\">{html.e(messages.DASH_CODE_LABEL)}</label>"
            "<input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" required "
            "maxlength=\"20\" autocapitalize=\"characters\" spellcheck=\"false\"> "
            f"<button class=\"main\" type=\"submit\">{html.e(messages.DASH_CODE_BUTTON)}"
            "</button></form></div>")
    return _with_form_cookie(request, html.page(html.document(
        messages.DASH_SIGNIN_TITLE, body, header=_header()), status), token, new)


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    if await caller(request) is not None:
        return see_other(HOME)
    query = request.query
    note = messages.DASH_SIGNED_OUT if "ra" in query else \
        messages.DASH_SESSION_OVER if "het" in query else ""
    return _sign_in_page(request, note)


async def sign_in_code(request: web.Request) -> web.StreamResponse:
    """One without Telegram: the invite code registers them exactly as /dangky does (and is
    spent), on an account of their own, and opens a session."""
    dash = ctx(request)
    if not dash.codes.allow(client_ip(request)):
        return _sign_in_page(request, error=messages.DASH_SLOW_DOWN, status=429)
    form = await form_of(request)
    if not _pre_session_ok(request, form):
        return _sign_in_page(request, error=messages.DASH_FORM_EXPIRED, status=403)
    code = form.get("code", "").strip().upper()
    svc = dash.svc
    row = svc.db.execute("SELECT used_at, used_by FROM invites WHERE code = ?",
                         [code]).fetchone() if 0 < len(code) <= 20 else None
    if row is None:
        return _sign_in_page(request, error=messages.INVITE_UNKNOWN, status=400)
    if row[0] is not None or row[1] is not None:
        return _sign_in_page(request, error=messages.INVITE_USED, status=400)
    account = await svc.accounts.resolve(DASHBOARD_CHANNEL, secrets.token_hex(16))
    try:
        await svc.staff.redeem(code, account.user_id)
    except InviteError as refused:
        return _sign_in_page(request, error=str(refused), status=400)
    return await _open_session(request, await dash.sessions.start(account.user_id))


async def _open_session(request: web.Request, session: str) -> web.StreamResponse:
    response = see_other(HOME)
    _set_cookie(response, request, "quanly", session, SESSION_HOURS * 3600)
    _set_cookie(response, request, "quanly-form", "", 0)
    return response


async def link_page(request: web.Request) -> web.StreamResponse:
    """GET of a sign-in link: a button, not a session. A link preview (Telegram fetches the
    links it shows) or a mail scanner must not spend the link; only a person's POST does."""
    if not ctx(request).links.allow(client_ip(request)):
        return html.message_page(messages.DASH_SIGNIN_TITLE, messages.DASH_SLOW_DOWN, 429)
    link = request.query.get("t", "")
    token, new = _pre_session_token(request)
    body = (f"<div class=\"signin card\"><h2>{html.e(messages.DASH_SIGNIN_TITLE)}</h2>"
            f"<p>{html.e(messages.DASH_LINK_CONFIRM)}</p>"
            "<form method=\"post\" action=\"/quan-ly/vao\">"
            f"<input type=\"hidden\" name=\"csrf\" value=\"{html.e(token)}\">"
            f"<input type=\"hidden\" name=\"t\" value=\"{html.e(link[:64])}\">"
            f"<button class=\"main\" id=\"enter\" type=\"submit\">"
            f"{html.e(messages.DASH_LINK_BUTTON)}</button></form></div>")
    response = html.page(html.document(messages.DASH_SIGNIN_TITLE, body, header=_header()))
    # The token is in this page's URL: no other site may see it. (not no-referrer: Chrome then
    # sends "Origin: null" with the form, which the origin check refuses)
    response.headers["Referrer-Policy"] = "same-origin"
    return _with_form_cookie(request, response, token, new)


async def use_link(request: web.Request) -> web.StreamResponse:
    dash = ctx(request)
    if not dash.links.allow(client_ip(request)):
        return html.message_page(messages.DASH_SIGNIN_TITLE, messages.DASH_SLOW_DOWN, 429)
    form = await form_of(request)
    if not _pre_session_ok(request, form):
        return _sign_in_page(request, error=messages.DASH_FORM_EXPIRED, status=403)
    used = await dash.sessions.use_link(form.get("t", ""))
    if isinstance(used, LinkRefusal):
        text = {"used": messages.DASH_LINK_USED, "expired": messages.DASH_LINK_EXPIRED
                }.get(used.reason, messages.DASH_LINK_UNKNOWN)
        return _sign_in_page(request, error=text, status=403)
    session, user = used
    try:  # a link made before the role was taken away opens nothing
        scope_of(dash.svc, Account(DASHBOARD_CHANNEL, str(user), user))
    except ScopeError:
        await dash.sessions.end_all(user)
        return _sign_in_page(request, error=messages.DASH_NOT_STAFF, status=403)
    return await _open_session(request, session)


async def sign_out(request: web.Request) -> web.StreamResponse:
    who = await caller(request)
    if who is None:
        return signed_out(request, "het")
    form = await form_of(request)
    if not session_form_ok(request, who, form):
        return html.message_page(messages.DASH_SIGN_OUT, messages.DASH_FORM_EXPIRED, 403,
                                 link=(HOME, messages.DASH_TITLE))
    await ctx(request).sessions.end(who.session)
    return signed_out(request, "ra")
