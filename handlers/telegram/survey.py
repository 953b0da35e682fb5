"""A sticker or photo sent while a survey question waits for typed text: say so. Everything
else about surveys (/khaosat, the buttons, typed answers) goes through the conversation core."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot import messages
from bot.services import Services
from handlers.telegram.ui import AnyApp, UserState


async def needs_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None:
        await update.message.reply_text(messages.SURVEY_NEEDS_TEXT)


def register(app: AnyApp, svc: Services) -> None:
    app.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND
        & ~filters.TEXT & UserState("AwaitingSurveyText", svc.flow.awaits_text), needs_text))
