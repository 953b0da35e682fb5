"""Webhook mode: the HTTP endpoint Telegram posts updates to, behind the reverse proxy.

python-telegram-bot's own webhook server (tornado) compares the secret header with `!=`, which
leaks through timing how much of a guess was right. This one is python-telegram-bot's "custom
webhook" pattern (put each Update on `application.update_queue`) on aiohttp, which the bot
already uses for its HTTP client: the header is compared in constant time, anything without
the right secret gets 403 before its body is read, and the listener defaults to loopback.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time

from aiohttp import web
from telegram import Update

from bot import messages, wellformed
from bot.config import Settings
from handlers.telegram.ui import AnyApp

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_BODY = 1024 * 1024  # an update is a few KB; Telegram never posts more than this
HEADER_SECONDS = 20.0  # a request's headers must arrive within this (half-sent: closed)
BODY_SECONDS = 10.0  # Telegram posts a few KB at once
REPORT_EVERY = 60.0  # seconds: refused requests are logged as one line per minute, not each


class WebhookServer:
    def __init__(self, app: AnyApp, settings: Settings) -> None:
        if not settings.webhook_url or not settings.webhook_secret:
            raise ValueError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
        self._app = app
        self._settings = settings
        self._secret = settings.webhook_secret.encode()
        self._runner: web.AppRunner | None = None
        self._refused = 0
        self._reported = time.monotonic() - REPORT_EVERY

    async def start(self) -> None:
        """Listen, then tell Telegram where to post (with the secret it must send back)."""
        server = web.Application(client_max_size=MAX_BODY)
        server.router.add_post("/" + self._settings.webhook_path, self._receive)
        self._runner = web.AppRunner(server, access_log=None, handle_signals=False,
                                     shutdown_timeout=2.0, keepalive_timeout=HEADER_SECONDS)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._settings.webhook_listen,
                          self._settings.webhook_port).start()
        await self._app.bot.set_webhook(self._settings.webhook_url or "",
                                        secret_token=self._settings.webhook_secret,
                                        allowed_updates=Update.ALL_TYPES)
        log.info("webhook listening", extra={"event": "start"})

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            self._refuse()
            return web.Response(status=403)
        try:
            async with asyncio.timeout(BODY_SECONDS):  # a body trickled in never ends
                raw = await request.read()
            # wellformed: nesting too deep or a 5,000-digit number is a 400, not a traceback,
            # and a lone surrogate in a text never reaches SQLite or a reply.
            update = Update.de_json(wellformed.loads(raw), self._app.bot)
        except TimeoutError:
            return web.Response(status=408, text=messages.WEB_BAD_REQUEST)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook request with a malformed update refused",
                        extra={"event": "webhook"})
            return web.Response(status=400, text=messages.WEB_BAD_REQUEST)
        await self._app.update_queue.put(update)
        return web.Response()

    def _refuse(self) -> None:
        self._refused += 1
        now = time.monotonic()
        if now - self._reported >= REPORT_EVERY:
            log.warning("%d webhook request(s) without the right secret refused",
                        self._refused, extra={"event": "webhook"})
            self._refused, self._reported = 0, now
