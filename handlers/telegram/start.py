"""/start (the welcome and the audience buttons, deep links to a topic or a school), /menu,
/khaosat and /help: commands whose answer lives in the conversation core."""

from __future__ import annotations

from bot.services import Services
from handlers.telegram.talk import commands
from handlers.telegram.ui import AnyApp


def register(app: AnyApp, svc: Services) -> None:
    # /start with a deep link too: the core's command table reads its payload.
    app.add_handler(commands("start", "menu", "khaosat"))
