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
    # The deep-link handler must come before the plain /start, which would also match.
    app.add_handler(CommandHandler("start", on_command(i.Start), filters=private,
                                   has_args=True))
    for name, intent in (("start", i.Start), ("menu", i.Menu), ("khaosat", i.SurveyList)):
        app.add_handler(CommandHandler(name, on_command(intent), filters=private))
