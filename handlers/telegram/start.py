"""/start (the welcome and the audience buttons, deep links to a topic or a school), /menu,
/khaosat and /help: commands whose answer lives in the conversation core."""

from __future__ import annotations

from telegram.ext import CommandHandler, filters

from bot import intents as i
from bot.bootstrap import Services
from handlers.telegram.talk import on_command
from handlers.telegram.ui import AnyApp


def register(app: AnyApp, svc: Services) -> None:
    private = filters.ChatType.PRIVATE
    # /start with a deep link too: on_command hands its payload to the Start intent.
    for name, intent in (("start", i.Start), ("menu", i.Menu), ("khaosat", i.SurveyList)):
        app.add_handler(CommandHandler(name, on_command(intent), filters=private))
