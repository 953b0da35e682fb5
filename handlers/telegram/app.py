"""Composition root for Telegram: build the python-telegram-bot Application from the services.

`careerbot run` and the end-to-end tests build the bot through the same `build_application`.
"""

from __future__ import annotations

import logging

from telegram.ext import AIORateLimiter, Application

from bot import logs
from bot.bootstrap import Running, running
from bot.config import Settings
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


async def _post_init(app: AnyApp) -> None:
    await common.set_commands(app)
    core: Running = app.bot_data["core"]
    await core.start()  # the process's jobs: purge, courier, announcements (bot/jobs.py)
    settings = core.svc.settings
    if settings.web_port is not None:  # the web chat too, on this event loop
        from handlers.web.server import start_web

        app.bot_data["web"] = await start_web(core, settings.web_host, settings.web_port)


async def _post_stop(app: AnyApp) -> None:
    core: Running = app.bot_data["core"]
    await core.stop()  # the send in progress finishes and is recorded
    for task in [*app.bot_data.get("background", []), *app.bot_data.get("jobs", set())]:
        task.cancel()
    web = app.bot_data.pop("web", None)
    if web is not None:
        await web.cleanup()


FEATURES = (common, start, counsel, survey, privacy, staff, announce, ask)


def build_application(settings: Settings, core: Running,
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
    svc = core.svc
    app.bot_data["core"] = core
    app.bot_data["services"] = svc
    app.bot_data["conversation"] = core.conversation
    svc.channels.add(talk.TelegramChannel(app.bot))
    for feature in FEATURES:
        feature.register(app, svc)
    common.register_last(app, svc)
    return app


def run_bot(settings: Settings) -> None:
    """`careerbot run` with a token: polling by default, a webhook when WEBHOOK_URL is set."""
    logs.configure(settings.log_level, settings.log_json, settings.token,
                   settings.webhook_secret)
    with running(settings) as core:  # one bot per database: the lock is held until it stops
        app = build_application(settings, core)
        log.info("careerbot starting", extra={"event": "start"})
        lifecycle.run(app, settings)
