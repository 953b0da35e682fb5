"""Free text and the buttons the conversation core answers: registered last, so that an open
counsellor ticket and the staff commands see a message first."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.services import Services
from handlers.telegram.talk import is_core_button, on_button, on_text
from handlers.telegram.ui import AnyApp


def register(app: AnyApp, svc: Services) -> None:
    text = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT \
        & ~filters.COMMAND
    app.add_handler(MessageHandler(text, on_text))
    app.add_handler(CallbackQueryHandler(on_button, pattern=is_core_button))
