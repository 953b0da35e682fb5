"""Composition root for Telegram: build the python-telegram-bot Application from the services.

`careerbot run` and the end-to-end tests build the bot through the same `build_application`.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import AIORateLimiter, Application

from bot import logs
from bot.bootstrap import Services, build_conversation, build_services
from bot.config import Settings
from bot.people.accounts import TELEGRAM
from bot.people.privacy import purge
from handlers.telegram import (
    announce,
    ask,
    common,
    counsel,
    lifecycle,
    privacy,
    staff,
    start,
    survey,
    talk,
)
from handlers.telegram.ordering import PerUserUpdateProcessor
from handlers.telegram.outcomes import CareerBot
from handlers.telegram.sendqueue import FairRateLimiter
from handlers.telegram.transport import AiohttpRequest
from handlers.telegram.ui import AnyApp

log = logging.getLogger(__name__)


# Order matters for messages: a counsellor conversation first, then a survey waiting for a typed
# answer, and only then the answer engine.
PURGE_EVERY = 24 * 3600.0  # seconds: the retention rules are applied once a day


async def purge_daily(svc: Services) -> None:
    """Apply the retention rules promised in bot.privacy, at start and then every day."""
    while True:
        try:
            counts = await svc.writer.write(lambda db: purge(db, svc.clock()))
            if counts.get("users"):
                svc.accounts.clear_cache()  # purged web accounts must not be found again
            if any(counts.values()):
                log.info("retention purge %s", counts, extra={"event": "purge"})
        except Exception:  # a failed purge must not stop the bot; it is retried tomorrow
            log.exception("retention purge failed", extra={"event": "purge"})
        await asyncio.sleep(PURGE_EVERY)


async def _post_init(app: AnyApp) -> None:
    await common.set_commands(app)
    svc: Services = app.bot_data["services"]
    app.bot_data.setdefault("background", []).append(asyncio.create_task(purge_daily(svc)))
    svc.outbox.start()  # the counsellors' courier: what an earlier run left goes first
    await announce.resume_all(app)
    if svc.settings.web_port is not None:  # the web chat too, on this event loop
        from handlers.web.server import start_web

        app.bot_data["web"] = await start_web(svc, svc.settings.web_host, svc.settings.web_port,
                                              app.bot_data.get("conversation"))


async def _post_stop(app: AnyApp) -> None:
    svc: Services = app.bot_data["services"]
    await svc.outbox.stop()  # the send in progress finishes and is recorded
    for task in [*app.bot_data.get("background", []), *app.bot_data.get("jobs", set())]:
        task.cancel()
    web = app.bot_data.pop("web", None)
    if web is not None:
        await web.cleanup()


FEATURES = (common, start, counsel, survey, privacy, staff, announce, ask)


def build_application(settings: Settings, svc: Services,
                      rate_limiter: AIORateLimiter | None = None) -> AnyApp:
    """The bot: handlers of every feature, rate limiter, per-user ordering, command list."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to build the Telegram application")
    processor = PerUserUpdateProcessor(settings.updates_in_flight)
    bot = CareerBot(
        settings.token, base_url=settings.api_base_url, base_file_url=settings.api_file_url,
        request=AiohttpRequest(connection_pool_size=settings.connections),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
        rate_limiter=rate_limiter or FairRateLimiter(
            overall_max_rate=settings.rate_per_second, overall_time_period=1,
            group_max_rate=settings.group_rate_per_minute, group_time_period=60, max_retries=3,
            busy=processor.busy))  # the least busy chats' sends go first
    app = (
        Application.builder()
        .bot(bot)
        .concurrent_updates(processor)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .build()
    )
    app.bot_data["services"] = svc
    app.bot_data["conversation"] = build_conversation(svc)
    svc.outbox.register(TELEGRAM, lambda account, view: talk.deliver(app.bot, account, view))
    for feature in FEATURES:
        feature.register(app, svc)
    common.register_last(app, svc)
    return app


def run_bot(settings: Settings) -> None:
    """`careerbot run` with a token: polling by default, a webhook when WEBHOOK_URL is set."""
    logs.configure(settings.log_level, settings.log_json, settings.token,
                   settings.webhook_secret)
    svc = build_services(settings)
    app = build_application(settings, svc)
    log.info("careerbot starting", extra={"event": "start"})
    try:
        lifecycle.run(app, settings)
    finally:
        svc.close()
