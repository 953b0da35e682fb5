"""Zalo Official Account channel: `install` adds it to the web server when ZALO_APP_ID is set.

signature.py checks webhook signatures, tokens.py keeps the OA's access/refresh pair in SQLite,
client.py sends through Message API v3, window.py applies Zalo's 48-hour / 8-message rule,
render.py turns Views into Zalo messages, channel.py is the adapter, store.py what it keeps.
"""

from __future__ import annotations

import json
import logging

import aiohttp
from aiohttp import web

from bot import logs
from bot.channels import Account, Limits
from bot.conversation import Conversation
from bot.services import Services
from bot.views import View
from handlers.zalo import signature
from handlers.zalo.channel import CHANNEL, ZaloChannel
from handlers.zalo.client import ZaloClient
from handlers.zalo.tokens import TokenKeeper
from handlers.zalo.window import WindowBook

log = logging.getLogger(__name__)
PATH = "/zalo/webhook"


class Wiring:
    """Zalo in the channel registry (bot/channels.py) from the start; the adapter behind it is
    built when the application starts (its HTTP session needs the event loop)."""

    name = CHANNEL
    limits: Limits = ZaloChannel.limits
    channel: ZaloChannel | None = None
    session: aiohttp.ClientSession | None = None

    async def deliver(self, account: Account, view: View) -> bool:
        return self.channel is not None and await self.channel.deliver(account, view)


ZALO: web.AppKey[Wiring] = web.AppKey("careerbot_zalo", Wiring)


def install(app: web.Application, svc: Services, conversation: Conversation) -> None:
    """Serve POST /zalo/webhook on `app` and reach Zalo users through the outbox. Everything
    Zalo needs is wired here; the HTTP session lives as long as the application."""
    settings = svc.settings.zalo
    if settings is None:
        return
    logs.remember_secret(settings.app_secret, settings.oa_secret, settings.refresh_token,
                         settings.access_token)
    wiring = app[ZALO] = Wiring()
    svc.channels.add(wiring)
    app.router.add_post(PATH, webhook)

    def clock() -> float:  # the services' clock, in seconds
        return svc.clock().timestamp()

    async def start(app: web.Application) -> None:
        session = wiring.session = aiohttp.ClientSession()
        keeper = TokenKeeper(svc.writer, session, app_id=settings.app_id,
                             app_secret=settings.app_secret,
                             oauth_base_url=settings.oauth_base_url,
                             seed_refresh=settings.refresh_token,
                             seed_access=settings.access_token, clock=clock)
        window = WindowBook(svc.writer, clock)
        client = ZaloClient(session, keeper, api_base_url=settings.api_base_url, window=window)
        wiring.channel = ZaloChannel(svc, conversation, client, window)

    async def close(app: web.Application) -> None:
        if wiring.channel is not None:
            await wiring.channel.close()
        if wiring.session is not None:
            await wiring.session.close()

    app.on_startup.append(start)
    app.on_cleanup.append(close)


async def webhook(request: web.Request) -> web.Response:
    """Zalo's event: signed (403 if not, or if stale), answered 200 at once, handled after."""
    channel = request.app[ZALO].channel
    zalo = channel.svc.settings.zalo if channel is not None else None
    if channel is None or zalo is None:
        raise web.HTTPServiceUnavailable()
    raw = await request.read()
    check = signature.verify(request.headers.get(signature.HEADER), raw, app_id=zalo.app_id,
                             oa_secret=zalo.oa_secret, now=channel.svc.clock().timestamp())
    if not check.ok:
        log.warning("zalo webhook refused: signature %s", check.value, extra={"event": "zalo"})
        return web.json_response({"error": check.value}, status=403)
    try:
        event = json.loads(raw)
    except ValueError:
        event = None
    if not isinstance(event, dict) or event.get("app_id") not in (None, zalo.app_id):
        log.warning("zalo webhook: not an event of this app", extra={"event": "zalo"})
        return web.json_response({"ok": True})
    channel.accept(event)
    return web.json_response({"ok": True})
