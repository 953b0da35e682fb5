"""Start the Application, receive updates (long polling or the webhook), stop within seconds.

python-telegram-bot's run_polling/run_webhook stop by waiting for every update in flight, however
long it takes: one handler stuck on a slow Bot API (or on a bug) kept SIGTERM waiting until
Docker killed the process. Here the updates in flight get STOP_GRACE seconds to finish; the rest
are cancelled (nothing they had not yet committed was acknowledged to anyone) and the bot exits.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.config import Settings
from handlers.telegram.ordering import PerUserUpdateProcessor
from handlers.telegram.ui import AnyApp
from handlers.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)
STOP_GRACE = 5.0  # seconds the updates in flight get to finish after SIGTERM

Stop = Callable[[], Awaitable[None]]


async def start_receiving(app: AnyApp, settings: Settings, **polling: Any) -> Stop:
    """Start fetching updates; returns the coroutine function that stops fetching."""
    if settings.webhook_url:
        server = WebhookServer(app, settings)
        await server.start()
        return server.stop
    assert app.updater is not None  # noqa: S101 - build_application always makes one
    await app.updater.start_polling(allowed_updates=Update.ALL_TYPES, **polling)
    return app.updater.stop


async def stop_updates(app: AnyApp, grace: float = STOP_GRACE) -> int:
    """After fetching stopped: let the updates in flight finish, cancel what is left."""
    processor = app.update_processor
    if not isinstance(processor, PerUserUpdateProcessor):
        return 0
    in_flight = processor.in_flight
    cancelled = await processor.stop(grace)
    log.log(logging.WARNING if cancelled else logging.INFO,
            "stopping with %d update(s) in flight, %d cancelled after %.0f s",
            in_flight, cancelled, grace, extra={"event": "stop"})
    return cancelled


async def serve(app: AnyApp, settings: Settings, stop: asyncio.Event) -> None:
    """Run the bot until `stop` is set, then shut it down in bounded time."""
    await app.initialize()
    stop_receiving: Stop | None = None
    try:
        if app.post_init:
            await app.post_init(app)
        stop_receiving = await start_receiving(app, settings)
        await app.start()
        await stop.wait()
    finally:
        log.info("careerbot stopping", extra={"event": "stop"})
        if stop_receiving is not None:
            await stop_receiving()
        if app.running:
            await stop_updates(app)
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        await app.shutdown()


def run(app: AnyApp, settings: Settings) -> None:
    """`careerbot run`: serve until SIGTERM or SIGINT (Ctrl+C)."""
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, stop.set)
            except NotImplementedError:  # Windows: no loop signal handlers
                signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
        await serve(app, settings, stop)

    asyncio.run(main())
