"""The JSON API the page calls: open the chat, send a message, tap a choice, and the event
stream that carries what the outbox delivers later (a counsellor's reply).

Each handler reads like the Telegram ones: who is it, parse the input into an Intent, let the
conversation decide, hand back its Views as JSON.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot import intents as i
from bot import messages, wellformed
from bot.channels import Limits
from bot.conversation import Conversation
from bot.outreach.inbox import Delivered
from bot.people.accounts import Account
from bot.services import Services
from bot.views import FLOODED, Block, Part, View, deferred, flatten
from handlers.web.guard import HourlyCount, Network, Origins, RateLimit
from handlers.web.sessions import Session, Sessions, new_sid, read_sid, session_key, set_sid

log = logging.getLogger(__name__)
MAX_TEXT = 4096  # characters in one message, as Telegram's limit
MAX_BODY = 16 * 1024  # bytes in one request body
BODY_SECONDS = 10.0  # to receive it, once the headers are in
PING_EVERY = 20.0  # seconds between keep-alive comments on an event stream
STREAM_FOR = 600.0  # seconds an event stream stays open; the browser reconnects by itself
MAX_STREAMS = 2_000  # event streams open at once in this process
POLL_EVERY = 15  # seconds between polls of a page refused a live stream
# Staff work happens in Telegram (and the signed-in dashboard), never in the anonymous chat: a
# staff role would ride on a 180-day cookie on a shared school computer.
STAFF_INTENTS = i.STAFF_WORK
Entry = dict[str, Any] | None  # None: the stream ends


@dataclass
class Web:
    """Everything the web handlers share, kept on the aiohttp application."""

    svc: Services
    conversation: Conversation
    sessions: Sessions
    per_session: RateLimit
    per_ip: RateLimit
    new_sessions: RateLimit  # per address
    network: Network = field(default_factory=Network)
    submissions: HourlyCount = field(default_factory=HourlyCount)  # per (address, school)
    streams: int = 0
    streams_of: dict[str, int] = field(default_factory=dict)  # open streams per address


WEB: web.AppKey[Web] = web.AppKey("careerbot_web", Web)


def dumps(data: Any) -> str:
    """JSON whose text holds no <, > or &: a message with HTML in it stays inert even where a
    client mistakes the response for HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_response(data: Any, status: int = 200) -> web.Response:
    response = web.Response(text=dumps(data), status=status, content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def error(status: int, message: str) -> web.HTTPException:
    """An HTTP error whose body is {"error": "<a Vietnamese sentence>"}."""
    exc = web.HTTPException(text=dumps({"error": message}), content_type="application/json")
    exc.set_status(status)
    exc.headers["Cache-Control"] = "no-store"
    return exc


# --- who is asking -----------------------------------------------------------------------------
@dataclass
class Visitor:
    session: Session
    account: Account
    new_sid: str | None  # set when this response must give the browser its cookie
    embed: bool
    secure: bool

    def reply(self, data: Any, status: int = 200) -> web.Response:
        response = json_response(data, status)
        if self.new_sid is not None:
            set_sid(response, self.new_sid, self.embed, self.secure)
        return response


async def visitor(request: web.Request, *, mint: bool = False) -> Visitor:
    """The session of the cookie, if this server issued it. Only opening the chat starts one
    (within the address's rate of new sessions); a cookie the server never issued (made up,
    erased with /xoadulieu, purged) names nothing: opening the chat with it gets a fresh id,
    so no one can pick the id of an account, nor mint accounts past the per-address limit."""
    ctx = request.app[WEB]
    embed, secure = request.query.get("embed") == "1", ctx.network.is_https(request)
    sid = read_sid(request, embed, secure)
    key = session_key(sid) if sid is not None else None
    account = ctx.svc.accounts.find("web", key) if key is not None else None
    minted = None
    if account is None or key is None:
        if not mint:
            raise error(401, messages.WEB_NO_SESSION)
        if not ctx.new_sessions.allow(ctx.network.client_ip(request)):
            raise error(429, messages.WEB_RATE_LIMITED)
        minted = new_sid()
        key = session_key(minted)
        account = await ctx.svc.accounts.resolve("web", key)
    if not ctx.per_session.allow(key):
        raise error(429, messages.WEB_RATE_LIMITED)
    await ctx.svc.users.touch(account.user_id)
    return Visitor(ctx.sessions.get(key), account, minted, embed, secure)


async def read_json(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise error(415, messages.WEB_NOT_JSON)
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise error(413, messages.WEB_TOO_BIG)
    try:  # the whole body, however many packets it came in (client_max_size = MAX_BODY)
        async with asyncio.timeout(BODY_SECONDS):  # a body trickled in never ends
            raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise error(413, messages.WEB_TOO_BIG) from None
    except TimeoutError:
        raise error(408, messages.WEB_BAD_REQUEST) from None
    try:  # too deep, a 5,000-digit number: 400, not a traceback; lone surrogates cleaned
        data = wellformed.loads(raw)
    except wellformed.BadJson:
        raise error(400, messages.WEB_BAD_REQUEST) from None
    if not isinstance(data, dict):
        raise error(400, messages.WEB_BAD_REQUEST)
    return data


# --- views as JSON -----------------------------------------------------------------------------
def _shows_something(view: View) -> bool:
    return bool(view.parts or view.rows or view.files)


def record(session: Session, view: View, tapped: int | None = None, *, pushed: bool = False
           ) -> list[dict[str, Any]]:
    """The view and the ones after it as JSON, each kept in the transcript with its id.
    A view that replaces the screen takes the place of the message the choice was on; one that
    strips choices (a vote given) takes them off that message."""
    out: list[dict[str, Any]] = []
    known = tapped is not None and session.has(tapped)
    for n, shown in enumerate(flatten(view)):
        # Well-formed whatever the view carries (a reply relayed from another channel): the
        # transcript is redrawn on every reload and kept in the database.
        data = wellformed.scrub_data(shown.as_json())
        data["files"] = [{**meta, "url": f"/api/file/{session.keep_file(f)}"}
                         for meta, f in zip(data["files"], shown.files, strict=True)]
        if n == 0 and shown.strip and known and tapped is not None:
            session.strip(tapped, shown.strip)
        if not _shows_something(shown):  # a notice only: shown once, not redrawn on reload
            if shown.notice is not None or shown.strip:
                out.append({"id": None, "replaces": None, **data})
            continue  # nothing at all (a message relayed to the counsellor): nothing to send
        replaces = tapped if n == 0 and shown.replace and known else None
        out.append(session.add({"replaces": replaces, **data}, pushed=pushed, replaces=replaces))
    return out


_FOLLOW_UPS: set[asyncio.Task[None]] = set()  # a reference each, until done


def _follow_up(session: Session, view: View) -> None:
    """A view's deferred part (a file built in the worker) goes down the event stream when
    ready, as the outbox's deliveries do."""
    async def push(later: Callable[[], Awaitable[View]]) -> None:
        record(session, await later(), pushed=True)

    for later in deferred(view):
        task = asyncio.ensure_future(push(later))
        _FOLLOW_UPS.add(task)
        task.add_done_callback(_FOLLOW_UPS.discard)


async def _answer(ctx: Web, who: Visitor, work: Callable[[], Awaitable[View]],
                  tapped: int | None = None) -> dict[str, Any]:
    view = await work()
    if FLOODED in view.signals:  # the flood guard (bot/conversation.receive): nothing shown
        raise error(429, messages.SLOW_DOWN)
    _follow_up(who.session, view)
    if ctx.svc.accounts.find("web", who.session.key) is not None:
        return {"views": record(who.session, view, tapped)}
    # "Xoá dữ liệu": nothing of this visitor stays, not even on screen, and the cookie changes
    # so that the old session id leads nowhere. The new one is issued like any other (its
    # account exists before the browser has the cookie), with a user id never used before.
    ctx.sessions.drop(who.session.key)
    who.new_sid = new_sid()
    account = await ctx.svc.accounts.resolve("web", session_key(who.new_sid))
    who.account = account
    who.session = ctx.sessions.get(account.external_id)
    return {"views": record(who.session, view), "reset": True}


# --- the routes --------------------------------------------------------------------------------
async def open_chat(request: web.Request) -> web.Response:
    """The page opened: redraw this session's chat, or start it (with the school of the link,
    as a Telegram deep link does), or bring back a survey left half done."""
    ctx = request.app[WEB]
    data = await read_json(request)
    who = await visitor(request, mint=True)
    history, restored = who.session.history(), who.session.restored
    who.session.restored = False
    if history and not restored:
        return who.reply({"history": history, "views": [], "last": who.session.seq})
    # A first open, or only what was delivered while this process did not hold the chat (a
    # counsellor's reply kept in the database): then the welcome or the survey left half done.
    school = data.get("school", "")
    start = i.intent_from_json({"type": "start", "payload": school}) \
        if isinstance(school, str) and school else None
    resume = _unfinished_survey(ctx, who.account)
    if resume is not None:
        # A survey left half done comes first, link or not: its question, not the welcome.
        views = await _joined(ctx, who, start) if start is not None else []
        answered = await _answer(ctx, who, lambda: ctx.conversation.handle(who.account, resume))
        return who.reply({"history": history, **answered, "views": views + answered["views"],
                          "last": who.session.seq})
    intent = start or (None if history else i.Start())
    if intent is None:
        return who.reply({"history": history, "views": [], "last": who.session.seq})
    answered = await _answer(ctx, who, lambda: ctx.conversation.handle(who.account, intent))
    return who.reply({"history": history, **answered, "last": who.session.seq})


async def _joined(ctx: Web, who: Visitor, start: i.Intent) -> list[dict[str, Any]]:
    """The school link's effect (joining the school) without the welcome that follows it."""
    async def head() -> View:
        shown = await ctx.conversation.handle(who.account, start)
        return dataclasses.replace(shown, more=())

    views: list[dict[str, Any]] = (await _answer(ctx, who, head))["views"]
    return views


def _unfinished_survey(ctx: Web, account: Account) -> i.Intent | None:
    """A survey in progress (this process restarted, or the transcript was dropped)."""
    resume = next((i.SurveyResume(r.survey_id) for r in ctx.svc.responses.of_user(account.user_id)
                   if r.status == "in_progress"), None)
    return resume if resume is not None and ctx.conversation.handles(resume) else None


async def message(request: web.Request) -> web.Response:
    """A typed message: a question (or a typed command such as /menu, as in the terminal)."""
    ctx = request.app[WEB]
    data = await read_json(request)
    text = data.get("text")
    if not isinstance(text, str):
        raise error(400, messages.WEB_BAD_REQUEST)
    if len(text) > MAX_TEXT:
        raise error(413, messages.WEB_TOO_LONG.format(limit=f"{MAX_TEXT:,}".replace(",", ".")))
    who = await visitor(request)
    if isinstance(i.command_intent(text), STAFF_INTENTS):
        who.session.add({"user": text})
        return who.reply(_staff_elsewhere(who))

    async def receive() -> View:
        # A command, a survey's typed answer, a message to the counsellor, or a question.
        view = await ctx.conversation.receive(who.account, text)
        if FLOODED not in view.signals:
            who.session.add({"user": text})
        return view

    return who.reply(await _answer(ctx, who, receive))


def _staff_elsewhere(who: Visitor) -> dict[str, Any]:
    view = View((Part(Block.TEXT, messages.WEB_STAFF_ELSEWHERE),))
    return {"views": record(who.session, view)}


async def intent(request: web.Request) -> web.Response:
    """A tapped choice: the Intent the View gave it, as JSON, and the message it was on."""
    ctx = request.app[WEB]
    data = await read_json(request)
    tapped = i.intent_from_json(data.get("intent"))
    origin = data.get("from")
    if tapped is None or (origin is not None and (not isinstance(origin, int)
                                                  or isinstance(origin, bool))):
        raise error(400, messages.WEB_STALE)
    who = await visitor(request)
    if isinstance(tapped, STAFF_INTENTS):
        return who.reply(_staff_elsewhere(who))
    pending = _pending_response(ctx, who, tapped)
    answered = await _answer(ctx, who, lambda: ctx.conversation.receive(who.account, tapped),
                             origin)
    if pending is not None:
        await _count_submission(ctx, request, pending)
    return who.reply(answered)


def _pending_response(ctx: Web, who: Visitor, tapped: i.Intent) -> int | None:
    """The response a "Gửi phiếu" tap may submit (still in progress before it)."""
    if not isinstance(tapped, i.SurveySubmit):
        return None
    return next((r.id for r in ctx.svc.responses.of_user(who.account.user_id)
                 if r.survey_id == tapped.survey and r.status == "in_progress"), None)


async def _count_submission(ctx: Web, request: web.Request, response_id: int) -> None:
    """Submissions for one school from one address in an hour, past the cap: kept (nothing a
    student sends is lost) but marked, so staff see them as "đáng ngờ" beside the counts."""
    response = ctx.svc.responses.get(response_id)
    if response is None or response.status != "submitted":
        return
    where = (ctx.network.client_ip(request), response.school_code or "")
    if ctx.submissions.add(where) > ctx.svc.settings.surveys_per_address_hour:
        await ctx.svc.responses.flag_suspect(response_id)
        log.warning("survey submission over the per-address hourly cap marked suspect",
                    extra={"event": "survey", "survey": response.survey_id})


async def file(request: web.Request) -> web.Response:
    """A file a view offered this session ("Dữ liệu của tôi"), as a download."""
    who = await visitor(request)
    number = _int(request.match_info.get("number"))
    attachment = who.session.files.get(number)
    if attachment is None:
        raise error(404, messages.WEB_FILE_GONE)
    kind = mimetypes.guess_type(attachment.filename)[0] or "application/octet-stream"
    # Vietnamese stays readable in whatever opens the file: say it is UTF-8
    charset = "utf-8" if kind.startswith("text/") or kind == "application/json" else None
    response = web.Response(body=attachment.data, content_type=kind, charset=charset, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename)}",
        "Cache-Control": "no-store"})
    return response


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: each View the outbox delivers to this session, with its id, so a
    reconnecting browser (Last-Event-ID) gets what it missed and nothing twice."""
    ctx = request.app[WEB]
    if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        raise error(403, messages.WEB_ORIGIN_REFUSED)
    who = await visitor(request)
    session = who.session
    address = ctx.network.client_ip(request)
    settings = ctx.svc.settings
    after = max(_int(request.query.get("after")), _int(request.headers.get("Last-Event-ID")))
    if ctx.streams >= MAX_STREAMS or len(session.streams) >= settings.web_streams_per_session \
            or ctx.streams_of.get(address, 0) >= settings.web_streams_per_address:
        # No live stream for this page: it asks /api/poll now and then instead (an
        # EventSource refused with an HTTP error stops for good, so the page takes the hint).
        raise error(429, messages.WEB_POLLING)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})  # nginx: no buffering
    if who.new_sid is not None:
        set_sid(response, who.new_sid, who.embed, who.secure)
    queue: asyncio.Queue[Entry] = asyncio.Queue()
    for missed in session.pushed_after(after):
        queue.put_nowait(missed)
    session.streams.add(queue)
    ctx.streams += 1
    ctx.streams_of[address] = ctx.streams_of.get(address, 0) + 1
    try:
        await response.prepare(request)
        await response.write(b"retry: 3000\n\n")
        loop = asyncio.get_running_loop()
        until = loop.time() + STREAM_FOR
        while loop.time() < until:
            try:
                entry = await asyncio.wait_for(queue.get(), PING_EVERY)
            except TimeoutError:
                ctx.sessions.get(session.key)  # still here: keep the transcript
                await response.write(b": ping\n\n")
                continue
            if entry is None:  # the server is stopping
                break
            await response.write(f"id: {entry['id']}\ndata: {dumps(entry)}\n\n".encode())
    except ConnectionResetError:
        pass  # the visitor closed the tab
    finally:
        session.streams.discard(queue)
        ctx.streams -= 1
        left = ctx.streams_of.pop(address, 1) - 1
        if left > 0:
            ctx.streams_of[address] = left
    return response


_REFUSED_LOGGED: set[str] = set()  # each refused site logged once per process
_REFUSED_LOG_MAX = 1_000


async def embed_check(request: web.Request) -> web.Response:
    """Whether the page the widget sits on may frame the chat (CAREERBOT_WEB_ORIGINS). The
    widget asks before it opens the frame, so a site not yet listed shows a sentence instead of
    the browser's broken-page icon, and the operator learns which site to add. Readable from
    any site (no cookie, no data): the answer is also in the page's CSP header."""
    origin = request.headers.get("Origin", "")
    allowed = not origin or Origins(request.app[WEB].svc.settings.web_origins).allows(
        request, origin)
    if not allowed and origin not in _REFUSED_LOGGED and len(origin) <= 200:
        if len(_REFUSED_LOGGED) < _REFUSED_LOG_MAX:
            _REFUSED_LOGGED.add(origin)
        log.warning("the widget was opened on %s, a site not in CAREERBOT_WEB_ORIGINS: add it "
                    "there to let it show the chat", origin, extra={"event": "origin"})
    response = json_response({"allowed": allowed})
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


async def poll(request: web.Request) -> web.Response:
    """What a live stream would have carried, for a page that has none: the entries pushed
    after the last one it saw, and how long to wait before asking again."""
    if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        raise error(403, messages.WEB_ORIGIN_REFUSED)  # as the stream: the chat's page only
    who = await visitor(request)
    after = _int(request.query.get("after"))
    return who.reply({"views": who.session.pushed_after(after), "last": who.session.seq,
                      "every": POLL_EVERY})


def _int(raw: str | None) -> int:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 16 else 0


# --- the outbox's web channel ----------------------------------------------------------------
class WebChannel:
    """The web chat as a channel of the core (bot/channels.py): how the core reaches a web
    visitor later: into the transcript, down every open event stream of the session, and into
    the database (committed before it counts as delivered), so a visitor with no page open
    sees it on their next open, even after a restart."""

    name = "web"
    limits = Limits(text=4096, buttons=0, button_title=0)

    def __init__(self, ctx: Web) -> None:
        self.ctx = ctx

    async def deliver(self, account: Account, view: View) -> bool:
        entries = record(self.ctx.sessions.get(account.external_id), view, pushed=True)
        await self.ctx.svc.inbox.keep(account.user_id, "web", [
            Delivered(entry["id"], plain_text(entry), entry) for entry in entries
            if entry["id"] is not None])  # a toast is shown once, never redrawn
        return True


def plain_text(entry: dict[str, Any]) -> str:
    """What a transcript entry says, for the visitor's data export."""
    lines: list[str] = []
    for part in entry.get("parts", []):
        lines.extend(line for line in (part.get("text", ""), *(
            ": ".join(item) if isinstance(item, list) else str(item)
            for item in part.get("items", []))) if line)
    return "\n".join(lines)


def restorer(svc: Services) -> Callable[[str], list[dict[str, Any]]]:
    """A session this process does not hold starts with what was delivered to its account."""

    def restore(key: str) -> list[dict[str, Any]]:
        account = svc.accounts.find("web", key)
        return [] if account is None else [d.payload for d in svc.inbox.kept(account.user_id,
                                                                                "web")]

    return restore
