"""A bare python-telegram-bot echo bot: the baseline for bench/bot_throughput.py.

Same settings as `careerbot run` (base URL, AIORateLimiter with the same limits, the same number
of updates in flight and connections), nothing else: it replies with the text. With
`--careerbot-transport` it talks HTTP the way careerbot does (handlers/transport.py: aiohttp,
JSON bodies), so the benchmark can show what careerbot's own work costs on equal transport.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.config import Settings
from handlers.telegram.transport import AiohttpRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message and update.message.text:
        await update.message.reply_text(update.message.text)


def main() -> None:
    settings = Settings.from_env()  # the same knobs careerbot reads
    base = os.environ["TELEGRAM_API_BASE_URL"]
    builder = Application.builder()
    if "--careerbot-transport" in sys.argv:
        builder = builder.request(AiohttpRequest(
            connection_pool_size=settings.connections)).get_updates_request(
            AiohttpRequest(connection_pool_size=1))
    else:
        builder = builder.connection_pool_size(settings.connections)
    app = (
        builder
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(base)
        .base_file_url(base.removesuffix("/bot") + "/file/bot")
        .rate_limiter(AIORateLimiter(
            overall_max_rate=settings.rate_per_second, overall_time_period=1,
            group_max_rate=settings.group_rate_per_minute, group_time_period=60,
            max_retries=3))
        .concurrent_updates(settings.updates_in_flight)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
