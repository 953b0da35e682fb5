"""The web chat server: routes, the guards every request passes, and how it runs (alone as
`careerbot web`, or beside the Telegram bot in `careerbot run`)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot import messages
from bot.bootstrap import Running
from handlers import zalo
from handlers.web import api, assets, dashboard
from handlers.web.guard import Network, Origins, RateLimit, add_security_headers
from handlers.web.sessions import Sessions

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SESSION_PER_MINUTE = 120  # a quick student taps through a survey at about one a second
NEW_SESSION_SHARE = 25  # new sessions a minute per address: its request limit / 25 (120)
# A connection must send its request's headers within this (from its start, or from the last
# response on it): a client trickling half a request would hold a connection for ever.
HEADER_SECONDS = 20.0
RETRY_AFTER = "120"  # seconds, with the "thử lại sau" of a full disk
_host_warned = False


def _host_guard(network: Network) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Only the configured public host (or loopback names): a page on another name that
        resolves to this server (DNS rebinding) gets nothing, and is never same-origin."""
        if network.host_allowed(request):
            return await handler(request)
        global _host_warned
        if not _host_warned:  # once: the operator may have forgotten CAREERBOT_PUBLIC_ORIGIN
            _host_warned = True
            log.warning("request for a host that is not CAREERBOT_PUBLIC_ORIGIN refused "
                        "(set it to the chat's public address)", extra={"event": "web"})
        raise api.error(421, messages.WEB_HOST_REFUSED)

    return guard


def _disk_full(exc: BaseException) -> bool:
    """SQLite could not grow the database (disk or quota full): a passing state, not a bug."""
    while exc is not None:
        if isinstance(exc, sqlite3.Error) and (
                getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
                or "database or disk is full" in str(exc)):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def _api_guard(origins: Origins, per_ip: RateLimit
               ) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Every /api/ request: from an allowed origin (CORS for the school sites), within the
        address's rate; errors as JSON with a Vietnamese sentence."""
        if not request.path.startswith("/api/"):
            return await handler(request)
        origin = request.headers.get("Origin")
        if origin is not None and not origins.allows(request, origin):
            raise api.error(403, messages.WEB_ORIGIN_REFUSED)
        if origin is None and request.method != "GET":
            raise api.error(403, messages.WEB_ORIGIN_REFUSED)  # a browser always sends it
        cors = origin is not None and origins.foreign(origin)
        if request.method == "OPTIONS":
            if not cors:
                raise api.error(403, messages.WEB_ORIGIN_REFUSED)
            response: web.StreamResponse = web.Response(status=204, headers={
                "Access-Control-Allow-Methods": "GET, POST",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": "600"})
        else:
            if not per_ip.allow(origins.network.client_ip(request)):
                raise api.error(429, messages.WEB_RATE_LIMITED)
            response = await handler(request)
        if cors and origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Vary"] = "Origin"
        return response

    return guard


def _errors_and_headers(csp: str) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def outer(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Security headers on every response; any failure a clean Vietnamese message for the
        visitor and a traceback for the operator."""
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            failure = exc
            if exc.content_type != "application/json":  # aiohttp's own 404 / 405 text
                sentence = messages.WEB_NOT_FOUND if exc.status == 404 else \
                    messages.WEB_METHOD if exc.status == 405 else messages.WEB_BAD_REQUEST
                failure = api.error(exc.status, sentence)
            add_security_headers(failure, csp)
            raise failure from None
        except Exception as exc:
            if _disk_full(exc):
                log.error("the database cannot grow (disk full?): web request refused",
                          extra={"event": "error"})
                failure = api.error(503, messages.WEB_TRY_LATER)
                failure.headers["Retry-After"] = RETRY_AFTER
            else:
                log.exception("error while handling a web request", extra={"event": "error"})
                failure = api.error(500, messages.ERROR_APOLOGY)
            add_security_headers(failure, csp)
            raise failure from None
        add_security_headers(response, csp)
        return response

    return outer


def _static(asset: assets.Asset) -> Handler:
    async def serve(request: web.Request) -> web.StreamResponse:
        return asset.respond(request)

    return serve


def build_app(core: Running, *, session_per_minute: int = SESSION_PER_MINUTE,
              ip_per_minute: int | None = None) -> web.Application:
    """The aiohttp application; the outbox reaches web visitors through it from now on."""
    svc = core.svc
    settings = svc.settings
    network = Network(settings.trusted_proxies, settings.public_origin)
    origins = Origins(settings.web_origins, network)
    per_ip_minute = ip_per_minute or settings.web_ip_per_minute
    per_ip = RateLimit(per_ip_minute)
    # New sessions from one address: a class opening the chat together, not a script.
    new_sessions = RateLimit(max(60, per_ip_minute // NEW_SESSION_SHARE))
    app = web.Application(client_max_size=api.MAX_BODY,
                          middlewares=[_errors_and_headers(origins.csp()), _host_guard(network),
                                       _api_guard(origins, per_ip)])
    ctx = api.Web(svc, core.conversation, Sessions(restore=api.restorer(svc)),
                  RateLimit(session_per_minute, burst=max(1, session_per_minute // 3)), per_ip,
                  new_sessions, network)
    app[api.WEB] = ctx
    svc.channels.add(api.WebChannel(ctx))
    if settings.public_origin is None:
        log.warning("CAREERBOT_PUBLIC_ORIGIN is not set: the web chat answers only loopback "
                    "host names (127.0.0.1, localhost); set it behind a reverse proxy",
                    extra={"event": "start"})
    for path, asset in assets.load().items():
        app.router.add_get(path, _static(asset))
    app.router.add_post("/api/open", api.open_chat)
    app.router.add_post("/api/message", api.message)
    app.router.add_post("/api/intent", api.intent)
    app.router.add_get("/api/events", api.events)
    app.router.add_get("/api/poll", api.poll)
    app.router.add_get(r"/api/file/{number:\d{1,9}}", api.file)
    app.router.add_get("/widget/allowed", api.embed_check)  # outside /api: any site may ask
    dashboard.register(app, svc)  # the staff dashboard, /quan-ly
    zalo.install(app, svc, ctx.conversation)  # POST /zalo/webhook when ZALO_APP_ID is set
    for path in ("/api/open", "/api/message", "/api/intent", "/api/events"):
        app.router.add_route("OPTIONS", path, _preflight)

    async def end_streams(app: web.Application) -> None:
        ctx.sessions.close_streams()

    app.on_shutdown.append(end_streams)
    return app


async def _preflight(request: web.Request) -> web.StreamResponse:
    return web.Response(status=204)  # answered by the guard; reached only if it allows


def run_web(core: Running, host: str, port: int) -> None:
    """`careerbot web`: serve until SIGINT / SIGTERM, then let the writer commit and close."""
    app = build_app(core)

    async def background(app: web.Application) -> None:
        await core.start()  # the process's jobs (bot/jobs.py)

    async def stop(app: web.Application) -> None:
        await core.stop()

    app.on_startup.append(background)
    app.on_cleanup.append(stop)
    log.info("web chat on http://%s:%s", host, port, extra={"event": "start"})
    web.run_app(app, host=host, port=port, print=None, access_log=None, shutdown_timeout=5,
                keepalive_timeout=HEADER_SECONDS)


async def start_web(core: Running, host: str, port: int) -> web.AppRunner:
    """Beside the Telegram bot, on its event loop: returns the runner to clean up at stop.
    The process's jobs are the caller's to start and stop."""
    runner = web.AppRunner(build_app(core), access_log=None, shutdown_timeout=5,
                           keepalive_timeout=HEADER_SECONDS)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("web chat on http://%s:%s", host, port, extra={"event": "start"})
    return runner
